package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The noise read from a stable track: a known per-request noise is recovered whatever the traffic, too little data
 * gives no reading, and overdispersed error counts give their bursts.
 */
class StableTrackNoiseTest {
    static final double SIGMA = 0.35;
    /** The 99th percentile of the standard normal, and its density there. */
    static final double Z99 = 2.3263478740408408;

    static final double PHI99 = Math.exp(-Z99 * Z99 / 2) / Math.sqrt(2 * Math.PI);

    /**
     * One interval of a lognormal service (median 40 ms, log sd {@code sigma}): {@code requests} requests, each
     * failing with {@code errorRate} (times a gamma factor of shape {@code burstShape} per interval when above 0),
     * and the sample quantiles of their latencies.
     */
    static TrackSample interval(
            SplittableRandom random, int requests, double sigma, double errorRate, double burstShape) {
        double rate = burstShape > 0 ? errorRate * TrafficGenerator.gamma(random, burstShape) : errorRate;
        double[] latencies = new double[requests];
        for (int i = 0; i < requests; i++) {
            latencies[i] = 40 * Math.exp(sigma * random.nextGaussian());
        }
        Arrays.sort(latencies);
        return new TrackSample(
                requests,
                ClosingTestTest.poisson(random, requests * rate),
                latencies[(int) (0.5 * requests)],
                latencies[(int) (0.99 * requests)],
                0);
    }

    static List<TrackSample> track(long seed, int intervals, int requests, double sigma) {
        var random = new SplittableRandom(seed);
        var out = new ArrayList<TrackSample>();
        for (int i = 0; i < intervals; i++) {
            out.add(interval(random, requests, sigma, 0.005, 0));
        }
        return out;
    }

    /**
     * The resolution floor a block's contrasts add on average at {@code requests} per interval: each interval after a
     * block's first, j of them before it, is whitened by 1/n + 1/(j n), and adds RESOLUTION^2 over that.
     */
    static double floor(int requests) {
        double sum = 0;
        for (int j = 1; j < LatencyEProcess.BLOCK; j++) {
            sum += LatencyEProcess.RESOLUTION * LatencyEProcess.RESOLUTION * requests * j / (j + 1.0);
        }
        return sum / (LatencyEProcess.BLOCK - 1);
    }

    @Test
    void aKnownPerRequestNoiseIsRecoveredWithoutTheReadingsResolution() {
        // sample-quantile theory: a log quantile's variance is q (1 - q) / phi(z_q)^2 sigma^2 per request
        double p50 = Math.PI / 2 * SIGMA * SIGMA;
        double p99 = 0.99 * 0.01 / (PHI99 * PHI99) * SIGMA * SIGMA;
        for (int requests : new int[] {300, 1000}) {
            // three hours of 10 s intervals, five contrasts per block of six: 900 values, a variance read to about 5%
            var noise = StableTrackNoise.of(track(11, 1080, requests, SIGMA));
            assertThat(noise.known()).as("%d requests", requests).isTrue();
            assertThat(noise.p50().values()).isEqualTo(900);
            // the floor a canary adds for its own intervals is not in the reading: at 1000 requests it would be a
            // quarter of it on top
            assertThat(noise.p50().variance())
                    .as("p50 at %d requests", requests)
                    .isCloseTo(p50, within(0.15 * p50));
            assertThat(noise.p99().variance())
                    .as("p99 at %d requests", requests)
                    .isCloseTo(p99, within(0.2 * p99));
            assertThat(noise.spread().mean()).isCloseTo(Z99 * SIGMA, within(0.05));
        }
        // twice the sigma, four times the noise: the reading follows the noise
        var wider = StableTrackNoise.of(track(12, 1080, 300, 2 * SIGMA));
        assertThat(wider.p50().variance()).isCloseTo(4 * p50, within(0.15 * 4 * p50));
    }

    @Test
    void quantilesThatMoveLessThanTheirResolutionGiveNoReading() {
        // at 5000 requests an interval's log p50 moves by about 0.6% (sigma 0.35): below the 1% a reading is
        // resolved to, so the contrasts are mostly that floor, which says nothing of the noise
        assertThat(floor(5000)).isGreaterThan(Math.PI / 2 * SIGMA * SIGMA);
        assertThat(StableTrackNoise.of(track(13, 60, 5000, SIGMA))).isEqualTo(CanaryNoise.NONE);
        // a noisier service at the same traffic moves by more than that, and is read
        assertThat(StableTrackNoise.of(track(13, 60, 5000, 3 * SIGMA)).known()).isTrue();
    }

    @Test
    void theStableTrackAtMoreTrafficReadsTheNoiseACanaryMeasuresLessTheFloorTheCanaryAdds() {
        // the same service's baseline and a healthy canary at 300 requests each, measured by the judge itself
        var random = new SplittableRandom(5);
        var judge = new SequentialJudge(SequentialPolicy.defaults());
        for (int i = 0; i < 360; i++) {
            judge.observe(new IntervalSample(
                    10L * i, interval(random, 300, SIGMA, 0.005, 0), interval(random, 300, SIGMA, 0.005, 0)));
        }
        var own = judge.noise();
        // the stable track serves more of the traffic: its readings are finer; the judge's own reading has the floor of
        // its 300-request intervals in it, the stable track's none (the canary adds it for its own intervals)
        var stable = StableTrackNoise.of(track(6, 360, 1000, SIGMA));
        for (var q : List.of(
                new CanaryNoise.Reading[] {stable.p50(), own.p50()},
                new CanaryNoise.Reading[] {stable.p99(), own.p99()})) {
            double read = q[0].variance(), measured = q[1].variance() - floor(300);
            assertThat(read).isCloseTo(measured, within(0.15 * measured));
        }
    }

