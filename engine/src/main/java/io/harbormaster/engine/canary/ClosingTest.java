package io.harbormaster.engine.canary;

import java.util.Locale;
import java.util.Optional;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * A fixed-horizon test of "the canary has grown worse than the baseline", taken once, at a canary age fixed in the
 * policy. A test taken at a time fixed in advance needs far less evidence than one that may be looked at after every
 * interval (at 0.1% a one-sided z-test needs an expected log likelihood ratio of about 5 for even odds; an e-process
 * about 8), and a regression that ramps up slowly is exactly the one that leaves a canary with moderate evidence when
 * it could be promoted. Each metric's statistic weights every interval by the canary's age at it, the shape of a
 * regression that grows with time (a step is weighted less efficiently, but steps are the sequential judge's).
 *
 * <ul>
 *   <li>Error rate: the conditional score test. Given an interval's total errors, the canary's count is binomial with
 *       its share of requests when both tracks fail alike, whatever the common rate is; the weighted sum of the
 *       canary's excess over that, divided by its standard deviation, is close to standard normal (the shares are
 *       close to one half, where the binomial is symmetric). The test is taken only with {@link #MIN_ERRORS} errors or
 *       more; fewer are the sequential judge's (a zero-error baseline is its trap, not this test's).
 *   <li>p50 and p99: the whitened log differences x = d / sqrt(1/nC + 1/nB) (see {@link LatencyEProcess}) regressed on
 *       the age-weighted shift's coefficients; the one-sided t statistic has n - 1 degrees of freedom under "same
 *       distribution", whatever the noise level is (the same normal assumption as the latency e-process).
 * </ul>
 *
 * <p>The test is taken at one age only, so its level holds whatever the analysis did before (a canary that never gets
 * there is never rejected by it): the false-rollback probability of the whole analysis is at most the sequential
 * judge's alpha plus this test's.
 */
final class ClosingTest {
    /** Fewer errors than this over the canary and the error-rate test is not taken (the normal approximation). */
    static final int MIN_ERRORS = 20;

    private double errorScore;
    private double errorVariance;
    private double errors;
    private final Regression p50 = new Regression();
    private final Regression p99 = new Regression();

    /** Takes one interval whose middle is {@code age} seconds after the canary started. */
    void observe(IntervalSample s, double age) {
        TrackSample b = s.baseline(), c = s.canary();
        double w = Math.max(age, 0);
        if (b.requests() > 0 && c.requests() > 0 && b.errors() >= 0 && c.errors() >= 0) {
            double total = b.errors() + c.errors();
            double share = c.requests() / (c.requests() + b.requests());
            errorScore += w * (c.errors() - share * total);
            errorVariance += w * w * share * (1 - share) * total;
            errors += total;
        }
        p50.observe(b.p50Ms(), c.p50Ms(), b.requests(), c.requests(), w);
        p99.observe(b.p99Ms(), c.p99Ms(), b.requests(), c.requests(), w);
    }

    /** The metric whose test rejects "no regression" at {@code alpha} (split evenly over the three), if any. */
    Optional<Evidence> regression(double alpha, long at) {
        double each = alpha / 3;
        double z = errors >= MIN_ERRORS ? errorZ() : Double.NaN;
        double pErrors = Double.isFinite(z) ? 1 - new NormalDistribution(null, 0, 1).cumulativeProbability(z) : 1;
        if (pErrors < each) {
            return Optional.of(evidence("error_rate", "z", z, pErrors, each, at));
        }
        double pP50 = p50.pValue();
        if (pP50 < each) {
            return Optional.of(evidence("p50_ms", "t", p50.t(), pP50, each, at));
        }
        double pP99 = p99.pValue();
        if (pP99 < each) {
            return Optional.of(evidence("p99_ms", "t", p99.t(), pP99, each, at));
        }
        return Optional.empty();
    }

    /**
     * The error rate's statistic as it stands (NaN before the first error). With fewer than {@link #MIN_ERRORS} errors
     * it still says which way the errors lean (what the hold asks), but the test is not taken on it.
     */
    double errorZ() {
        return errorVariance > 0 ? errorScore / Math.sqrt(errorVariance) : Double.NaN;
    }

    double p50T() {
        return p50.t();
    }

    double p99T() {
        return p99.t();
    }

    private static Evidence evidence(String metric, String statistic, double value, double p, double level, long at) {
        return new Evidence(
                "closing",
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
                                + " %s = %.2f, p = %s (its level %s)",
                        at,
                        metric,
                        statistic,
                        value,
                        SequentialJudge.fmt(p),
                        SequentialJudge.fmt(level)));
    }

    /** Least squares through the origin of the whitened log differences on the age-weighted coefficients. */
    private static final class Regression {
        private double sxx, scx, scc;
        private int n;

        void observe(double baselineMs, double canaryMs, double nB, double nC, double w) {
            if (!(baselineMs > 0) || !(canaryMs > 0) || !(nB > 0) || !(nC > 0)) {
                return;
            }
            if (!Double.isFinite(baselineMs) || !Double.isFinite(canaryMs)) {
                return;
            }
            double a = Math.sqrt(nC * nB / (nC + nB));
            double x = (Math.log(canaryMs) - Math.log(baselineMs)) * a;
            double c = w * a;
            sxx += x * x + LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION * a * a;
            scx += c * x;
            scc += c * c;
            n++;
        }

        double t() {
            if (n < 3 || !(scc > 0)) {
                return Double.NaN;
            }
            double rest = sxx - scx * scx / scc;
            if (!(rest > 0)) {
                return Double.NaN;
            }
            return scx / Math.sqrt(scc) / Math.sqrt(rest / (n - 1));
        }

        double pValue() {
            double t = t();
            return Double.isFinite(t) ? 1 - new TDistribution(null, n - 1).cumulativeProbability(t) : 1;
        }
    }
}
