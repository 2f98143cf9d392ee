package io.harbormaster.engine.intake;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The change a build carries, as CI announced it. The risk engine reads the metrics from {@link #json()} itself; the
 * typed fields are what intake checked and what other parts of the pipeline show or compare.
 *
 * @param json the {@code change} object exactly as announced (compact JSON), unknown fields included
 * @param metrics the just-in-time change metrics that were present ({@link #METRICS}), each a finite number &ge; 0;
 *     {@code fix} given as a boolean is 1 or 0
 * @param files paths the change touched
 * @param dependencies the services or libraries the changed code depends on (empty when not announced)
 * @param commitMessages the commits' messages (empty when not announced)
 * @param prTitle the pull request's title, when announced
 */
public record ChangeMetadata(
        String json,
        Map<String, Double> metrics,
        List<String> files,
        List<String> dependencies,
        List<String> commitMessages,
        Optional<String> prTitle) {

    /**
     * The 14 classic just-in-time change metrics (Kamei et al.): subsystems, directories, files, entropy, lines
     * added, lines deleted, lines before the change, fix, developers, age, unique changes, and the author's
     * experience, recent experience and subsystem experience.
     */
    public static final List<String> METRICS =
            List.of("ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix", "ndev", "age", "nuc", "exp", "rexp", "sexp");

    public ChangeMetadata {
        Objects.requireNonNull(json, "json");
        metrics = Map.copyOf(metrics);
        files = List.copyOf(files);
        dependencies = List.copyOf(dependencies);
        commitMessages = List.copyOf(commitMessages);
        Objects.requireNonNull(prTitle, "prTitle");
    }

    /** A metric CI announced, if it did. */
    public Optional<Double> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }
}
