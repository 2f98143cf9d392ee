package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.Arrays;
import org.apache.commons.math3.distribution.FDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * An anytime-valid test of "the canary is slower", from per-interval quantiles (p50 or p99) of both tracks.
 *
 * <p>Each interval gives the difference of log quantiles d, whose variance under "same distribution" is
 * sigma^2 (1/nC + 1/nB) with an unknown sigma. The alternative is a shift of d by mu from an unknown interval tau on
 * (a fault may start after the canary did). Whitened, x = d / sqrt(1/nC + 1/nB) is N(0, sigma^2) under the null and
 * N(mu a, sigma^2) from tau on, a = 1 / sqrt(1/nC + 1/nB). With the scale-invariant prior 1/sigma on sigma and a
 * normal prior on mu / sigma, the Bayes factor has a closed form; it is the likelihood ratio of the scale-invariant
 * part of the data and so a test martingale under the null whatever sigma is (Perez-Ortiz, Lardy, de Heide and
 * Grunwald, "E-statistics, group invariance and anytime valid testing"). The mixture over onsets tau (a proper,
 * heavy-tailed prior, see {@link ChangePoint}) and over a few prior widths is one too, so it may be checked after
 * every interval. Intervals before the onset still estimate sigma, so a fault that starts late is judged against
 * the noise level of the whole canary, not just of the few intervals since it began.
 *
 * <p>Only evidence for "slower" counts: each term is kept only when its own estimate points upwards, which can only
 * lower the value, so Ville's inequality still bounds the false-alarm probability. A small floor on the variance
 * (relative resolution {@link #RESOLUTION} of a latency reading) keeps identical, quantised readings from looking
 * infinitely precise; it too can only lower the value.
 *
 * <p>The promote side is the same test with tau at the first interval on d minus the meaningful shift
 * log(1 + increase): it grows when the canary is clearly less slow than "meaningfully slower", over the whole canary
 * and over its most recent {@link #RECENT} intervals (a regression that is still growing shows there first).
 *
 * <p>A history ({@link CanaryNoise.Reading}) of the service's earlier canaries counts as values observed before this
 * canary began: the noise level is then known from the first interval, when a scale-invariant test would still be
 * learning it (the Bayes factor of those values alone is 1, so the process still starts at 1). That holds while the
 * noise is what it was; a canary whose own readings are clearly noisier than its history (within-track changes from
 * one interval to the next, free of any shift between the tracks, against an F quantile at {@link #HISTORY_CHECK})
 * drops the history for good and goes on with its own data. Until the check catches it, a service that became
 * noisier than its history says is judged as if its noise were the history's (LatencyNoiseHistoryTest measures what
 * that costs).
 *
 * <p>Assumption, measured in the benchmark and in the tests: the whitened log differences are close to normal with
 * a constant spread.
 */
final class LatencyEProcess {
    /** Prior variances of mu / sigma, from a 1%-of-the-noise shift to one far larger than it. */
    static final double[] PRIOR_VARIANCES = {0.01, 0.04, 0.16, 0.64, 2.56};
    /** Their weights (sum 1): small shifts get more, as their evidence grows slowly (see {@link ErrorRateEProcess}). */
    static final double[] PRIOR_WEIGHTS = {0.25, 0.25, 0.25, 0.125, 0.125};
    /** Relative resolution of one latency reading (log units) added to the variance. */
    static final double RESOLUTION = 0.01;
    /** How many of the latest intervals the promote side also checks on their own. */
    static final int RECENT = 6;
    /** Level contrasts are taken within blocks of this many intervals (a minute): the shared level may drift. */
    static final int BLOCK = 6;
    /** The history is dropped when the canary's own noise is above this quantile of its range under the history. */
    static final double HISTORY_CHECK = 0.95;
    /**
     * A canary's noise is kept for later ones only with at least this many values, and only when its readings were
     * not mostly the resolution floor (identical, quantised readings at low traffic say nothing of the noise).
     */
    static final int MIN_RECORDED = 10;

    private final double meaningfulShift;
    private final ChangePoint onsets = new ChangePoint();
    private final ArrayList<double[]> observations = new ArrayList<>();
    /** Per onset tau (index tau - 1): the shift's weight u and the shift sum t over the data it may shift. */
    private double[] weightFrom = new double[16];

    private double[] sumFrom = new double[16];
    /** Sum of squares of every whitened value (differences and level contrasts), with the resolution floor. */
    private double sumSquares;
    /** Whitened values in all: one difference per interval, one level contrast per interval after a block's first. */
    private int dof;
    /** The part of {@link #sumSquares} that is the resolution floor (it depends on the traffic, not on the noise). */
    private double floorSquares;
    /**
     * The level contrasts of disjoint pairs of intervals (squares with the resolution floor, and how many), for the
     * promote side: noise whatever the shift.
     */
    private double contrastSquares;

    private int contrasts;
    /** The history: values seen before this canary, and their squares; zero once dropped. */
    private CanaryNoise.Reading history;
    /**
     * Both tracks' changes from one interval with data to the next, whitened: noise whatever the shift (but for the
     * canary's change at a fault's onset, its largest, which is left out). Their squares, the largest of the canary's,
     * and how many.
     */
    private double changeSquares;

    private double largestCanaryChange;
    private int changes;

    private double lastCanaryLog = Double.NaN;
    private double lastBaselineLog;
    private double lastCanaryRequests;
    private double lastBaselineRequests;

    /** The current block's levels, for the level contrasts. */
    private final LevelBlock block = new LevelBlock();

    private double pendingLevel = Double.NaN;
    private double pendingRequests;
    private double sumDifferences;
    private double sumWeights;
    /** The log quantiles of each track, weighted as the differences are: the levels the ratio is the quotient of. */
    private double sumCanaryLogs;

    private double sumBaselineLogs;
    private int cachedAt = -1;
    private double cached;

    LatencyEProcess(double meaningfulIncrease) {
        this(meaningfulIncrease, CanaryNoise.Reading.NONE);
    }

    /** With the noise of the service's earlier canaries (already capped to what it should weigh). */
    LatencyEProcess(double meaningfulIncrease, CanaryNoise.Reading history) {
        this.meaningfulShift = Math.log1p(meaningfulIncrease);
        this.history = history;
    }

    /**
     * Takes one interval. Besides the difference d, the request-weighted level of both tracks is used: under the null
     * it is independent of d (same sigma on both tracks) and carries whatever drift both share. Within blocks of
     * {@link #BLOCK} consecutive intervals (a minute, over which the shared level barely drifts), each level after the
     * block's first is contrasted with the request-weighted mean of the block's earlier levels (weighted Helmert
     * contrasts): under a constant level these are independent of each other and of every d, so a block of m
     * intervals measures sigma m - 1 more times (disjoint pairs, as before, gave m / 2). That matters most early,
     * when a scale-invariant test has few values to learn sigma from. Under the alternative the canary's shift moves
     * a level by its share of the requests; that enters the model like the shift of d does (the coefficient for an
     * onset is this interval's share minus that of the earlier intervals it moves), so a contrast that spans the
     * onset is evidence, not noise. The promote side keeps disjoint pairs, as noise whatever the shift.
     */
    void observe(double baselineMs, double canaryMs, double nB, double nC) {
        if (!(baselineMs > 0) || !(canaryMs > 0) || !(nB > 0) || !(nC > 0)) {
            return;
        }
        if (!Double.isFinite(baselineMs) || !Double.isFinite(canaryMs)) {
            return;
        }
        checkHistory(Math.log(canaryMs), Math.log(baselineMs), nC, nB);
        double d = Math.log(canaryMs) - Math.log(baselineMs);
        double a = Math.sqrt(nC * nB / (nC + nB));
        double x = d * a;
        int n = observations.size();
        if (n == weightFrom.length) {
            weightFrom = Arrays.copyOf(weightFrom, 2 * n);
            sumFrom = Arrays.copyOf(sumFrom, 2 * n);
        }
        for (int k = 0; k <= n; k++) {
            weightFrom[k] += a * a;
            sumFrom[k] += a * x;
        }
        observations.add(new double[] {d, a});
        sumSquares += x * x + RESOLUTION * RESOLUTION * a * a;
        floorSquares += RESOLUTION * RESOLUTION * a * a;
        dof++;

        double requests = nC + nB;
        double level = (nC * Math.log(canaryMs) + nB * Math.log(baselineMs)) / requests;
        double share = nC / requests;
        LevelBlock.Contrast contrast = block.contrast(level, requests);
        if (contrast != null) {
            // the shift's coefficient for onset k: this interval's share minus that of the earlier ones it moves
            for (int k = 0; k <= n; k++) {
                double c = (share - block.canaryRequestsFrom(k) / contrast.weight()) / contrast.r();
                weightFrom[k] += c * c;
                sumFrom[k] += c * contrast.z();
            }
            sumSquares += contrast.z() * contrast.z() + contrast.floor();
            floorSquares += contrast.floor();
            dof++;
        }
        block.add(level, requests, nC, n);
        // the promote side keeps disjoint pairs of consecutive levels: noise whatever the shift, however it drifts
        if (Double.isNaN(pendingLevel)) {
            pendingLevel = level;
            pendingRequests = requests;
        } else {
            double r = Math.sqrt(1 / requests + 1 / pendingRequests);
            double z = (level - pendingLevel) / r;
            contrastSquares += z * z + RESOLUTION * RESOLUTION / (r * r);
            contrasts++;
            pendingLevel = Double.NaN;
        }
        sumDifferences += d * a * a;
        sumWeights += a * a;
        sumCanaryLogs += Math.log(canaryMs) * a * a;
        sumBaselineLogs += Math.log(baselineMs) * a * a;
    }

    /** Evidence that the canary is slower (an e-value: its expectation is at most 1 when it is not). */
    double eValue() {
        int n = observations.size();
        if (cachedAt == n) {
            return cached;
        }
        // the history's values count as observed before the canary began
        int values = dof + history.values();
        double squares = sumSquares + history.sumSquares();
        double[] terms = new double[n * PRIOR_VARIANCES.length];
        double largest = 0;
        for (int k = 0; k < n; k++) {
            if (sumFrom[k] > 0) {
                for (int j = 0; j < PRIOR_VARIANCES.length; j++) {
                    double term = onsets.weight(k + 1)
                            * PRIOR_WEIGHTS[j]
                            * bayesFactor(values, PRIOR_VARIANCES[j], weightFrom[k], sumFrom[k], squares);
                    terms[k * PRIOR_VARIANCES.length + j] = term;
                    largest = Math.max(largest, term);
                }
            }
        }
        double total = onsets.tailFrom(n + 1);
        for (double term : terms) {
            total += term;
        }
        if (total >= 1) { // some evidence: the terms that carry it get their half-normal factor (at most 2)
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < PRIOR_VARIANCES.length; j++) {
                    double term = terms[k * PRIOR_VARIANCES.length + j];
                    if (term > largest * 1e-3) {
                        double up = upwards(values, PRIOR_VARIANCES[j], weightFrom[k], sumFrom[k], squares);
                        total += term * (2 * up - 1);
                    }
                }
            }
        }
        cachedAt = n;
        cached = total;
        return total;
    }

    /**
     * The posterior probability that the shift is upwards, under the normal prior: with the right Haar prior on
     * sigma, mu given the data is a Student t with n degrees of freedom centred on t / (u + 1/g). Twice it times the
     * normal prior's Bayes factor is the Bayes factor of the half-normal prior on an upward shift, so a term may be
     * doubled at most, and only when the data point upwards. Terms too small to matter, and all of them while the
     * value is below 1, use 1/2 instead, its lower bound when the data point upwards (so the value can only be lower).
     */
    static double upwards(int n, double g, double u, double t, double s) {
        double k = u + 1 / g;
        double rest = s - t * t / k;
        if (!(rest > 0) || n < 1) {
            return 0.5;
        }
        double y = t * Math.sqrt(n / (k * rest));
        return new TDistribution(null, n).cumulativeProbability(y);
    }

    /** Evidence that the canary is less slow than meaningfully slower, over the whole canary and recently. */
    double promoteEValue() {
        int n = observations.size();
        return Math.min(belowMeaningful(0), belowMeaningful(Math.max(0, n - RECENT)));
    }

    /**
     * One-sided Bayes factor for "d - meaningful shift is negative" over the observations from {@code from} on, with
     * the level contrasts of the whole canary (noise whatever the shift) helping to measure sigma.
     */
    private double belowMeaningful(int from) {
        double u = 0, t = 0, s = contrastSquares + history.sumSquares();
        int n = contrasts + history.values();
        for (int i = from; i < observations.size(); i++) {
            double[] o = observations.get(i);
            double x = (o[0] - meaningfulShift) * o[1];
            u += o[1] * o[1];
            t += o[1] * x;
            s += x * x + RESOLUTION * RESOLUTION * o[1] * o[1];
            n++;
        }
        return observations.size() - from >= 2 && t < 0 ? mixture(n, u, t, s) : 0.0;
    }

    /**
     * The Bayes factor averaged over the prior widths, for n observations in all (some may be pure noise), the
     * shift's weight u = sum of a^2 and sum t = sum of a x over the observations it may shift, and the sum of squares
     * s of all of them.
     */
    static double mixture(int n, double u, double t, double s) {
        double total = 0;
        for (int j = 0; j < PRIOR_VARIANCES.length; j++) {
            total += PRIOR_WEIGHTS[j] * bayesFactor(n, PRIOR_VARIANCES[j], u, t, s);
        }
        return total;
    }

    /** The Bayes factor of a normal prior with variance g on mu / sigma (two-sided). */
    static double bayesFactor(int n, double g, double u, double t, double s) {
        if (n < 2 || !(s > 0)) {
            return 1.0;
        }
        double gu = 1 + g * u;
        double rest = Math.max(1 - g * t * t / (gu * s), 1e-300);
        double logBf = -0.5 * Math.log(gu) - 0.5 * n * Math.log(rest);
        return Math.exp(Math.min(logBf, 700));
    }

    int count() {
        return observations.size();
    }

    /**
     * The statistics a test of a shift from the {@code k}-th observation on (0-based) is made of: how many whitened
     * values there are in all, the shift's weight u and sum t over them, and their sum of squares (the history left
     * out). For the benchmark's idealised judges ({@link LatencyLimits}), which know what this process must mix over.
     */
    double[] statisticsFrom(int k) {
        return new double[] {dof, weightFrom[k], sumFrom[k], sumSquares};
    }

    /**
     * This canary's own noise (its whitened values and their squares, the history left out, less the best-fitting
     * shift over the whole canary), for its service's later canaries; none when it has too few values or its readings
     * were mostly the resolution floor. Kept only for a promoted canary.
     */
    CanaryNoise.Reading noise() {
        if (dof < MIN_RECORDED || floorSquares >= sumSquares / 2) {
            return CanaryNoise.Reading.NONE;
        }
        // the least-squares shift over the whole canary is taken out (one value fewer): a small real change that was
        // promoted is not noise
        double residual = weightFrom[0] > 0 ? sumSquares - sumFrom[0] * sumFrom[0] / weightFrom[0] : sumSquares;
        return new CanaryNoise.Reading(dof - 1, Math.max(residual, floorSquares));
    }

    /** Whether the history still counts (it is dropped when this canary is clearly noisier). */
    boolean usesHistory() {
        return history.values() > 0;
    }

    /** Goes on without the history, for good (the canary no longer looks like the canaries it came from). */
    void dropHistory() {
        history = CanaryNoise.Reading.NONE;
        cachedAt = -1;
    }

    /**
     * Each track's change from its previous interval with data, whitened (its variance is the per-request noise
     * whatever shift the canary has; a fault's onset makes one of the canary's large, which is left out), compared
     * with the history's variance from the second interval on: above the {@link #HISTORY_CHECK} quantile of an F
     * distribution, and the history is dropped. It cannot be checked before the readings it would protect: a service
     * noisier than its history makes early false rollbacks likelier (measured in LatencyNoiseHistoryTest).
     */
    private void checkHistory(double canaryLog, double baselineLog, double nC, double nB) {
        if (!Double.isNaN(lastCanaryLog)) {
            double zc = (canaryLog - lastCanaryLog) / Math.sqrt(1 / nC + 1 / lastCanaryRequests);
            double zb = (baselineLog - lastBaselineLog) / Math.sqrt(1 / nB + 1 / lastBaselineRequests);
            changeSquares += zb * zb + zc * zc;
            largestCanaryChange = Math.max(largestCanaryChange, zc * zc);
            changes += 2;
        }
        lastCanaryLog = canaryLog;
        lastBaselineLog = baselineLog;
        lastCanaryRequests = nC;
        lastBaselineRequests = nB;
        if (history.values() == 0 || changes == 0) {
            return;
        }
        // whitened, a change has the per-request variance; the canary's largest is left out (a fault's onset)
        int m = changes - 1;
        double own = (changeSquares - largestCanaryChange) / m;
        // consecutive changes share a reading, so they carry about two thirds of a value's information each
        int ownValues = Math.max(1, (int) Math.round(m * 2.0 / 3));
        double limit = new FDistribution(null, ownValues, history.values()).inverseCumulativeProbability(HISTORY_CHECK);
        if (own > limit * history.variance()) {
            dropHistory();
        }
    }

    /** The estimated ratio canary / baseline (weighted geometric mean of the per-interval ratios). */
    double ratioEstimate() {
        return sumWeights > 0 ? Math.exp(sumDifferences / sumWeights) : Double.NaN;
    }

    /**
     * The canary's quantile in ms over the intervals judged, weighted as {@link #ratioEstimate} weighs them (a
     * geometric mean): over {@link #baselineMs} it is that ratio, so the two values and the effect agree.
     */
    double canaryMs() {
        return sumWeights > 0 ? Math.exp(sumCanaryLogs / sumWeights) : Double.NaN;
    }

    /** The baseline's quantile in ms over the intervals judged, as {@link #canaryMs} is the canary's. */
    double baselineMs() {
        return sumWeights > 0 ? Math.exp(sumBaselineLogs / sumWeights) : Double.NaN;
    }
}
