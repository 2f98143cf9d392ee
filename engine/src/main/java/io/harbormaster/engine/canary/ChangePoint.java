package io.harbormaster.engine.canary;

/**
 * The prior over the interval at which a regression starts, shared by the sequential tests: tau = 1, 2, ... (counted
 * in intervals the test has used) with weight (A + 1) / ((tau + A) (tau + A + 1)). It sums to 1 over all tau, so a
 * mixture of test martingales started at each tau, with a start not reached yet worth 1, is again a test martingale.
 * The tail is heavy (a fault 50 intervals in still has weight about 1/500): a regression may start late, but most
 * start with the canary, so early onsets are cheaper.
 */
final class ChangePoint {
    /** The offset A: the first tau has weight (A + 1) / ((A + 1)(A + 2)) = 1/7. */
    static final double OFFSET = 5;

    /** Prior weight of the onset at tau (1-based). */
    double weight(int tau) {
        return (OFFSET + 1) / ((tau + OFFSET) * (tau + OFFSET + 1));
    }

    /** Total weight of the onsets at tau and later. */
    double tailFrom(int tau) {
        return (OFFSET + 1) / (tau + OFFSET);
    }
}
