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

    /**
     * Whether {@link #estimate} (and the interval around it) is a ratio, the canary's value over the baseline's (1.25:
     * 25% higher), as the sequential judge's are; otherwise it is in the metric's own units (a shift in ms, in error
     * rate) or a statistic.
     */
    public boolean estimateIsRatio() {
        return SequentialJudge.JUDGE.equals(judge);
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
