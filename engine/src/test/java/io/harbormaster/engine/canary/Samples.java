package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small hand-made canary series for the judges' tests. */
final class Samples {
    private Samples() {}

    static TrackSample track(double requests, double errors, double p50, double p99) {
        return new TrackSample(requests, errors, p50, p99, 0);
    }

    /** A healthy pair of tracks with seeded noise: 100 requests, 0.5% errors, p50 ~40 ms, p99 ~200 ms. */
    static List<IntervalSample> healthy(int intervals, long seed) {
        var random = new SplittableRandom(seed);
        var list = new ArrayList<IntervalSample>();
        for (int i = 0; i < intervals; i++) {
            list.add(new IntervalSample(10L * i, noisy(random, 1.0, 1.0, 0.005), noisy(random, 1.0, 1.0, 0.005)));
        }
        return list;
    }

    static TrackSample noisy(SplittableRandom random, double p50Factor, double p99Factor, double errorRate) {
        double errors = 0;
        for (int k = 0; k < 100; k++) {
            if (random.nextDouble() < errorRate) errors++;
        }
        return track(
                100,
                errors,
                40 * p50Factor * Math.exp(0.05 * random.nextGaussian()),
                200 * p99Factor * Math.exp(0.12 * random.nextGaussian()));
    }

    static AnalysisReport replay(List<IntervalSample> series) {
        return CanaryAnalysis.replay(series, CanaryPolicy.defaults());
    }
}
