package io.harbormaster.engine.canary;

/**
 * What one judge saw for one metric: the values compared, the estimate and interval, the p-value or e-value, and the
 * rule that fired or held. NaN means "not applicable to this judge"; this is what Slack and the audit entry show.
 */
public record Evidence(
        String judge,
        String metric,
        String rule,
        double baseline,
        double canary,
        double estimate,
        double ciLow,
        double ciHigh,
        double pValue,
        double eValue,
        String reason) {

    /** What an {@link #estimate} is, so that each is shown under its own name. */
    public enum EstimateKind {
        /** The canary's value over the baseline's (1.25: 25% higher), with its interval: the sequential judge's. */
        RATIO,
        /**
         * The canary's value less the baseline's in the metric's own units (ms, error rate), with its interval: the
         * Mann-Whitney judge's Hodges-Lehmann estimate.
         */
        SHIFT,
        /** The closing test's z statistic (the error rate's score test): no unit, no interval. */
        Z,
        /** The closing test's t statistic (a latency quantile's growth with the canary's age): no unit, no interval. */
        T,
        /** The Mann-Whitney scorer's score of the step, 0 to 100. */
        SCORE
    }

    /** What {@link #estimate} is: a ratio, a shift in the metric's units, a test statistic or a score. */
    public EstimateKind estimateKind() {
        if (SequentialJudge.JUDGE.equals(judge)) {
            return EstimateKind.RATIO;
        }
        if (ClosingTest.JUDGE.equals(judge)) {
            return ClosingTest.statistic(metric);
        }
        if (MannWhitneyJudge.JUDGE.equals(judge) && CanaryAnalysis.SCORE_METRIC.equals(metric)) {
            return EstimateKind.SCORE;
        }
        return EstimateKind.SHIFT;
    }

    /**
     * Whether {@link #estimate} (and the interval around it) is a ratio, the canary's value over the baseline's (1.25:
     * 25% higher), as the sequential judge's are; otherwise it is a shift in the metric's own units, a statistic or a
     * score ({@link #estimateKind()}).
     */
    public boolean estimateIsRatio() {
        return estimateKind() == EstimateKind.RATIO;
    }

    /** Evidence that carries only a rule and a reason (no statistic), for missing data and hard limits. */
    public static Evidence of(String judge, String metric, String rule, double baseline, double canary, String reason) {
        return new Evidence(
                judge,
                metric,
                rule,
                baseline,
                canary,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                reason);
    }
}
