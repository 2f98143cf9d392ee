package io.harbormaster.engine.canary.bench;

/**
 * The true request-level distribution of one track in one interval: mean requests, error probability, the lognormal
 * latency (median, sigma, slow mode) and the share of requests that take exactly 2 s.
 */
public record TrackParameters(
        double meanRequests, double errorRate, double medianMs, double sigma, double slowShare2s) {

    /** The parameters of one track at time t (seconds since the canary started) under a step's weight. */
    public static TrackParameters of(Scenario s, boolean canary, double t, double onset, int weight, double phase) {
        double traffic = s.totalRps() * weight / 100.0 * 10; // requests per 10 s interval
        double error = s.errorRate();
        double median = Scenario.MEDIAN_MS;
        double sigma = s.sigma();
        double slow2s = 0;
        if (s.diurnal()) { // shared by both tracks
            double m = 1 + 0.25 * Math.sin(2 * Math.PI * (t + phase) / 1800);
            traffic *= m;
            median *= 1 + 0.5 * (m - 1);
            error *= m;
        }
        if (s.warmup()) { // both tracks are fresh pods
            double w = Math.exp(-t / 40);
            median *= 1 + 1.5 * w;
            error *= 1 + 4 * w;
        }
        if (canary) {
            double f = s.fault().fraction(t, onset);
            double m = s.fault().magnitude();
            switch (s.fault().kind()) {
                case ERROR_TIMES -> error *= 1 + f * (m - 1);
                case ERROR_PLUS, SPARSE_NEW_ERRORS -> error += f * m;
                case LATENCY_TIMES -> median *= 1 + f * (m - 1);
                case SLOW_REQUESTS_2S -> slow2s = f * m;
                case SIGMA -> sigma += f * (m - sigma);
                case NONE -> {}
            }
        }
        return new TrackParameters(traffic, Math.min(error, 1), median, sigma, slow2s);
    }

    /** P(latency <= x): the lognormal with its slow mode, plus the 2 s atom. */
    public double cdf(double x) {
        double lx = Math.log(x);
        double fast = normalCdf((lx - Math.log(medianMs)) / sigma);
        double slow = normalCdf((lx - Math.log(medianMs * Scenario.SLOW_FACTOR)) / sigma);
        double body = (1 - Scenario.SLOW_SHARE) * fast + Scenario.SLOW_SHARE * slow;
        return (1 - slowShare2s) * body + (x >= 2000 ? slowShare2s : 0);
    }

    /** The q-quantile of the latency, by bisection on log x. */
    public double quantile(double q) {
        double lo = Math.log(0.01), hi = Math.log(1e6);
        for (int i = 0; i < 80; i++) {
            double mid = (lo + hi) / 2;
            if (cdf(Math.exp(mid)) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp(hi);
    }

    /** Density of the continuous part at x (per ms). */
    public double density(double x) {
        double lx = Math.log(x);
        double fast = normalPdf((lx - Math.log(medianMs)) / sigma);
        double slow = normalPdf((lx - Math.log(medianMs * Scenario.SLOW_FACTOR)) / sigma);
        return (1 - slowShare2s) * ((1 - Scenario.SLOW_SHARE) * fast + Scenario.SLOW_SHARE * slow) / (sigma * x);
    }

    static double normalCdf(double z) {
        return 0.5 * org.apache.commons.math3.special.Erf.erfc(-z / Math.sqrt(2));
    }

    static double normalPdf(double z) {
        return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }
}
