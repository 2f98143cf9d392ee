package io.harbormaster.engine.canary.bench;

/**
 * One judge's figures on one scenario (BENCHMARKS.md names); NaN where a figure does not apply (false rollbacks of a
 * regressed scenario, time to detect of a healthy one). Times to detect are over the detected runs; the promote
 * median counts runs that were never promoted as infinitely slow.
 */
public record JudgeFigures(
        double falseRollbackRate,
        double detectionRate,
        double ttdMedianS,
        double ttdP95S,
        double ttdVsOracle,
        double promoteMedianS,
        double pauseRate) {

    public JudgeFigures withTtdVsOracle(double ratio) {
        return new JudgeFigures(
                falseRollbackRate, detectionRate, ttdMedianS, ttdP95S, ratio, promoteMedianS, pauseRate);
    }
}
