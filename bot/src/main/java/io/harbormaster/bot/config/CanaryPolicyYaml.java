package io.harbormaster.bot.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.HardTriggerPolicy;
import io.harbormaster.engine.canary.MannWhitneyPolicy;
import io.harbormaster.engine.canary.ScoringPolicy;
import io.harbormaster.engine.canary.SequentialPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A canary policy file ({@code --policy policy.yml}), parsed into the engine's plain records; anything absent keeps
 * the default, anything unknown or malformed is refused with the key's path. Keys: interval_seconds, steps,
 * min_step_seconds, min_promote_seconds, last_step_after_seconds, promote_by_seconds, hold_error_z, hold_latency_t,
 * escalate_e_value, closing_test_seconds, closing_alpha, max_no_data_seconds, hard_triggers.*, mann_whitney.*,
 * scoring.*, sequential.*.
 */
public final class CanaryPolicyYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The largest whole number a policy takes (seconds: about 11 days; far beyond any canary). */
    static final long LARGEST = 1_000_000;

    /** Keys of earlier versions, and what to write instead. */
    private static final String[][] RENAMED = {
        {
            "hold_e_value",
            "the hold now follows the closing test's statistic; use hold_error_z (default 0.6, a z score: larger"
                    + " holds fewer canaries)"
        },
        {
            "hold_latency_e_value",
            "the hold now follows the closing test's statistic; use hold_latency_t (default 1.5, a t statistic:"
                    + " larger holds fewer canaries)"
        }
    };

    private CanaryPolicyYaml() {}

    /** Reads a policy file; refuses an unreadable or malformed one with a message naming the file and the key. */
    public static CanaryPolicy read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var where = e.getLocation();
            throw new IllegalArgumentException("policy " + file + " is not valid YAML"
                    + (where != null ? " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")" : "")
                    + ": " + e.getOriginalMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("policy " + file + " does not exist; give the path of a YAML file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy " + file + " ("
                    + e.getClass().getSimpleName() + "); check that it is a readable file");
        }
        return parse(root, file + ": ");
    }

    /**
     * Parses a policy mapping (a file's root, or the {@code canary:} section of harbormaster.yml); {@code at} prefixes
     * every message.
     */
    public static CanaryPolicy parse(JsonNode root, String at) {
        return parse(root, at, CanaryPolicy.defaults());
    }

    /** Like {@link #parse(JsonNode, String)}, with {@code base} supplying every value the mapping leaves out. */
    public static CanaryPolicy parse(JsonNode root, String at, CanaryPolicy base) {
        if (root == null || root.isNull()) {
            return base;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(at + "a canary policy is a mapping of keys (see analyze run --help)");
        }
        try {
            return parseMapping(root, base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + e.getMessage());
        }
    }

    /** The mapping's policy; messages name the key's full path (hard_triggers.max_error_rate), not the file. */
    private static CanaryPolicy parseMapping(JsonNode root, CanaryPolicy base) {
        for (String[] renamed : RENAMED) {
            if (root.has(renamed[0])) {
                throw new IllegalArgumentException(renamed[0] + " is gone: " + renamed[1]);
            }
        }
        known(
                root,
                "",
                "interval_seconds",
                "steps",
                "min_step_seconds",
                "min_promote_seconds",
                "last_step_after_seconds",
                "promote_by_seconds",
                "hold_error_z",
                "hold_latency_t",
                "escalate_e_value",
                "closing_test_seconds",
                "closing_alpha",
                "max_no_data_seconds",
                "hard_triggers",
                "mann_whitney",
                "scoring",
                "sequential");
        CanaryPolicy d = base;
        List<CanaryStep> steps = root.has("steps") ? steps(root.get("steps"), "steps") : d.steps();

        HardTriggerPolicy h = d.hardTriggers();
        JsonNode hn = section(root, "hard_triggers");
        String hp = "hard_triggers.";
        known(
                hn,
                hp,
                "max_error_rate",
                "error_window_seconds",
                "max_p99_ms",
                "p99_window_seconds",
                "max_restarts",
                "restart_window_seconds",
                "min_requests");
        h = new HardTriggerPolicy(
                num(hn, hp, "max_error_rate", h.maxErrorRate()),
                whole(hn, hp, "error_window_seconds", h.errorWindowSeconds()),
                num(hn, hp, "max_p99_ms", h.maxP99Ms()),
                whole(hn, hp, "p99_window_seconds", h.p99WindowSeconds()),
                whole(hn, hp, "max_restarts", (long) h.maxRestarts()),
                whole(hn, hp, "restart_window_seconds", h.restartWindowSeconds()),
                num(hn, hp, "min_requests", h.minRequests()));

        MannWhitneyPolicy m = d.mannWhitney();
        JsonNode mn = section(root, "mann_whitney");
        String mp = "mann_whitney.";
        known(mn, mp, "tolerance", "confidence", "allowed_increase", "allowed_decrease");
        ScoringPolicy s = d.scoring();
        JsonNode sn = section(root, "scoring");
        String sp = "scoring.";
        known(sn, sp, "pass", "marginal", "critical_metrics", "group_weights");
        SequentialPolicy q = d.sequential();
        JsonNode qn = section(root, "sequential");
        String qp = "sequential.";
        known(
                qn,
                qp,
                "alpha",
                "promote_alpha",
                "error_ratio",
                "error_points",
                "p50_increase",
                "p99_increase",
                "warmup_intervals",
                "noise_history");
        m = new MannWhitneyPolicy(
                num(mn, mp, "tolerance", m.tolerance()),
                num(mn, mp, "confidence", m.confidence()),
                num(mn, mp, "allowed_increase", m.allowedIncrease()),
                num(mn, mp, "allowed_decrease", m.allowedDecrease()));
        Set<String> critical = s.criticalMetrics();
        if (sn.has("critical_metrics")) {
            JsonNode list = sn.get("critical_metrics");
            if (!list.isArray()) {
                throw new IllegalArgumentException(
                        sp + "critical_metrics: expected a list of metric names, got " + list);
            }
            var names = new ArrayList<String>();
            for (JsonNode n : list) {
                if (!n.isTextual()) {
                    throw new IllegalArgumentException(sp + "critical_metrics: expected metric names, got " + n);
                }
                names.add(n.asText());
            }
            critical = Set.copyOf(names);
        }
        var weights = new java.util.HashMap<>(s.groupWeights());
        if (sn.has("group_weights")) {
            JsonNode gw = section(sn, "group_weights");
            for (Iterator<String> it = gw.fieldNames(); it.hasNext(); ) {
                String group = it.next();
                weights.put(group, num(gw, sp + "group_weights.", group, Double.NaN));
            }
        }
        s = new ScoringPolicy(
                weights,
                s.metricGroups(),
                critical,
                num(sn, sp, "pass", s.passThreshold()),
                num(sn, sp, "marginal", s.marginalThreshold()));
        q = new SequentialPolicy(
                num(qn, qp, "alpha", q.alpha()),
                num(qn, qp, "promote_alpha", q.promoteAlpha()),
                num(qn, qp, "error_ratio", q.errorRatio()),
                num(qn, qp, "error_points", q.errorPoints()),
                num(qn, qp, "p50_increase", q.p50Increase()),
                num(qn, qp, "p99_increase", q.p99Increase()),
                (int) whole(qn, qp, "warmup_intervals", q.warmupIntervals()),
                (int) whole(qn, qp, "noise_history", q.noiseHistory()));
        long minPromote = whole(root, "", "min_promote_seconds", d.minPromoteSeconds());
        // Unset, promote_by follows a raised bake time; set, it cannot come before it (0 is not "off").
        long promoteBy = whole(root, "", "promote_by_seconds", Math.max(d.promoteBySeconds(), minPromote));
        if (promoteBy < minPromote) {
            throw new IllegalArgumentException("promote_by_seconds (" + promoteBy + ") comes before"
                    + " min_promote_seconds (" + minPromote + "): no canary is promoted before the bake time;"
                    + " give promote_by_seconds " + minPromote + " or more");
        }
        return new CanaryPolicy(
                whole(root, "", "interval_seconds", d.intervalSeconds()),
                steps,
                whole(root, "", "min_step_seconds", d.minStepSeconds()),
                minPromote,
                whole(root, "", "last_step_after_seconds", d.lastStepAfterSeconds()),
                promoteBy,
                num(root, "", "hold_error_z", d.holdErrorZ()),
                num(root, "", "hold_latency_t", d.holdLatencyT()),
                num(root, "", "escalate_e_value", d.escalateEValue()),
                whole(root, "", "closing_test_seconds", d.closingTestSeconds()),
                num(root, "", "closing_alpha", d.closingAlpha()),
                whole(root, "", "max_no_data_seconds", d.maxNoDataSeconds()),
                h,
                m,
                s,
                q);
    }

    /** Parses a list of {weight, intervals} steps. */
    public static List<CanaryStep> steps(JsonNode node, String where) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(where + ": expected a list of {weight, intervals}");
        }
        var steps = new ArrayList<CanaryStep>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode s = node.get(i);
            JsonNode w = s.get("weight"), n = s.get("intervals");
            if (w == null || !w.isIntegralNumber() || n == null || !n.isIntegralNumber()) {
                throw new IllegalArgumentException(where + "[" + i + "]: needs a whole-number weight (percent, 1..100)"
                        + " and intervals, e.g. {weight: 25, intervals: 18}; got " + s);
            }
            if (!w.canConvertToInt() || !n.canConvertToInt()) {
                throw new IllegalArgumentException(where + "[" + i + "]: weight or intervals out of range: " + s);
            }
            try {
                steps.add(new CanaryStep(w.asInt(), n.asInt()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "[" + i + "]: " + e.getMessage());
            }
        }
        return steps;
    }

    private static JsonNode section(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return YAML.createObjectNode();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(name + ": expected a mapping of keys, got " + n);
        }
        return n;
    }

    /** A number, finite; absent or null keeps {@code fallback}. */
    private static double num(JsonNode node, String path, String field, double fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (Double.isNaN(fallback)) {
                throw new IllegalArgumentException(path + field + ": expected a number, got nothing");
            }
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(path + field + ": expected a number, got " + v);
        }
        return v.asDouble();
    }

    /** Seconds, counts and intervals: a whole number from 0 to {@link #LARGEST}; absent or null keeps the fallback. */
    private static long whole(JsonNode node, String path, String field, long fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        double x = v.isNumber() ? v.asDouble() : Double.NaN;
        if (!v.isNumber() || x != Math.rint(x) || x < 0 || x > LARGEST) {
            throw new IllegalArgumentException(
                    path + field + ": expected a whole number from 0 to " + LARGEST + ", got " + v);
        }
        return (long) x;
    }

    private static void known(JsonNode node, String at, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                String guess = io.harbormaster.engine.policy.Names.closest(k, allowed)
                        .map(c -> " (did you mean '" + c + "'?)")
                        .orElse("");
                throw new IllegalArgumentException(
                        at + k + ": unknown key '" + k + "'" + guess + "; known keys: " + String.join(", ", keys));
            }
        }
    }
}
