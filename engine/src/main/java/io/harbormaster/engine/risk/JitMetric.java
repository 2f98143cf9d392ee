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

    /**
     * A value of this metric as a person reads it: a flag as yes or no, days to a tenth, entropy to two decimals, and
     * a count as a whole number. A count need not be whole here: the public training data averages some counts over
     * a change's files (0.17, 275.25), and a missing metric is filled from the training percentiles; such a value is
     * rounded and said to be about that ("about 275", "under 1"), so that nobody reads it as a count CI announced.
     */
    public String reads(double value) {
        if (!Double.isFinite(value)) {
            return io.harbormaster.engine.text.Numbers.compact(value);
        }
        if (flag) {
            return value >= 0.5 ? "yes" : "no";
        }
        return switch (this) {
            case AGE -> decimals(value, 1);
            case ENTROPY -> decimals(value, 2);
            default -> count(value);
        };
    }

    private static String count(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (value > 0 && value < 1) {
            return "under 1";
        }
        return "about " + Math.round(value);
    }

    /** At most {@code places} decimals, without trailing zeros: 10.6, 3, 2.97. */
    private static String decimals(double value, int places) {
        return java.math.BigDecimal.valueOf(value)
                .setScale(places, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
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
