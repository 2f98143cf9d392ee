package io.harbormaster.engine.canary.bench;

/**
 * One judge's figures on one scenario (BENCHMARKS.md names); NaN where a figure does not apply (false rollbacks of a
 * regressed scenario, time to detect of a healthy one). Times to detect are over the detected runs; the promote
 * median and 90th percentile count runs that were never promoted as infinitely slow. The 90th percentile is not a
 * target: it shows what holding a canary that leans towards a regression costs the healthy ones.
 */
public record JudgeFigures(
        double falseRollbackRate,
        double detectionRate,
        double ttdMedianS,
        double ttdP95S,
        double ttdVsOracle,
        double promoteMedianS,
        double promoteP90S,
        double pauseRate) {

    public JudgeFigures withTtdVsOracle(double ratio) {
        return new JudgeFigures(
                falseRollbackRate, detectionRate, ttdMedianS, ttdP95S, ratio, promoteMedianS, promoteP90S, pauseRate);
    }
}
