package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kayenta's scorer as a pure function: per group, the share of metrics that passed, weighted by the group's weight;
 * Nodata metrics do not count; a critical metric that is High or Low fails the canary whatever the score.
 */
public final class CanaryScorer {
    private CanaryScorer() {}

    /** Scores one set of classifications. */
    public static CanaryScore score(List<MetricComparison> comparisons, ScoringPolicy policy) {
        Map<String, int[]> groups = new LinkedHashMap<>(); // group -> {passed, counted}
        List<String> criticalFailures = new ArrayList<>();
        for (MetricComparison c : comparisons) {
            if (c.classification() == Classification.NODATA) {
                continue;
            }
            String group = policy.metricGroups().getOrDefault(c.metric(), c.metric());
            int[] counts = groups.computeIfAbsent(group, g -> new int[2]);
            counts[1]++;
            if (c.classification() == Classification.PASS) {
                counts[0]++;
            } else if (policy.criticalMetrics().contains(c.metric())) {
                criticalFailures.add(c.metric());
            }
        }
        if (groups.isEmpty()) {
            return new CanaryScore(Double.NaN, CanaryScore.Outcome.NODATA, List.of(), "no metric had data");
        }
        double weighted = 0, totalWeight = 0;
        for (var e : groups.entrySet()) {
            double w = policy.groupWeights().getOrDefault(e.getKey(), 1.0);
            weighted += w * e.getValue()[0] / e.getValue()[1];
            totalWeight += w;
        }
        double score = 100 * weighted / totalWeight;
        CanaryScore.Outcome outcome;
        if (!criticalFailures.isEmpty() || score < policy.marginalThreshold()) {
            outcome = CanaryScore.Outcome.FAIL;
        } else if (score < policy.passThreshold()) {
            outcome = CanaryScore.Outcome.MARGINAL;
        } else {
            outcome = CanaryScore.Outcome.PASS;
        }
        String reason = String.format(
                Locale.ROOT,
                "score %.1f (pass %.0f, marginal %.0f)%s",
                score,
                policy.passThreshold(),
                policy.marginalThreshold(),
                criticalFailures.isEmpty() ? "" : ", critical metric failed: " + String.join(", ", criticalFailures));
        return new CanaryScore(score, outcome, List.copyOf(criticalFailures), reason);
    }
}
