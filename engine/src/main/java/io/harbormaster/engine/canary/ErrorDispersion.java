package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.List;

/**
 * How much more spread error counts are than independent errors would make them. Errors that come in bursts (a pod's
 * connection pool running dry for a few seconds, a retry storm from one client) make each track's count swing from
 * interval to interval, and so the canary's share of an interval's errors, and a test that assumed binomial shares
 * reads those swings as evidence. In {@code bench canary}'s extra scenario of bursty errors (each track's rate varying
 * from interval to interval by a gamma factor with a coefficient of variation of one half) binomial judges rolled back
 * 2.3% of healthy canaries.
 *
 * <p>The model: each track's count in an interval is Poisson with a mean that varies by a gamma factor of shape k
 * (negative binomial: variance lambda (1 + lambda / k)). Given an interval's m errors, shared about evenly between
 * the two tracks, the canary's count then varies around its expected share by about m p (1 - p) (1 + (m - 1) rho)
 * with rho = 1 / (2k), the form of the beta-binomial's variance.
 *
 * <p>1/k is estimated by moments from the <em>baseline</em> only, whose errors a regression does not touch (the
 * canary's do, and a step in its error rate would pass for spread): per interval, the square of the count's distance
 * from its minute's pooled rate ({@link #BLOCK} intervals) beyond its Poisson expectation, over what 1/k adds to it.
 * The estimate is lowered by one standard error under Poisson counts and kept at 0 or more, so counts that are as
 * spread as Poisson ones mostly keep the binomial test's full power (in the benchmark, with seed 1: error-step
 * detection 0.01 lower, the x5 step's time to detect 1.19 of the oracle's instead of 1.14, slow error ramps 0.01 to
 * 0.02 lower), while bursty ones are found as the canary runs (the scenario's false rollbacks fell to 1.3% with seed
 * 1, 1.7% with seed 2). The first minute of a canary carries little sign of bursts, and most of the rest happen
 * there. A drift of the common rate within a minute reads as a little spread too, which can only temper the evidence.
 *
 * <p>The judges divide each interval's evidence by its variance factor 1 + (m - 1) rho (quasi-likelihood: in the
 * normal approximation the likelihood ratio tempered by the true factor is again a martingale). With rho estimated,
 * the bound on false rollbacks is approximate where counts are bursty; where they are not it holds as before (a factor
 * above the truth only lowers the tempered ratio's expectation, by Jensen's inequality).
 */
final class ErrorDispersion {
    /** Intervals pooled to estimate each one's expected count: a minute, over which the rate barely moves. */
    static final int BLOCK = 6;

    /** Sums over finished blocks: residual squares beyond Poisson, their sensitivity to 1/k, their variance. */
    private double excess;

    private double sensitivity;
    private double noise;
    /** The service's earlier canaries' sums, counted as if observed before this canary. */
    private CanaryNoise.Bursts history = CanaryNoise.Bursts.NONE;

    private final List<double[]> block = new ArrayList<>();
    private double rho;

    /**
     * Starts from the bursts the service's earlier canaries showed (before the first interval): their sums count
     * with this canary's, so bursts are known from the start instead of from the canary's own first minutes.
     */
    void startFrom(CanaryNoise.Bursts earlier) {
        if (!block.isEmpty() || sensitivity > 0) {
            throw new IllegalStateException("the history must be given before the first interval");
        }
        history = earlier;
        estimate(new double[3]);
    }

    /** This canary's own sums (finished minutes and the one in progress), without the history. */
    CanaryNoise.Bursts own() {
        double[] current = blockSums();
        return new CanaryNoise.Bursts(excess + current[0], sensitivity + current[1], noise + current[2]);
    }

    /**
     * Takes one interval of the baseline: its {@code requests} and {@code errors}. Only the baseline is read: a
     * regression moves the canary's errors, not the baseline's, so it cannot pass for spread.
     */
    void observe(double requests, double errors) {
        if (!(requests > 0) || !(errors >= 0) || !Double.isFinite(requests + errors)) {
            return;
        }
        block.add(new double[] {requests, errors});
        double[] current = blockSums();
        if (block.size() == BLOCK) {
            excess += current[0];
            sensitivity += current[1];
            noise += current[2];
            block.clear();
            current = new double[3];
        }
        estimate(current);
    }

    /**
     * The larger of the estimate from this canary alone and from it with the history: a history from quieter times
     * cannot lower the canary's own estimate (a larger factor only tempers the evidence more, see the class comment).
     */
    private void estimate(double[] current) {
        double own = rho(excess + current[0], sensitivity + current[1], noise + current[2]);
        double all = rho(
                history.excess() + excess + current[0],
                history.sensitivity() + sensitivity + current[1],
                history.noise() + noise + current[2]);
        rho = Math.max(own, all);
    }

    /** The moment estimate of rho = 1 / (2k) from the sums, less one standard error, in [0, 1]. */
    private static double rho(double excess, double sensitivity, double noise) {
        // less one standard error (under Poisson counts), so that counts as spread as Poisson ones mostly keep the
        // binomial test's full power
        return sensitivity > 0 ? Math.max(0, Math.min((excess - Math.sqrt(noise)) / sensitivity / 2, 1)) : 0;
    }

    /** The current block's contributions: residual squares beyond Poisson, sensitivity to 1/k, their variance. */
    private double[] blockSums() {
        double requests = 0, errors = 0;
        for (double[] o : block) {
            requests += o[0];
            errors += o[1];
        }
        double[] sums = new double[3];
        if (errors == 0 || block.size() < 2) {
            return sums; // no errors (or one interval): nothing to say about their spread
        }
        double rate = errors / requests;
        for (double[] o : block) {
            double expected = o[0] * rate;
            double keep = 1 - o[0] / requests; // the pooled rate takes its part of the spread
            double residual = o[1] - expected;
            sums[0] += residual * residual - expected * keep;
            sums[1] += expected * expected * keep;
            sums[2] += (2 * expected * expected + expected) * keep * keep;
        }
        return sums;
    }

    /** The estimated correlation of errors within an interval (0 while the shares look binomial). */
    double rho() {
        return rho;
    }

    /** How much wider than binomial an interval of {@code errors} errors is at the estimated rho (a variance factor). */
    double varianceFactor(double errors) {
        return 1 + Math.max(errors - 1, 0) * rho;
    }
}
