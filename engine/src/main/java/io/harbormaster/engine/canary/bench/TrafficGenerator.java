package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Simulates every request of both tracks in an interval and reports what Prometheus would: requests, errors, p50 and
 * p99 computed from the simulated latencies, restarts. Seeded, so a run is reproducible.
 */
public final class TrafficGenerator {
    private final Scenario scenario;
    private final double onset;
    private final double phase;
    private final SplittableRandom random;
    private final long outageStart;
    private double[] buffer = new double[2048];

    public TrafficGenerator(Scenario scenario, double onset, long seed) {
        this.scenario = scenario;
        this.onset = onset;
        this.random = new SplittableRandom(seed);
        this.phase = random.nextDouble() * 1800;
        this.outageStart = 60 + 10L * random.nextInt(25);
    }

    public double onset() {
        return onset;
    }

    /** The interval starting at t (seconds), with the canary (and the baseline) at {@code weight} percent. */
    public IntervalSample next(long t, int weight) {
        double mid = t + 5;
        TrackSample baseline = track(TrackParameters.of(scenario, false, mid, onset, weight, phase));
        TrackSample canary = track(TrackParameters.of(scenario, true, mid, onset, weight, phase));
        if (scenario.gaps()) {
            boolean outage = t >= outageStart && t < outageStart + 50;
            if (outage || random.nextDouble() < 0.08) {
                baseline = TrackSample.NO_DATA;
            }
            if (outage || random.nextDouble() < 0.08) {
                canary = TrackSample.NO_DATA;
            }
        }
        return new IntervalSample(t, baseline, canary);
    }

    private TrackSample track(TrackParameters p) {
        int n = poisson(p.meanRequests());
        if (n == 0) {
            return new TrackSample(0, 0, Double.NaN, Double.NaN, 0);
        }
        if (buffer.length < n) {
            buffer = new double[n * 2];
        }
        int errors = 0;
        double errorRate = p.errorRate();
        if (scenario.errorBurstShape() > 0) {
            errorRate = Math.min(1, errorRate * gamma(random, scenario.errorBurstShape()));
        }
        double logMedian = Math.log(p.medianMs());
        double logSlow = Math.log(Scenario.SLOW_FACTOR);
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < errorRate) {
                errors++;
            }
            double latency;
            if (p.slowShare2s() > 0 && random.nextDouble() < p.slowShare2s()) {
                latency = 2000;
            } else {
                double l = logMedian + p.sigma() * random.nextGaussian();
                if (random.nextDouble() < Scenario.SLOW_SHARE) {
                    l += logSlow;
                }
                latency = Math.exp(l);
            }
            buffer[i] = latency;
        }
        Arrays.sort(buffer, 0, n);
        return new TrackSample(n, errors, quantile(buffer, n, 0.5), quantile(buffer, n, 0.99), 0);
    }

    /** Linear interpolation between order statistics (R's type 7). */
    static double quantile(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** A gamma variate of shape {@code shape} (at least 1) and mean 1 (Marsaglia and Tsang's method). */
    public static double gamma(RandomGenerator random, double shape) {
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian(), v = Math.pow(1 + c * x, 3);
            if (v > 0 && Math.log(random.nextDouble()) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v / shape;
            }
        }
    }

    private int poisson(double mean) {
        if (mean < 30) {
            double l = Math.exp(-mean), p = 1;
            int k = 0;
            do {
                k++;
                p *= random.nextDouble();
            } while (p > l);
            return k - 1;
        }
        return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
}
