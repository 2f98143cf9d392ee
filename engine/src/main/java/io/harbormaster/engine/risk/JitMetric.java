package io.harbormaster.engine.risk;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The just-in-time change metrics CI announces for a build (Kamei et al.), with the words a reviewer reads. */
public enum JitMetric {
    NS("ns", List.of(), "subsystems touched", false),
    ND("nd", List.of(), "directories touched", false),
    NF("nf", List.of(), "files touched", false),
    ENTROPY("entropy", List.of("ent", "entrophy"), "spread of the change across files (entropy)", false),
    LA("la", List.of(), "lines added", false),
    LD("ld", List.of(), "lines deleted", false),
    LT("lt", List.of(), "lines in the touched files before the change", false),
    FIX("fix", List.of(), "the change is a bug fix", true),
    NDEV("ndev", List.of(), "developers who changed these files before", false),
    AGE("age", List.of(), "days since these files were last changed", false),
    NUC("nuc", List.of(), "earlier changes to these files", false),
    EXP("exp", List.of("aexp"), "author's earlier changes", false),
    REXP("rexp", List.of("arexp"), "author's recent changes (weighted by recency)", false),
    SEXP("sexp", List.of("asexp"), "author's earlier changes in these subsystems", false);

    private final String key;
    private final List<String> aliases;
    private final String words;
    private final boolean flag;

    JitMetric(String key, List<String> aliases, String words, boolean flag) {
        this.key = key;
        this.aliases = aliases;
        this.words = words;
        this.flag = flag;
    }

    /** The canonical name, as in change JSON and model files. */
    public String key() {
        return key;
    }

    /** What the metric means, in words. */
    public String words() {
        return words;
    }

    /** Whether the metric is a yes/no flag rather than a count or amount. */
    public boolean isFlag() {
        return flag;
    }

    /** Whether a column or field name denotes this metric (the canonical name or an alias, any case). */
    public boolean answersTo(String name) {
        var n = name.trim().toLowerCase(Locale.ROOT);
        return key.equals(n) || aliases.contains(n);
    }

    /** The metric a column or field name denotes, if any. */
    public static Optional<JitMetric> named(String name) {
        for (var m : values()) {
            if (m.answersTo(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Looks a metric up by its canonical name, as written in model files. */
    public static JitMetric ofKey(String key) {
        return named(key).orElseThrow(() -> new IllegalArgumentException("unknown change metric: " + key));
    }
}
