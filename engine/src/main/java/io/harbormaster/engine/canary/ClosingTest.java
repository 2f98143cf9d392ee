package io.harbormaster.engine.canary;

import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.util.ResizableDoubleArray;

/**
 * A fixed-horizon test of "the canary has grown worse than the baseline", taken once, at a canary age fixed in the
 * policy. A test taken at a time fixed in advance needs far less evidence than one that may be looked at after every
 * interval (at 0.1% a one-sided test needs an expected log likelihood ratio of about 5 for even odds; an e-process
 * about 8), and a regression that ramps up slowly is exactly the one that leaves a canary with moderate evidence when
 * it could be promoted.
 *
 * <p>Each interval gives one term per metric, weighted by the canary's age at it (the shape of a regression that grows
 * with time; a step is weighted less efficiently, but steps are the sequential judge's):
 *
 * <ul>
 *   <li>error rate: the canary's errors beyond its share of the interval's errors, {@code eC - s (eC + eB)} with s
 *       its share of the requests;
 *   <li>p50 and p99: the whitened log difference x = d / sqrt(1/nC + 1/nB) of the canary's quantile against the
 *       baseline's (see {@link LatencyEProcess}), times its weight sqrt(nC nB / (nC + nB)).
 * </ul>
 *
 * <p>The error rate is tested with the conditional score test: given an interval's errors, the canary's count is
 * binomial with its share of the requests when both tracks fail alike, whatever the common rate is, so the sum of the
 * terms over its binomial standard deviation is close to standard normal (the shares are close to one half, where
 * the binomial is symmetric). That is the sequential judge's count model too. It needs exact counts (the default
 * Prometheus templates read them; a template with {@code increase()}, which scales a window's count up to the window,
 * does not). Errors that come in bursts are more spread than binomial even when counted exactly: both judges divide
 * their error evidence by the spread the baseline shows ({@link ErrorDispersion}; here the variance is multiplied by
 * it), which brings them close to their levels again, though not all the way early in a canary. The test is taken
 * only with {@link #MIN_ERRORS} errors or more; fewer are the sequential judge's (a zero-error baseline is its trap).
 *
 * <p>p50 and p99 are tested with a sign-flip randomisation test of the terms' sum: when the canary is as healthy as
 * the baseline, the two tracks (at the same weight) are exchangeable, so each term is as likely to be negative as
 * positive, whatever its size or how the noise differs between intervals (a p99 of a few requests is noisier than
 * the request count says, and a test that assumed one spread for every interval rejected a quiet canary's p99 about
 * twice as often as its level). The p-value is the share of {@link #FLIPS} random sign patterns (a fixed seed, so a
 * replay of the same history gets the same answer) whose sum reaches the observed one. Binomial error counts have a
 * known spread, and there the score test is the stronger of the two.
 *
 * <p>The statistics {@link #errorZ()}, {@link #p50T()} and {@link #p99T()} say which way and how far the canary leans
 * at any time (the hold asks them); they assume the noise models above and are not tests.
 *
 * <p>The test is taken at one age only, so a canary that never gets there is never rejected by it: the false-rollback
 * probability of the whole analysis is at most the sequential judge's alpha plus this test's (up to the exchangeability
 * above: traffic weights chosen from earlier intervals make it approximate).
 */
final class ClosingTest {
    /** The judge its evidence names. */
    static final String JUDGE = "closing";

    /** Fewer errors than this over the canary and the error-rate test is not taken. */
    static final int MIN_ERRORS = 20;
    /**
     * The error rate's share of the test's level; p50 and p99 get half the rest each. Slow latency regressions are
     * nearly all proved by the sequential judge before this test (whitened quantiles carry much evidence per
     * interval), a slowly doubling error rate rarely is (its evidence is a few dozen errors), so the level goes where
     * it decides outcomes: in the benchmark, 80% instead of a third lifted slow error ramps' detection by 0.04 to
     * 0.05 and changed no latency figure.
     */
    static final double ERROR_SHARE = 0.8;
    /** Random sign patterns per test: p-values down to 1/20001, below the default per-quantile 0.02%. */
    static final int FLIPS = 20_000;

    private static final long SEED = 0x5eed_c105_1e57L;

    private double errorScore;
    private double errorVariance;
    /** The part of the variance that grows with errors clustering: sum of w^2 s (1 - s) m (m - 1). */
    private double errorClustering;

    private final ErrorDispersion dispersion = new ErrorDispersion();
    private boolean binomialOnly;
    private double errors;
    private final Regression p50 = new Regression();
    private final Regression p99 = new Regression();

    /** Starts the bursts' estimate from the service's earlier canaries (before the first interval). */
    void startFrom(CanaryNoise.Bursts earlier) {
        dispersion.startFrom(earlier);
    }

    /** Takes one interval whose middle is {@code age} seconds after the canary started. */
    void observe(IntervalSample s, double age) {
        TrackSample b = s.baseline(), c = s.canary();
        double w = Math.max(age, 0);
        if (b.requests() > 0
                && c.requests() > 0
                && Double.isFinite(b.requests() + c.requests())
                && b.errors() >= 0
                && c.errors() >= 0
                && Double.isFinite(b.errors() + c.errors())) {
            double total = b.errors() + c.errors();
            double share = c.requests() / (c.requests() + b.requests());
            double term = w * (c.errors() - share * total);
            errorScore += term;
            errorVariance += w * w * share * (1 - share) * total;
            errorClustering += w * w * share * (1 - share) * total * Math.max(total - 1, 0);
            dispersion.observe(b.requests(), b.errors());
            errors += total;
        }
        p50.observe(b.p50Ms(), c.p50Ms(), b.requests(), c.requests(), w);
        p99.observe(b.p99Ms(), c.p99Ms(), b.requests(), c.requests(), w);
    }

