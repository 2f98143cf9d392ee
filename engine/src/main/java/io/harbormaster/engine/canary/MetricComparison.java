package io.harbormaster.engine.canary;

/** One metric judged by the Mann-Whitney judge: classification, shift estimate, interval, p-value, mean ratio. */
public record MetricComparison(
        String metric,
        Classification classification,
        Direction direction,
        double baselineMean,
        double canaryMean,
        double estimate,
        double ciLow,
        double ciHigh,
        double pValue,
        double effectSize,
        String reason) {

    /** Why there is no mean ratio when the baseline's mean is 0 (and the canary's is not). */
    public static final String BASELINE_MEAN_ZERO = "baseline mean is 0: ratio undefined";

    /**
     * Why {@link #effectSize} (the ratio of the means) has no value, if it has none: a baseline mean of 0 (the ratio
     * is then kept as infinite, for the judge, but has no meaning as a number), or no data on one side.
     */
    public java.util.Optional<String> effectSizeUndefined() {
        if (Double.isFinite(effectSize)) {
            return java.util.Optional.empty();
        }
        if (Double.isNaN(baselineMean) || Double.isNaN(canaryMean)) {
            return java.util.Optional.of(reason);
        }
        return java.util.Optional.of(BASELINE_MEAN_ZERO);
    }

    /** The same comparison as judge evidence. */
    public Evidence toEvidence() {
        return new Evidence(
                MannWhitneyJudge.JUDGE,
                metric,
                "classification " + classification.label(),
                baselineMean,
                canaryMean,
                estimate,
                ciLow,
                ciHigh,
                pValue,
                Double.NaN,
                reason);
    }
}
