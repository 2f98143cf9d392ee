package io.harbormaster.engine.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A canary policy as JSON in the keys of a policy file ({@code --policy policy.yml}, a {@code canary:} section of
 * harbormaster.yml), every setting written out, in canonical form (keys sorted, no spaces): the same policy always
 * gives the same text, and so the same {@link #hash}, and the text is a policy file the configuration's parser reads
 * back to the same policy. The scorer's metric groups are not a setting (they are fixed), so they are not written.
 */
public final class CanaryPolicyJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hex digits of a {@link #hash}: 48 bits, plenty to tell the policies of one service's canaries apart. */
    static final int HASH_LENGTH = 12;

    private CanaryPolicyJson() {}

    /** The policy's canonical JSON. */
    public static String write(CanaryPolicy p) {
        var m = new LinkedHashMap<String, Object>();
        m.put("interval_seconds", p.intervalSeconds());
        m.put(
                "steps",
                p.steps().stream()
                        .map(s -> Map.of("weight", s.weight(), "intervals", s.intervals()))
                        .toList());
        m.put("min_step_seconds", p.minStepSeconds());
        m.put("min_promote_seconds", p.minPromoteSeconds());
        m.put("last_step_after_seconds", p.lastStepAfterSeconds());
        m.put("promote_by_seconds", p.promoteBySeconds());
        m.put("hold_error_z", p.holdErrorZ());
        m.put("hold_latency_t", p.holdLatencyT());
        m.put("escalate_e_value", p.escalateEValue());
        m.put("closing_test_seconds", p.closingTestSeconds());
        m.put("closing_alpha", p.closingAlpha());
        m.put("max_no_data_seconds", p.maxNoDataSeconds());
        var h = p.hardTriggers();
        m.put(
                "hard_triggers",
                Map.of(
                        "max_error_rate", h.maxErrorRate(),
                        "error_window_seconds", h.errorWindowSeconds(),
                        "max_p99_ms", h.maxP99Ms(),
                        "p99_window_seconds", h.p99WindowSeconds(),
                        "max_restarts", wholeIfWhole(h.maxRestarts()),
                        "restart_window_seconds", h.restartWindowSeconds(),
                        "min_requests", h.minRequests()));
        var w = p.mannWhitney();
        m.put(
                "mann_whitney",
                Map.of(
                        "tolerance", w.tolerance(),
                        "confidence", w.confidence(),
                        "allowed_increase", w.allowedIncrease(),
                        "allowed_decrease", w.allowedDecrease()));
        var s = p.scoring();
        m.put(
                "scoring",
                Map.of(
                        "group_weights", s.groupWeights(),
                        "critical_metrics", List.copyOf(new TreeSet<>(s.criticalMetrics())),
                        "pass", s.passThreshold(),
                        "marginal", s.marginalThreshold()));
        var q = p.sequential();
        var sequential = new LinkedHashMap<String, Object>();
        sequential.put("alpha", q.alpha());
        sequential.put("promote_alpha", q.promoteAlpha());
        sequential.put("error_ratio", q.errorRatio());
        sequential.put("error_points", q.errorPoints());
        sequential.put("p50_increase", q.p50Increase());
        sequential.put("p99_increase", q.p99Increase());
        sequential.put("warmup_intervals", q.warmupIntervals());
        sequential.put("noise_history", q.noiseHistory());
        sequential.put("stable_noise_minutes", q.stableNoiseMinutes());
        m.put("sequential", sequential);
        return CanonicalJson.of(m);
    }

    /** A whole number as one (a policy file takes {@code max_restarts} only as a whole number). */
    private static Object wholeIfWhole(double v) {
        return v == Math.rint(v) ? (Object) (long) v : v;
    }

    /** A short hash of a policy's JSON ({@link #write}): the first hex digits of its SHA-256. */
    public static String hash(String json) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Reads what {@link #write} wrote. A key it leaves out keeps the default ({@link CanaryPolicy#defaults()}): a
     * setting added in a later version reads as its default from a policy written before it. A key this version does
     * not know, or a value of the wrong kind, is refused ({@link IllegalArgumentException}) rather than dropped: the
     * policy read must be the one written.
     */
    public static CanaryPolicy read(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a stored canary policy is not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a stored canary policy is a JSON object, got " + json);
        }
        var b = PolicyBuilder.defaults();
        b.intervalSeconds = n.path("interval_seconds").asLong(b.intervalSeconds);
        if (n.has("steps")) {
            var steps = new ArrayList<CanaryStep>();
            n.get("steps")
                    .forEach(s -> steps.add(new CanaryStep(
                            s.path("weight").asInt(), s.path("intervals").asInt())));
            b.steps = steps;
        }
        b.minStepSeconds = n.path("min_step_seconds").asLong(b.minStepSeconds);
        b.minPromoteSeconds = n.path("min_promote_seconds").asLong(b.minPromoteSeconds);
        b.lastStepAfterSeconds = n.path("last_step_after_seconds").asLong(b.lastStepAfterSeconds);
        b.promoteBySeconds = n.path("promote_by_seconds").asLong(b.promoteBySeconds);
        b.holdErrorZ = n.path("hold_error_z").asDouble(b.holdErrorZ);
        b.holdLatencyT = n.path("hold_latency_t").asDouble(b.holdLatencyT);
        b.escalateEValue = n.path("escalate_e_value").asDouble(b.escalateEValue);
        b.closingTestSeconds = n.path("closing_test_seconds").asLong(b.closingTestSeconds);
        b.closingAlpha = n.path("closing_alpha").asDouble(b.closingAlpha);
        b.maxNoDataSeconds = n.path("max_no_data_seconds").asLong(b.maxNoDataSeconds);
        var h = n.path("hard_triggers");
        var ht = b.hardTriggers;
        b.hardTriggers = new HardTriggerPolicy(
                h.path("max_error_rate").asDouble(ht.maxErrorRate()),
                h.path("error_window_seconds").asLong(ht.errorWindowSeconds()),
                h.path("max_p99_ms").asDouble(ht.maxP99Ms()),
                h.path("p99_window_seconds").asLong(ht.p99WindowSeconds()),
                h.path("max_restarts").asDouble(ht.maxRestarts()),
                h.path("restart_window_seconds").asLong(ht.restartWindowSeconds()),
                h.path("min_requests").asDouble(ht.minRequests()));
        var w = n.path("mann_whitney");
        var mw = b.mannWhitney;
        b.mannWhitney = new MannWhitneyPolicy(
                w.path("tolerance").asDouble(mw.tolerance()),
                w.path("confidence").asDouble(mw.confidence()),
                w.path("allowed_increase").asDouble(mw.allowedIncrease()),
                w.path("allowed_decrease").asDouble(mw.allowedDecrease()));
        var s = n.path("scoring");
        var sp = b.scoring;
        var weights = new HashMap<String, Double>(sp.groupWeights());
        s.path("group_weights")
                .properties()
                .forEach(e -> weights.put(e.getKey(), e.getValue().asDouble()));
        Set<String> critical = sp.criticalMetrics();
        if (s.has("critical_metrics")) {
            var names = new TreeSet<String>();
            s.get("critical_metrics").forEach(c -> names.add(c.asText()));
            critical = names;
        }
        b.scoring = new ScoringPolicy(
                weights,
                sp.metricGroups(),
                critical,
                s.path("pass").asDouble(sp.passThreshold()),
                s.path("marginal").asDouble(sp.marginalThreshold()));
        var q = n.path("sequential");
        var sq = b.sequential;
        b.sequential = new SequentialPolicy(
                q.path("alpha").asDouble(sq.alpha()),
                q.path("promote_alpha").asDouble(sq.promoteAlpha()),
                q.path("error_ratio").asDouble(sq.errorRatio()),
                q.path("error_points").asDouble(sq.errorPoints()),
                q.path("p50_increase").asDouble(sq.p50Increase()),
                q.path("p99_increase").asDouble(sq.p99Increase()),
                q.path("warmup_intervals").asInt(sq.warmupIntervals()),
                q.path("noise_history").asInt(sq.noiseHistory()),
                q.path("stable_noise_minutes").asInt(sq.stableNoiseMinutes()));
        var policy = b.build();
        // Everything written must read back as written: a key this version does not know, or a value it read as
        // something else, shows as a difference.
        var unread = new ArrayList<String>();
        differences("", n, readTree(write(policy)), unread);
        if (!unread.isEmpty()) {
            throw new IllegalArgumentException("a stored canary policy has what this version does not read: "
                    + String.join(", ", unread) + " (was it written by a later Harbormaster?)");
        }
        return policy;
    }

    /** The paths of {@code given} that {@code understood} does not have, or has with another value. */
    private static void differences(String path, JsonNode given, JsonNode understood, List<String> out) {
        if (given.isObject() && understood.isObject()) {
            given.properties().forEach(e -> {
                var other = understood.get(e.getKey());
                if (other == null) {
                    out.add(path + e.getKey());
                } else {
                    differences(path + e.getKey() + ".", e.getValue(), other, out);
                }
            });
        } else if (!given.equals(understood)
                && !(given.isNumber() && understood.isNumber() && given.asDouble() == understood.asDouble())) {
            out.add(path.isEmpty() ? "the policy" : path.substring(0, path.length() - 1) + ": " + given);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // written by write: always JSON
        }
    }
}
