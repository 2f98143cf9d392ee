package io.harbormaster.engine.canary;

import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * Idealised latency judges, for the benchmark: how fast a p50 shift could be proved by a judge that knows more than
 * ours does, on the same readings and with the same whitening (see {@link LatencyEProcess}). Each knows the fault's
 * onset; the first also knows the shift's size in units of the noise, but not the noise level itself. They show where
 * our judge's time goes: into not knowing the noise level, the shift's size or its onset.
 *
 * <ul>
 *   <li>{@link Judge#KNOWN_SHIFT}: the likelihood ratio of the scale-invariant part of the readings for the true
 *       standardised shift (the best test there is that does not know the noise level), at a threshold.
 *   <li>{@link Judge#KNOWN_ONSET}: our mixture over shift sizes (with the half-normal's factor 2), onset known.
 *   <li>{@link Judge#OURS}: our p50 e-process as it is, mixing over onsets too.
 * </ul>
 */
public final class LatencyLimits {
    /** The idealised judges, from the one that knows most to ours. */
    public enum Judge {
        KNOWN_SHIFT,
        KNOWN_ONSET,
        OURS
    }

    /** Points of the integral over the noise scale. */
    private static final int POINTS = 4000;

    private LatencyLimits() {}

    /** The threshold our p50 judge rolls back at by default: its share of the sequential judge's alpha. */
    public static double p50Threshold() {
        return 1 / SequentialPolicy.defaults().latencyAlpha();
    }

    /**
     * The time (end of the interval, seconds from the canary's start) at which {@code judge} proves the canary's p50
     * slower at {@code threshold} (an e-value or likelihood ratio), or -1 if it never does. The first interval is
     * skipped, as the sequential judge skips its warm-up; {@code onset} is the index of the first interval with the
     * fault, {@code shift} its size in units of the per-request noise (only {@link Judge#KNOWN_SHIFT} reads it).
     */
    public static long provedAt(
            Judge judge, List<IntervalSample> stream, long intervalSeconds, int onset, double shift, double threshold) {
        var process = new LatencyEProcess(0.10);
        double log = Math.log(threshold);
        for (int i = 1; i < stream.size(); i++) {
            IntervalSample s = stream.get(i);
            process.observe(
                    s.baseline().p50Ms(),
                    s.canary().p50Ms(),
                    s.baseline().requests(),
                    s.canary().requests());
            long end = s.t() + intervalSeconds;
            if (judge == Judge.OURS) {
                if (process.eValue() >= threshold) {
                    return end;
                }
                continue;
            }
            int k = Math.max(0, onset - 1); // observations start at the second interval
            if (i < onset || k >= process.count()) {
                continue;
            }
            double[] st = process.statisticsFrom(k);
            int n = (int) st[0];
            double u = st[1], t = st[2], squares = st[3];
            double evidence = judge == Judge.KNOWN_SHIFT
                    ? invariantLogRatio(n, shift, u, t, squares)
                    : t > 0 ? Math.log(2 * LatencyEProcess.mixture(n, u, t, squares)) : 0;
            if (evidence >= log) {
                return end;
            }
        }
        return -1;
    }

    /**
     * The log likelihood ratio of the maximal scale-invariant statistic of n whitened values for a shift of
     * {@code delta} noise units with weight u, sum t and sum of squares s: the ratio of the integrals over the scale
     * lambda of lambda^(n-1) exp(-|lambda x - delta c|^2 / 2), with and without the shift.
     */
    static double invariantLogRatio(int n, double delta, double u, double t, double s) {
        if (n < 1 || !(s > 0)) {
            return 0;
        }
        // without the shift the integral is 2^(n/2 - 1) Gamma(n/2)
        double unshifted = (n / 2.0 - 1) * Math.log(2) + Gamma.logGamma(n / 2.0);
        return logIntegral(n, delta * t / Math.sqrt(s), delta * delta * u) - unshifted;
    }

    /** log of the integral over v > 0 of v^(n-1) exp(-(v^2 - 2 b v + c) / 2), by the midpoint rule. */
    static double logIntegral(int n, double b, double c) {
        double top = Math.max(b, 0) + Math.sqrt(n) + 40;
        double h = top / POINTS;
        double[] logs = new double[POINTS];
        double largest = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < POINTS; i++) {
            double v = (i + 0.5) * h;
            logs[i] = (n - 1) * Math.log(v) - (v * v - 2 * b * v + c) / 2;
            largest = Math.max(largest, logs[i]);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - largest);
        }
        return largest + Math.log(sum * h);
    }
}