    /** The metric whose test rejects "no regression" at {@code alpha} (split as {@link #ERROR_SHARE} says), if any. */
    Optional<Evidence> regression(double alpha, long at) {
        return regression(alpha * ERROR_SHARE, alpha * (1 - ERROR_SHARE) / 2, at);
    }

    /** The same with the error rate's level and each quantile's level given. */
    Optional<Evidence> regression(double errorLevel, double each, long at) {
        double z = errors >= MIN_ERRORS ? errorZ() : Double.NaN;
        if (z > 0) {
            double p = 1 - new NormalDistribution(null, 0, 1).cumulativeProbability(z);
            if (p < errorLevel) {
                return Optional.of(evidence("error_rate", z, p, errorLevel, at, "score test"));
            }
        }
        double pP50 = signFlipPValue(p50.terms.getElements(), each);
        if (pP50 < each) {
            return Optional.of(evidence("p50_ms", p50.t(), pP50, each, at, "sign-flip test"));
        }
        double pP99 = signFlipPValue(p99.terms.getElements(), each);
        if (pP99 < each) {
            return Optional.of(evidence("p99_ms", p99.t(), pP99, each, at, "sign-flip test"));
        }
        return Optional.empty();
    }

    /**
     * The one-sided p-value of the terms' sum under random signs: (1 + patterns reaching it) / (1 + patterns), a valid
     * p-value for any number of patterns; 1 with nothing to test. Only whether it is below {@code level} matters, so
     * once it cannot be the count stops and a value at or above {@code level} is returned (a healthy canary's test
     * ends after a few dozen patterns).
     */
    static double signFlipPValue(double[] terms, double level) {
        int n = terms.length;
        double observed = 0;
        for (double t : terms) {
            observed += t;
        }
        if (n == 0 || !(observed > 0)) {
            return 1;
        }
        var random = new SplittableRandom(SEED);
        int reached = 0;
        double enough = level * (1.0 + FLIPS); // reached + 1 at or above this: p is not below the level
        for (int f = 0; f < FLIPS && reached + 1 < enough; f++) {
            double sum = 0;
            long bits = 0;
            for (int i = 0; i < n; i++) {
                if ((i & 63) == 0) {
                    bits = random.nextLong();
                }
                sum += (bits & 1) == 0 ? terms[i] : -terms[i];
                bits >>>= 1;
            }
            if (sum >= observed) {
                reached++;
            }
        }
        return (1.0 + reached) / (1.0 + FLIPS);
    }

    /**
     * The error rate's statistic as it stands, the age-weighted excess over its binomial standard deviation (NaN before
     * the first error). It says which way the errors lean, with few errors too; it is not the test.
     */
    /** Reads error counts as binomial, whatever their spread (to compare with the tempered reading). */
    void ignoreDispersion() {
        binomialOnly = true;
    }

    double errorZ() {
        double variance = errorVariance + (binomialOnly ? 0 : dispersion.rho()) * errorClustering;
        return variance > 0 ? errorScore / Math.sqrt(variance) : Double.NaN;
    }

    double p50T() {
        return p50.t();
    }

    double p99T() {
        return p99.t();
    }

    /**
     * The statistic the test gives for {@code metric}: z for the error rate's score test, t for a latency quantile's
     * regression.
     */
    static Evidence.EstimateKind statistic(String metric) {
        return metric.equals("error_rate") ? Evidence.EstimateKind.Z : Evidence.EstimateKind.T;
    }

    private static Evidence evidence(String metric, double value, double p, double level, long at, String test) {
        String statistic = statistic(metric) == Evidence.EstimateKind.Z ? "z" : "t";
        return new Evidence(
                JUDGE,
                metric,
                "p < " + SequentialJudge.fmt(level) + " at " + at + " s",
                Double.NaN,
                Double.NaN,
                value,
                Double.NaN,
                Double.NaN,
                p,
                Double.NaN,
                String.format(
                        Locale.ROOT,
                        "the closing test at %d s finds the canary's %s worse than the baseline's, growing with time:"
                                + " %s = %.2f, p = %s (%s, its level %s)",
                        at,
                        metric,
                        statistic,
                        value,
                        SequentialJudge.fmt(p),
                        test,
                        SequentialJudge.fmt(level)));
    }

    /**
     * The age-weighted terms of one quantile, and least squares through the origin of the whitened log differences on
     * the age-weighted coefficients (its t statistic is what the hold reads).
     */
    private static final class Regression {
        private final ResizableDoubleArray terms = new ResizableDoubleArray();
        private double sxx, scx, scc;

        void observe(double baselineMs, double canaryMs, double nB, double nC, double w) {
            if (!(baselineMs > 0) || !(canaryMs > 0) || !(nB > 0) || !(nC > 0)) {
                return;
            }
            if (!Double.isFinite(baselineMs) || !Double.isFinite(canaryMs) || !Double.isFinite(nB + nC)) {
                return;
            }
            double a = Math.sqrt(nC * nB / (nC + nB));
            double x = (Math.log(canaryMs) - Math.log(baselineMs)) * a;
            double c = w * a;
            sxx += x * x + LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION * a * a;
            scx += c * x;
            scc += c * c;
            terms.addElement(c * x);
        }

        /** The t statistic of the age-weighted shift (NaN with fewer than 3 intervals or no spread). */
        double t() {
            int n = terms.getNumElements();
            if (n < 3 || !(scc > 0)) {
                return Double.NaN;
            }
            double rest = sxx - scx * scx / scc;
            if (!(rest > 0)) {
                return Double.NaN;
            }
            return scx / Math.sqrt(scc) / Math.sqrt(rest / (n - 1));
        }
    }
}
