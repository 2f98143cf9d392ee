package io.harbormaster.engine.canary;

/**
 * An anytime-valid test of "the canary fails more often than the baseline", from per-interval error counts.
 *
 * <p>Conditional on an interval's total errors, the canary's share is binomial with success probability equal to
 * its share of requests when both tracks fail at the same rate. The likelihood ratio of a higher failure ratio r
 * against that is a nonnegative martingale under "no regression" whatever the common rate is (and however it drifts),
 * so by Ville's inequality the mixture over a grid of r crosses 1/alpha with probability at most alpha however often
 * it is looked at. A zero-error baseline needs no special case: new canary errors simply push the share towards 1.
 *
 * <p>The promote side tests the opposite way: it grows when the data speak against a meaningful regression, either
 * relative (ratio at least {@code errorRatio}, conditional test as above) or absolute (canary rate at least the
 * baseline's running rate plus {@code errorPoints}, with the baseline rate plugged in).
 */
final class ErrorRateEProcess {
    private static final double[] RATIOS = {1.5, 2, 3, 5, 10, 100};

    private final double meaningfulRatio;
    private final double meaningfulPoints;
    /** Copies started every {@code START_EVERY} intervals, averaged, as in {@link LatencyEProcess}. */
    private static final int STARTS = 6;

    private static final int START_EVERY = 2;

    private final double[][] logWealth = new double[STARTS][RATIOS.length];
    private int observed;
    private double logAgainstRatio;
    private double logAgainstPoints;
    private double canaryRequests, canaryErrors, baselineRequests, baselineErrors;

    ErrorRateEProcess(double meaningfulRatio, double meaningfulPoints) {
        this.meaningfulRatio = meaningfulRatio;
        this.meaningfulPoints = meaningfulPoints;
    }

    void observe(double nC, double eC, double nB, double eB) {
        if (nC <= 0 || nB <= 0) {
            return;
        }
        double share = nC / (nC + nB);
        for (int i = 0; i < RATIOS.length; i++) {
            double shifted = RATIOS[i] * nC / (RATIOS[i] * nC + nB);
            double step = eC * Math.log(shifted / share) + eB * Math.log((1 - shifted) / (1 - share));
            for (int k = 0; k < STARTS; k++) {
                if (observed >= k * START_EVERY) {
                    logWealth[k][i] += step;
                }
            }
        }
        observed++;
        double meaningfulShare = meaningfulRatio * nC / (meaningfulRatio * nC + nB);
        logAgainstRatio += eC * Math.log(share / meaningfulShare) + eB * Math.log((1 - share) / (1 - meaningfulShare));

        // absolute side, with the baseline's rate so far (before this interval) as the reference
        double pBase = baselineRequests > 0 ? Math.max(baselineErrors / baselineRequests, 1e-5) : Double.NaN;
        if (Double.isFinite(pBase)) {
            double pBad = pBase + meaningfulPoints;
            logAgainstPoints += eC * Math.log(pBase / pBad) + (nC - eC) * Math.log((1 - pBase) / (1 - pBad));
        }
        canaryRequests += nC;
        canaryErrors += eC;
        baselineRequests += nB;
        baselineErrors += eB;
    }

    /** Evidence for a regression: the mixture's value (an e-value). */
    double eValue() {
        double sum = 0;
        for (double[] start : logWealth) {
            for (double w : start) {
                sum += Math.exp(Math.min(w, 700)); // a copy not yet started is worth exp(0) = 1
            }
        }
        return sum / (RATIOS.length * STARTS);
    }

    /** Evidence against a meaningful regression (an e-value under "the regression is meaningful"). */
    double promoteEValue() {
        return (Math.exp(Math.min(logAgainstRatio, 700)) + Math.exp(Math.min(logAgainstPoints, 700))) / 2;
    }

    double canaryRate() {
        return canaryRequests > 0 ? canaryErrors / canaryRequests : Double.NaN;
    }

    double baselineRate() {
        return baselineRequests > 0 ? baselineErrors / baselineRequests : Double.NaN;
    }

    double canaryErrors() {
        return canaryErrors;
    }

    double baselineErrors() {
        return baselineErrors;
    }
}
