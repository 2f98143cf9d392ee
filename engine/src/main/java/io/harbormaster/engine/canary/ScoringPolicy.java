package io.harbormaster.engine.canary;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    public ScoringPolicy {
        groupWeights = Map.copyOf(groupWeights);
        metricGroups = Map.copyOf(metricGroups);
        criticalMetrics = Set.copyOf(criticalMetrics);
        double total = 0;
        for (var e : groupWeights.entrySet()) {
            if (!(e.getValue() >= 0) || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(
                        "scoring.group_weights." + e.getKey() + " must be a weight of 0 or more, got " + e.getValue());
            }
            if (!metricGroups.containsValue(e.getKey())) {
                throw new IllegalArgumentException("scoring.group_weights: unknown group '" + e.getKey() + "'; groups: "
                        + String.join(", ", new TreeSet<>(metricGroups.values())));
            }
            total += e.getValue();
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(
                    "scoring.group_weights must give some group a weight above 0, got " + groupWeights);
        }
        for (String metric : criticalMetrics) {
            if (!metricGroups.containsKey(metric)) {
                throw new IllegalArgumentException("scoring.critical_metrics: unknown metric '" + metric
                        + "'; metrics: " + String.join(", ", new TreeSet<>(metricGroups.keySet())));
            }
        }
        if (!(marginalThreshold >= 0 && passThreshold <= 100 && marginalThreshold <= passThreshold)) {
            throw new IllegalArgumentException("scoring thresholds must satisfy 0 <= marginal <= pass <= 100, got pass "
                    + passThreshold + " and marginal " + marginalThreshold);
        }
    }

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
