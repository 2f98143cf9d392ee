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
