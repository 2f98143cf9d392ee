package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An anytime-valid test of "the canary fails more often than the baseline", from per-interval error counts.
 *
 * <p>Conditional on an interval's total errors, the canary's share is binomial with success probability equal to
 * its share of requests when both tracks fail at the same rate. The likelihood ratio of a higher failure ratio r
 * against that is a nonnegative martingale under "no regression" whatever the common rate is (and however it drifts),
 * so by Ville's inequality the mixture over a grid of r crosses 1/alpha with probability at most alpha however often
 * it is looked at. The regression may start after the canary did, so the mixture also runs over the interval tau at
 * which it starts (the prior of {@link ChangePoint}; before tau a term is worth 1): intervals before the onset then
 * do not dilute the evidence. Half the prior goes to regressions that grow after their onset (a ratio rising by a
 * fixed step per interval): each interval's ratio is fixed before the interval is seen, so the product stays a
 * martingale, and a slowly ramping fault, which no single constant ratio fits, is found sooner. A zero-error baseline
 * needs no special case: new canary errors simply push the share towards 1.
 *
 * <p>The promote side tests the opposite way: it grows when the data speak against a meaningful regression, either
 * relative (ratio at least {@code errorRatio}, conditional test as above) or absolute (canary rate at least the
 * baseline's running rate plus {@code errorPoints}, with the baseline rate plugged in), over the whole canary and
 * over its latest intervals alone.
 */
final class ErrorRateEProcess {
    /** The failure ratios of the alternative, canary to baseline. */
    static final double[] RATIOS = {1.5, 2, 3, 5, 10, 100};
    /**
     * Prior weights of the ratios (sum 1). Small ratios get more: their evidence grows slowly, while a large ratio's
     * grows so fast that a smaller weight costs it little time.
     */
    static final double[] RATIO_WEIGHTS = {0.25, 0.25, 0.125, 0.125, 0.125, 0.125};
    /**
     * Growing regressions: from its onset the failure ratio rises by this much per interval (1 + g x intervals since
     * the onset, at most {@link #RAMP_CAP}). A ratio that follows the fault as it grows gathers evidence of a slow
     * ramp sooner than any constant ratio.
     */
    static final double[] RAMP_GROWTH = {0.01, 0.02, 0.04, 0.08};

    static final double RAMP_CAP = 4;
    /** The prior mass on growing regressions; the rest goes to the constant ratios. */
    static final double RAMP_SHARE = 0.5;

    private final double rampShare;

    private final double meaningfulRatio;
    private final double meaningfulPoints;
    private final ChangePoint onsets = new ChangePoint();
    /** Log wealth per onset (index tau - 1) and ratio. */
    private double[][] logWealth = new double[16][];
    /** Log wealth per onset (index tau - 1) and ramp growth. */
    private double[][] logRamp = new double[16][];

    private int observed;
    private double logAgainstRatio;
    private double logAgainstPoints;
    /** Per interval: the log increments of the two promote-side tests. */
    private final List<double[]> promoteSteps = new ArrayList<>();

    /** The spread of the canary's share of errors beyond binomial (bursts): each interval's evidence is divided by it. */
    private final ErrorDispersion dispersion = new ErrorDispersion();

    private boolean binomialOnly;

    private int cachedAt = -1;
    private double cached;
    private double canaryRequests, canaryErrors, baselineRequests, baselineErrors;

    ErrorRateEProcess(double meaningfulRatio, double meaningfulPoints) {
        this(meaningfulRatio, meaningfulPoints, RAMP_SHARE);
    }

    /** @param rampShare the prior mass on growing regressions (0: constant ratios only) */
    ErrorRateEProcess(double meaningfulRatio, double meaningfulPoints, double rampShare) {
        this.meaningfulRatio = meaningfulRatio;
        this.meaningfulPoints = meaningfulPoints;
        this.rampShare = rampShare;
    }

    void observe(double nC, double eC, double nB, double eB) {
        if (nC <= 0 || nB <= 0) {
            return;
        }
        if (observed == logWealth.length) {
            logWealth = Arrays.copyOf(logWealth, 2 * observed);
            logRamp = Arrays.copyOf(logRamp, 2 * observed);
        }
        logWealth[observed] = new double[RATIOS.length];
        logRamp[observed] = new double[RAMP_GROWTH.length];
        double share = nC / (nC + nB);
        // estimated before this interval is seen, so each interval's tempered ratio is fixed before it
        double spread = binomialOnly ? 1 : dispersion.varianceFactor(eC + eB);
        for (int i = 0; i < RATIOS.length; i++) {
            double step = logStep(RATIOS[i], nC, eC, nB, eB, share) / spread;
            for (int k = 0; k <= observed; k++) {
                logWealth[k][i] += step;
            }
        }
        for (int k = 0; k <= observed; k++) {
            int since = observed - k + 1; // intervals since the onset at k, this one included
            for (int j = 0; j < RAMP_GROWTH.length; j++) {
                logRamp[k][j] +=
                        logStep(Math.min(RAMP_CAP, 1 + RAMP_GROWTH[j] * since), nC, eC, nB, eB, share) / spread;
            }
        }
        dispersion.observe(nB, eB);
        observed++;
        double meaningfulShare = meaningfulRatio * nC / (meaningfulRatio * nC + nB);
        double againstRatio =
                eC * Math.log(share / meaningfulShare) + eB * Math.log((1 - share) / (1 - meaningfulShare));

        // absolute side, with the baseline's rate so far (before this interval) as the reference
        double pBase = baselineRequests > 0 ? Math.max(baselineErrors / baselineRequests, 1e-5) : Double.NaN;
        double againstPoints = 0;
        if (Double.isFinite(pBase)) {
            double pBad = pBase + meaningfulPoints;
            againstPoints = eC * Math.log(pBase / pBad) + (nC - eC) * Math.log((1 - pBase) / (1 - pBad));
        }
        logAgainstRatio += againstRatio;
        logAgainstPoints += againstPoints;
        promoteSteps.add(new double[] {againstRatio, againstPoints});
        canaryRequests += nC;
        canaryErrors += eC;
        baselineRequests += nB;
        baselineErrors += eB;
    }

    /**
     * The log likelihood ratio of one interval: the canary's share of the interval's errors under a failure ratio
     * {@code ratio} against its share of requests (no regression).
     */
    private static double logStep(double ratio, double nC, double eC, double nB, double eB, double share) {
        double shifted = ratio * nC / (ratio * nC + nB);
        return eC * Math.log(shifted / share) + eB * Math.log((1 - shifted) / (1 - share));
    }

    /** Evidence for a regression: the mixture's value (an e-value). */
    double eValue() {
        if (cachedAt == observed) {
            return cached;
        }
        double total = 0;
        for (int k = 0; k < observed; k++) {
            double constant = 0;
            for (int i = 0; i < RATIOS.length; i++) {
                constant += RATIO_WEIGHTS[i] * Math.exp(Math.min(logWealth[k][i], 700));
            }
            double growing = 0;
            for (int j = 0; j < RAMP_GROWTH.length; j++) {
                growing += Math.exp(Math.min(logRamp[k][j], 700)) / RAMP_GROWTH.length;
            }
            total += onsets.weight(k + 1) * ((1 - rampShare) * constant + rampShare * growing);
        }
        cached = total + onsets.tailFrom(observed + 1);
        cachedAt = observed;
        return cached;
    }

    /**
     * Evidence against a meaningful regression (an e-value under "the regression is meaningful"), over the whole
     * canary and over its latest {@link LatencyEProcess#RECENT} intervals alone: a regression that is still growing
     * shows there first, and the smaller of the two counts.
     */
    double promoteEValue() {
        double ratio = 0, points = 0;
        for (int i = Math.max(0, promoteSteps.size() - LatencyEProcess.RECENT); i < promoteSteps.size(); i++) {
            ratio += promoteSteps.get(i)[0];
            points += promoteSteps.get(i)[1];
        }
        return Math.min(either(logAgainstRatio, logAgainstPoints), either(ratio, points));
    }

    private static double either(double logRatio, double logPoints) {
        return (Math.exp(Math.min(logRatio, 700)) + Math.exp(Math.min(logPoints, 700))) / 2;
    }

    /** From now on reads counts as binomial, whatever their spread (to compare with the tempered reading). */
    void ignoreDispersion() {
        binomialOnly = true;
    }

    /** Starts the bursts' estimate from the service's earlier canaries (before the first interval). */
    void startFrom(CanaryNoise.Bursts earlier) {
        dispersion.startFrom(earlier);
    }

    /** The bursts this canary's baseline showed, without the history. */
    CanaryNoise.Bursts bursts() {
        return dispersion.own();
    }

    /** The estimated correlation of errors within an interval (0: binomial). */
    double dispersionRho() {
        return dispersion.rho();
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
