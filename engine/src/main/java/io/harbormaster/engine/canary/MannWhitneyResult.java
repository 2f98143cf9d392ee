package io.harbormaster.engine.canary;

/**
 * A Mann-Whitney comparison of canary (x) against baseline (y): the statistic W (R's name for U of x), the two-sided
 * p-value with tie and continuity correction, the Hodges-Lehmann shift estimate of x - y and its confidence interval.
 */
public record MannWhitneyResult(
        double w, double pValue, double estimate, double ciLow, double ciHigh, double confidence) {}
