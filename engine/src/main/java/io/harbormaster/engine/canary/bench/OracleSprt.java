package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.IntervalSample;
import java.util.List;

/**
 * The information limit: Wald's sequential probability ratio test of the canary's true before-fault parameters
 * against its true after-fault parameters (following a ramp as it grows), started at the fault's onset, alpha 1%.
 * It reads the same per-interval figures as the judges: error counts (binomial), and log p50 and log p99 (normal,
 * with the asymptotic variance of a sample quantile). It needs no baseline, since it knows the baseline's truth.
 */
public final class OracleSprt {
    static final double ALPHA = 0.01;

    private OracleSprt() {}

    public static RunOutcome judge(Scenario scenario, List<IntervalSample> stream, double onset) {
        double threshold = Math.log(1 / ALPHA);
        double llr = 0;
        for (int i = 0; i < stream.size(); i++) {
            IntervalSample s = stream.get(i);
            double mid = s.t() + 5;
            if (mid < onset) {
                continue;
            }
            int weight = FixedSchedule.WEIGHTS[i / FixedSchedule.INTERVALS_PER_STEP];
            TrackParameters before = TrackParameters.of(scenario, false, mid, onset, weight, 0);
            TrackParameters after = TrackParameters.of(scenario, true, mid, onset, weight, 0);
            double n = s.canary().requests();
            if (!(n > 0)) {
                continue;
            }
            llr += errorLlr(s.canary().errors(), n, before.errorRate(), after.errorRate());
            llr += quantileLlr(s.canary().p50Ms(), n, 0.5, before, after);
            llr += quantileLlr(s.canary().p99Ms(), n, 0.99, before, after);
            if (llr >= threshold) {
                return new RunOutcome(RunOutcome.Decision.ROLLBACK, s.t() + FixedSchedule.INTERVAL_SECONDS);
            }
        }
        return new RunOutcome(RunOutcome.Decision.NONE, FixedSchedule.END_SECONDS);
    }

    static double errorLlr(double e, double n, double p0, double p1) {
        if (p0 == p1) {
            return 0;
        }
        if (p0 == 0) {
            return e > 0 ? Double.POSITIVE_INFINITY : n * Math.log1p(-p1);
        }
        return e * Math.log(p1 / p0) + (n - e) * Math.log((1 - p1) / (1 - p0));
    }

    static double quantileLlr(double observedMs, double n, double q, TrackParameters before, TrackParameters after) {
        if (!(observedMs > 0) || before.equals(after)) {
            return 0;
        }
        double y = Math.log(observedMs);
        double[] m0 = logQuantileMoments(before, n, q);
        double[] m1 = logQuantileMoments(after, n, q);
        if (m0[0] == m1[0] && m0[1] == m1[1]) {
            return 0;
        }
        return logNormal(y, m1[0], m1[1]) - logNormal(y, m0[0], m0[1]);
    }

    /** Mean and variance of the log of a sample q-quantile of n requests (delta method). */
    static double[] logQuantileMoments(TrackParameters p, double n, double q) {
        double x = p.quantile(q);
        double f = p.density(x);
        double variance = q * (1 - q) / (n * f * f * x * x);
        // a quantile sitting on the 2 s atom barely moves; keep a floor so the likelihood stays finite
        return new double[] {Math.log(x), Math.max(Double.isFinite(variance) ? variance : 1e-4, 1e-4)};
    }

    private static double logNormal(double y, double mean, double variance) {
        double d = y - mean;
        return -0.5 * Math.log(2 * Math.PI * variance) - d * d / (2 * variance);
    }
}
