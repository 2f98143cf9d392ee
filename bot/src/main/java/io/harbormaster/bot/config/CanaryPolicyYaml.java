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
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy " + file + ": " + e.getMessage());
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
        for (String[] renamed : RENAMED) {
            if (root.has(renamed[0])) {
                throw new IllegalArgumentException(at + renamed[0] + " is gone: " + renamed[1]);
            }
        }
        known(
                root,
                at,
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
        List<CanaryStep> steps = root.has("steps") ? steps(root.get("steps"), at + "steps") : d.steps();

        HardTriggerPolicy h = d.hardTriggers();
        JsonNode hn = section(root, "hard_triggers", at);
        known(
                hn,
                at + "hard_triggers.",
                "max_error_rate",
                "error_window_seconds",
                "max_p99_ms",
                "p99_window_seconds",
                "max_restarts",
                "restart_window_seconds",
                "min_requests");
        h = new HardTriggerPolicy(
                num(hn, "max_error_rate", h.maxErrorRate(), at),
                (long) num(hn, "error_window_seconds", h.errorWindowSeconds(), at),
                num(hn, "max_p99_ms", h.maxP99Ms(), at),
                (long) num(hn, "p99_window_seconds", h.p99WindowSeconds(), at),
                num(hn, "max_restarts", h.maxRestarts(), at),
                (long) num(hn, "restart_window_seconds", h.restartWindowSeconds(), at),
                num(hn, "min_requests", h.minRequests(), at));

        MannWhitneyPolicy m = d.mannWhitney();
        JsonNode mn = section(root, "mann_whitney", at);
        known(mn, at + "mann_whitney.", "tolerance", "confidence", "allowed_increase", "allowed_decrease");
        ScoringPolicy s = d.scoring();
        JsonNode sn = section(root, "scoring", at);
        known(sn, at + "scoring.", "pass", "marginal", "critical_metrics", "group_weights");
        SequentialPolicy q = d.sequential();
        JsonNode qn = section(root, "sequential", at);
        known(
                qn,
                at + "sequential.",
                "alpha",
                "promote_alpha",
                "error_ratio",
                "error_points",
                "p50_increase",
                "p99_increase",
                "warmup_intervals");
        try {
            m = new MannWhitneyPolicy(
                    num(mn, "tolerance", m.tolerance(), at),
                    num(mn, "confidence", m.confidence(), at),
                    num(mn, "allowed_increase", m.allowedIncrease(), at),
                    num(mn, "allowed_decrease", m.allowedDecrease(), at));
            Set<String> critical = s.criticalMetrics();
            if (sn.has("critical_metrics")) {
                var list = new ArrayList<String>();
                sn.get("critical_metrics").forEach(n -> list.add(n.asText()));
                critical = Set.copyOf(list);
            }
            var weights = new java.util.HashMap<>(s.groupWeights());
            if (sn.has("group_weights")) {
                sn.get("group_weights")
                        .fields()
                        .forEachRemaining(
                                e -> weights.put(e.getKey(), e.getValue().asDouble()));
            }
            s = new ScoringPolicy(
                    weights,
                    s.metricGroups(),
                    critical,
                    num(sn, "pass", s.passThreshold(), at),
                    num(sn, "marginal", s.marginalThreshold(), at));
            q = new SequentialPolicy(
                    num(qn, "alpha", q.alpha(), at),
                    num(qn, "promote_alpha", q.promoteAlpha(), at),
                    num(qn, "error_ratio", q.errorRatio(), at),
                    num(qn, "error_points", q.errorPoints(), at),
                    num(qn, "p50_increase", q.p50Increase(), at),
                    num(qn, "p99_increase", q.p99Increase(), at),
                    (int) num(qn, "warmup_intervals", q.warmupIntervals(), at));
            long minPromote = (long) num(root, "min_promote_seconds", d.minPromoteSeconds(), at);
            // Unset, promote_by follows a raised bake time; set, it cannot come before it (0 is not "off").
            long promoteBy = (long) num(root, "promote_by_seconds", Math.max(d.promoteBySeconds(), minPromote), at);
            if (promoteBy >= 0 && promoteBy < minPromote) { // a negative one is refused below, as such
                throw new IllegalArgumentException("promote_by_seconds (" + promoteBy + ") comes before"
                        + " min_promote_seconds (" + minPromote + "): no canary is promoted before the bake time;"
                        + " give promote_by_seconds " + minPromote + " or more");
            }
            return new CanaryPolicy(
                    (long) num(root, "interval_seconds", d.intervalSeconds(), at),
                    steps,
                    (long) num(root, "min_step_seconds", d.minStepSeconds(), at),
                    minPromote,
                    (long) num(root, "last_step_after_seconds", d.lastStepAfterSeconds(), at),
                    promoteBy,
                    num(root, "hold_error_z", d.holdErrorZ(), at),
                    num(root, "hold_latency_t", d.holdLatencyT(), at),
                    num(root, "escalate_e_value", d.escalateEValue(), at),
                    (long) num(root, "closing_test_seconds", d.closingTestSeconds(), at),
                    num(root, "closing_alpha", d.closingAlpha(), at),
                    (long) num(root, "max_no_data_seconds", d.maxNoDataSeconds(), at),
                    h,
                    m,
                    s,
                    q);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + e.getMessage());
        }
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
            if (w == null || !w.isNumber() || n == null || !n.isNumber()) {
                throw new IllegalArgumentException(where + "[" + i + "]: needs numeric weight (percent) and intervals");
            }
            try {
                steps.add(new CanaryStep(w.asInt(), n.asInt()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "[" + i + "]: " + e.getMessage());
            }
        }
        return steps;
    }

    private static JsonNode section(JsonNode root, String name, String at) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return YAML.createObjectNode();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(at + name + ": expected a mapping");
        }
        return n;
    }

    private static double num(JsonNode node, String field, double fallback, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(at + field + ": expected a number, got " + v);
        }
        return v.asDouble();
    }

    private static void known(JsonNode node, String at, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(
                        at + "unknown key '" + k + "'; known keys: " + String.join(", ", keys));
            }
        }
    }
}
