package io.harbormaster.engine.canary;

/**
 * An anytime-valid test of "the canary is slower", from per-interval quantiles (p50 or p99) of both tracks.
 *
 * <p>Each interval gives the difference of log quantiles, scaled by sqrt(nC nB / (nC + nB)) so that its spread does
 * not depend on the traffic step. With unknown spread, the Bayes factor of a t-test with a normal prior on the
 * standardized effect (and the scale-invariant prior on the spread) is a test martingale for the scale-invariant
 * part of the data (Perez-Ortiz, Lardy, de Heide and Grunwald, "E-statistics, group invariance and anytime valid
 * testing"), so the mixture over a few prior widths may be checked after every interval. Assumption, measured in
 * the benchmark: the scaled log differences are close to normal with a constant spread.
 *
 * <p>The promote side runs the same test on the differences minus the meaningful shift log(1 + increase): it grows
 * when the canary is clearly less slow than "meaningfully slower".
 */
final class LatencyEProcess {
    private static final double[] PRIOR_VARIANCES = {0.5, 2, 8, 32};
    /** Keeps identical readings (a quiet p99) from looking infinitely precise. */
    private static final double MIN_VARIANCE = 1e-4;

    /**
     * The regression test is restarted every {@code START_EVERY} intervals up to {@code STARTS} times and the copies
     * averaged: a fault that begins after the canary started is then not diluted by the healthy intervals before it.
     * Each copy is a test martingale from its start (worth 1 before), so the average is one too.
     */
    static final int STARTS = 6;

    static final int START_EVERY = 2;

    private final double meaningfulShift;
    private final Moments regression = new Moments();
    private final Moments[] late = new Moments[STARTS - 1];
    private int observed;
    private final Moments belowMeaningful = new Moments();
    private double lastDifference = Double.NaN;
    private double sumDifferences;

    LatencyEProcess(double meaningfulIncrease) {
        this.meaningfulShift = Math.log1p(meaningfulIncrease);
    }

    void observe(double baselineMs, double canaryMs, double nB, double nC) {
        if (!(baselineMs > 0) || !(canaryMs > 0) || !(nB > 0) || !(nC > 0)) {
            return;
        }
        double d = Math.log(canaryMs) - Math.log(baselineMs);
        double scale = Math.sqrt(nC * nB / (nC + nB));
        regression.add(d * scale);
        for (int k = 0; k < late.length; k++) {
            if (observed >= (k + 1) * START_EVERY) {
                if (late[k] == null) {
                    late[k] = new Moments();
                }
                late[k].add(d * scale);
            }
        }
        observed++;
        belowMeaningful.add((d - meaningfulShift) * scale);
        lastDifference = d;
        sumDifferences += d;
    }

    /** Evidence that the canary is slower; 0 when the canary is, on the whole, faster. */
    double eValue() {
        double total = oneSided(regression);
        for (Moments m : late) {
            total += m == null ? 1.0 : oneSided(m);
        }
        return total / STARTS;
    }

    /** The Bayes factor when the data point to "slower", else 0 (dominated by the martingale, so still valid). */
    private static double oneSided(Moments m) {
        return m.mean() > 0 ? m.bayesFactor() : 0.0;
    }

    /** Evidence that the canary is less slow than meaningfully slower. */
    double promoteEValue() {
        return belowMeaningful.mean() < 0 ? belowMeaningful.bayesFactor() : 0.0;
    }

    int count() {
        return regression.n;
    }

    /** The estimated ratio canary / baseline (geometric mean of the per-interval ratios, unweighted). */
    double ratioEstimate() {
        return regression.n == 0 ? Double.NaN : Math.exp(sumDifferences / regression.n);
    }

    double lastDifference() {
        return lastDifference;
    }

    /** Running sums for the t statistic. */
    private static final class Moments {
        int n;
        double sum, sumSquares;

        void add(double v) {
            n++;
            sum += v;
            sumSquares += v * v;
        }

        double mean() {
            return n == 0 ? 0 : sum / n;
        }

        double bayesFactor() {
            if (n < 2) {
                return 1.0;
            }
            double mean = sum / n;
            double variance = Math.max((sumSquares - n * mean * mean) / (n - 1), MIN_VARIANCE);
            double t2 = n * mean * mean / variance;
            double nu = n - 1;
            double total = 0;
            for (double g : PRIOR_VARIANCES) {
                double logBf = -0.5 * Math.log1p(n * g)
                        + (n / 2.0) * (Math.log1p(t2 / nu) - Math.log1p(t2 / (nu * (1 + n * g))));
                total += Math.exp(Math.min(logBf, 700));
            }
            return total / PRIOR_VARIANCES.length;
        }
    }
}
