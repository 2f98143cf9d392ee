package io.harbormaster.engine.canary;

import java.util.Map;
import java.util.Set;

/**
 * How classifications become a score (Kayenta's scorer): group weights, the metrics that fail the canary on their
 * own, and the pass and marginal thresholds out of 100.
 */
public record ScoringPolicy(
        Map<String, Double> groupWeights,
        Map<String, String> metricGroups,
        Set<String> criticalMetrics,
        double passThreshold,
        double marginalThreshold) {

    /** Errors and latency weigh the same; the error rate is critical; pass at 95, marginal at 75. */
    public static ScoringPolicy defaults() {
        return new ScoringPolicy(
                Map.of("errors", 50.0, "latency", 50.0),
                Map.of("error_rate", "errors", "p50_ms", "latency", "p99_ms", "latency"),
                Set.of("error_rate"),
                95,
                75);
    }
}
