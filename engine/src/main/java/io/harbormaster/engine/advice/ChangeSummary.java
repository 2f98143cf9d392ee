package io.harbormaster.engine.advice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.text.Numbers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * A build's announced change in words: files, the subsystems (top directories) they are in, lines added and deleted,
 * commit messages, pull request title, and dependencies named.
 */
record ChangeSummary(
        List<String> files,
        List<String> subsystems,
        long linesAdded,
        long linesDeleted,
        List<String> commitMessages,
        Optional<String> prTitle,
        List<String> dependencies,
        boolean announced) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int SHOWN_FILES = 6;
    private static final java.util.Set<String> GENERIC_DIRS =
            java.util.Set.of("src", "main", "java", "resources", "lib");

    static ChangeSummary of(Optional<AnnouncedBuild> build) {
        if (build.isEmpty()) {
            return new ChangeSummary(List.of(), List.of(), 0, 0, List.of(), Optional.empty(), List.of(), false);
        }
        JsonNode change;
        try {
            change = JSON.readTree(build.get().changeJson());
        } catch (Exception e) {
            change = JSON.createObjectNode();
        }
        var files = strings(change.path("files"));
        var subsystems = new LinkedHashSet<String>();
        for (var f : files) {
            subsystems.add(subsystem(f));
        }
        var title = change.path("pr_title").asText("").strip();
        return new ChangeSummary(
                files,
                List.copyOf(subsystems),
                change.path("la").asLong(0),
                change.path("ld").asLong(0),
                strings(change.path("commit_messages")),
                title.isEmpty() ? Optional.empty() : Optional.of(title),
                strings(change.path("dependencies")),
                true);
    }

    /** The files in a few words: "3 files in db, api: a.sql, b.java, c.java; +40/-2 lines". */
    String filesInWords() {
        if (!announced) {
            return "no build announced this version (emergency deploy): no change metadata";
        }
        if (files.isEmpty()) {
            return "no files listed; +" + linesAdded + "/-" + linesDeleted + " lines";
        }
        int shown = Math.min(files.size(), SHOWN_FILES);
        return Numbers.count(files.size(), "file", "files") + " in " + String.join(", ", subsystems) + ": "
                + String.join(", ", files.subList(0, shown))
                + (files.size() > shown ? " and " + (files.size() - shown) + " more" : "")
                + "; +" + linesAdded + "/-" + linesDeleted + " lines";
    }

    /** The text a change is compared by: what it is about, then where it is. */
    String searchText(String service) {
        var parts = new ArrayList<String>();
        parts.add(service);
        prTitle.ifPresent(parts::add);
        commitMessages.stream().limit(5).forEach(parts::add);
        if (!files.isEmpty()) {
            parts.add("files: " + String.join(", ", files.subList(0, Math.min(files.size(), 20))));
        }
        if (!dependencies.isEmpty()) {
            parts.add("dependencies: " + String.join(", ", dependencies));
        }
        return Redaction.scrub(String.join(". ", parts));
    }

    boolean touchesMigration() {
        return files.stream()
                .anyMatch(f -> f.matches("(?i)(.*/)?(migrations?|flyway|liquibase|changelog)/.*|.*\\.sql"));
    }

    boolean touchesConfig() {
        return files.stream()
                .anyMatch(f -> f.matches("(?i).*(\\.ya?ml|\\.properties|\\.tf|dockerfile|helm/.*|k8s/.*|deploy/.*)"));
    }

    /** The files most likely to matter first: migrations, then configuration, then the rest, at most {@code n}. */
    List<String> firstFiles(int n) {
        var ordered = new ArrayList<String>();
        files.stream().filter(f -> f.toLowerCase().endsWith(".sql")).forEach(ordered::add);
        files.stream().filter(f -> !ordered.contains(f)).forEach(ordered::add);
        return ordered.subList(0, Math.min(n, ordered.size()));
    }

    /** The first directory of a path that says something ("db" for src/main/resources/db/V7.sql), else "(root)". */
    private static String subsystem(String path) {
        var parts = path.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            var p = parts[i];
            if (!p.isBlank() && !GENERIC_DIRS.contains(p)) {
                return p;
            }
        }
        return "(root)";
    }

    private static List<String> strings(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> {
            if (n.isTextual() && !n.asText().isBlank()) {
                out.add(n.asText().strip());
            }
        });
        return List.copyOf(out);
    }
}
