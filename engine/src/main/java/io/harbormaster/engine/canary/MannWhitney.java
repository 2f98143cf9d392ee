package io.harbormaster.engine.canary;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The two-sample Wilcoxon/Mann-Whitney test with the normal approximation, tie and continuity correction, and the
 * Hodges-Lehmann shift estimate with its confidence interval, computed the way R's
 * {@code wilcox.test(x, y, conf.int = TRUE, exact = FALSE)} does: the interval ends and the estimate are roots of the
 * standardized statistic as a function of the shift, found to within 1e-4. Commons Math gives U and p only.
 */
public final class MannWhitney {
    /** R's uniroot tolerance for the interval and the estimate. */
    static final double ROOT_TOLERANCE = 1e-4;

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private MannWhitney() {}

    /**
     * Compares {@code canary} (x) with {@code baseline} (y) at the given two-sided confidence level.
     *
     * <p>When each sample is constant (and they differ) R stops, since at the shift between them every value ties;
     * here the estimate and both ends of the interval are that shift, the one pairwise difference there is.
     *
     * @throws IllegalArgumentException when a sample is empty or every observation is tied (no interval exists)
     */
    public static MannWhitneyResult test(double[] canary, double[] baseline, double confidence) {
        if (canary.length == 0 || baseline.length == 0) {
            throw new IllegalArgumentException("Mann-Whitney needs at least one observation on each side");
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be between 0 and 1, got " + confidence);
        }
        double[] x = canary.clone();
        double[] y = baseline.clone();

        Standardized atZero = standardized(x, y, 0.0, true);
        double z = atZero.z();
        double pValue = 2 * Math.min(NORMAL.cumulativeProbability(z), 1 - NORMAL.cumulativeProbability(z));
        double w = atZero.w();

        double muMin = min(x) - max(y);
        double muMax = max(x) - min(y);
        if (muMin == muMax) {
            // each sample is constant (a quantised metric that did not move): every pairwise difference is the same,
            // so that is the estimate and the whole interval. R stops here (at that shift every value ties); a canary
            // analysis must not.
            return new MannWhitneyResult(w, Math.min(1.0, pValue), muMin, muMin, muMin, confidence);
        }
        double alpha = 1 - confidence;
        double zq = NORMAL.inverseCumulativeProbability(1 - alpha / 2);
        double lo = root(x, y, muMin, muMax, zq, true);
        double hi = root(x, y, muMin, muMax, -zq, true);
        // the estimate: where the uncorrected statistic crosses zero (R drops the continuity correction here)
        double fLo = standardized(x, y, muMin, false).z();
        double fHi = standardized(x, y, muMax, false).z();
        double estimate = fLo * fHi > 0
                ? (fLo <= 0 ? muMin : muMax)
                : BrentRoot.solve(d -> standardized(x, y, d, false).z(), muMin, muMax, fLo, fHi, ROOT_TOLERANCE);
        return new MannWhitneyResult(w, Math.min(1.0, pValue), estimate, lo, hi, confidence);
    }

    private static double root(double[] x, double[] y, double muMin, double muMax, double zq, boolean correct) {
        double fLower = standardized(x, y, muMin, correct).z() - zq;
        double fUpper = standardized(x, y, muMax, correct).z() - zq;
        // extreme samples: the interval reaches the range of possible shifts
        if (fLower <= 0) {
            return muMin;
        }
        if (fUpper >= 0) {
            return muMax;
        }
        return BrentRoot.solve(
                d -> standardized(x, y, d, correct).z() - zq, muMin, muMax, fLower, fUpper, ROOT_TOLERANCE);
    }

    /** W of (x - shift) against y, and its standardized value with tie correction (and continuity correction). */
    static Standardized standardized(double[] x, double[] y, double shift, boolean correct) {
        int nx = x.length, ny = y.length, n = nx + ny;
        double[] values = new double[n];
        for (int i = 0; i < nx; i++) {
            values[i] = x[i] - shift;
        }
        System.arraycopy(y, 0, values, nx, ny);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        double tieSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double rank = (i + j + 2) / 2.0; // average of ranks i+1 .. j+1
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            double t = j - i + 1;
            tieSum += t * t * t - t;
            i = j + 1;
        }
        double rankSumX = 0;
        for (int i = 0; i < nx; i++) {
            rankSumX += ranks[i];
        }
        double w = rankSumX - nx * (nx + 1) / 2.0;
        double dz = w - nx * (double) ny / 2.0;
        double sigma = Math.sqrt((nx * (double) ny / 12.0) * ((n + 1) - tieSum / ((double) n * (n - 1))));
        double correction = correct ? Math.signum(dz) * 0.5 : 0.0;
        if (sigma == 0) {
            throw new IllegalArgumentException("cannot compare samples in which every observation is tied");
        }
        return new Standardized(w, (dz - correction) / sigma);
    }

    record Standardized(double w, double z) {}

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }
}