    @Test
    void noDataOrTooFewIntervalsGiveNoReading() {
        assertThat(StableTrackNoise.of(List.of())).isEqualTo(CanaryNoise.NONE);
        assertThat(StableTrackNoise.of(Collections.nCopies(60, TrackSample.NO_DATA)))
                .isEqualTo(CanaryNoise.NONE);
        // requests but no latency (no histogram): nothing to contrast
        assertThat(StableTrackNoise.of(Collections.nCopies(60, new TrackSample(500, 2, Double.NaN, Double.NaN, 0))))
                .isEqualTo(CanaryNoise.NONE);

        assertThat(StableTrackNoise.MIN_INTERVALS).isEqualTo(12);
        var enough = track(3, StableTrackNoise.MIN_INTERVALS, 1000, SIGMA);
        assertThat(StableTrackNoise.of(enough).known()).isTrue();
        assertThat(StableTrackNoise.of(enough.subList(1, enough.size()))).isEqualTo(CanaryNoise.NONE);

        // an hour of data, but every other interval missing: no two neighbours to contrast
        var gappy = new ArrayList<TrackSample>(track(4, 360, 1000, SIGMA));
        for (int i = 1; i < gappy.size(); i += 2) {
            gappy.set(i, TrackSample.NO_DATA);
        }
        assertThat(StableTrackNoise.of(gappy)).isEqualTo(CanaryNoise.NONE);
        assertThat(StableTrackNoise.withData(gappy)).isEqualTo(180);

        // identical, quantised readings (a coarse histogram at low traffic) say nothing of the noise
        assertThat(StableTrackNoise.of(Collections.nCopies(60, new TrackSample(40, 0, 50, 250, 0))))
                .isEqualTo(CanaryNoise.NONE);
    }

    @Test
    void overdispersedErrorCountsGiveTheirBurstsAndPoissonOnesNone() {
        double bursty = 0, poisson = 0;
        int runs = 200;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(300 + run);
            var withBursts = new ArrayList<TrackSample>();
            var without = new ArrayList<TrackSample>();
            for (int i = 0; i < 60; i++) {
                withBursts.add(interval(random, 500, SIGMA, 0.01, ErrorDispersionTest.SHAPE));
                without.add(interval(random, 500, SIGMA, 0.01, 0));
            }
            bursty += rhoFrom(StableTrackNoise.of(withBursts));
            poisson += rhoFrom(StableTrackNoise.of(without));
        }
        // the truth is 1 / (2 k) = 0.125, less one standard error in the estimate
        assertThat(bursty / runs).isBetween(0.08, 0.125);
        assertThat(poisson / runs).isLessThan(0.01);
    }

    /** The burst correlation a canary starting from {@code noise} begins with. */
    static double rhoFrom(CanaryNoise noise) {
        assertThat(noise.bursts().known()).isTrue();
        var d = new ErrorDispersion();
        d.startFrom(noise.bursts());
        return d.rho();
    }

    @Test
    void theWindowReadsBackFromTheAuditEntryAndAnythingElseIsRefusedWithItsPlace() {
        var window = new StableTrackNoise.Window(
                Instant.parse("2026-11-24T09:50:00Z"), Instant.parse("2026-11-24T10:00:00Z"), 58);
        assertThat(window.auditFields())
                .containsExactly(
                        Map.entry("from", "2026-11-24T09:50:00Z"),
                        Map.entry("to", "2026-11-24T10:00:00Z"),
                        Map.entry("intervals", 58));
        assertThat(StableTrackNoise.Window.fromAuditFields(window.auditFields(), "w"))
                .isEqualTo(window);
        Object[][] refused = {
            {"[1]", "w must be an object {from, to, intervals}"},
            {
                Map.of("from", "2026-11-24T09:50:00Z", "to", "2026-11-24T10:00:00Z", "intervals", 58, "x", 1),
                "w has an unknown key 'x'"
            },
            {
                Map.of("from", "yesterday", "to", "2026-11-24T10:00:00Z", "intervals", 58),
                "w.from must be an instant such as 2026-11-24T09:50:00Z, got yesterday"
            },
            {Map.of("from", "2026-11-24T09:50:00Z", "intervals", 58), "w.to must be an instant"},
            {
                Map.of("from", "2026-11-24T10:00:00Z", "to", "2026-11-24T09:50:00Z", "intervals", 58),
                "w.from must be before w.to"
            },
            {
                Map.of("from", "2026-11-24T09:50:00Z", "to", "2026-11-24T10:00:00Z", "intervals", -1),
                "w.intervals must be a whole number from 0"
            },
            {
                Map.of("from", "2026-11-24T09:50:00Z", "to", "2026-11-24T10:00:00Z", "intervals", 5.5),
                "w.intervals must be a whole number from 0"
            },
        };
        for (Object[] c : refused) {
            assertThatThrownBy(() -> StableTrackNoise.Window.fromAuditFields(c[0], "w"))
                    .as(String.valueOf(c[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining((String) c[1]);
        }
    }
}
