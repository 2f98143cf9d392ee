package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.bench.Fault;
import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A canary that starts from its service's latency noise (see {@link CanaryNoise}): a slowdown from the first
 * interval is found in one or two, healthy canaries with a true history still rarely cross 1/alpha, and a history
 * that no longer fits (a noisier service, a wider spread) is dropped before it rolls healthy canaries back, while a
 * slowdown does not make it drop.
 */
class LatencyNoiseHistoryTest {
    static final double ALPHA = 0.05;
    /** Per-request noise of a log quantile (p50 of the benchmark's latency is about this), and its variance. */
    static final double SIGMA = 0.72;

    /** A true history: {@code values} readings of the noise, as earlier canaries would have measured it. */
    static CanaryNoise.Reading history(SplittableRandom random, int values, double sigma) {
        double sum = 0;
        for (int i = 0; i < values; i++) {
            double x = sigma * random.nextGaussian();
            sum += x * x;
        }
        return new CanaryNoise.Reading(values, sum);
    }

    /** Feeds one interval of both tracks with n requests each, the canary shifted by {@code shift} (log units). */
    static void observe(LatencyEProcess p, SplittableRandom random, double n, double sigma, double shift) {
        double sd = sigma / Math.sqrt(n);
        p.observe(
                Math.exp(Math.log(40) + sd * random.nextGaussian()),
                Math.exp(Math.log(40) + shift + sd * random.nextGaussian()),
                n,
                n);
    }

    /** In how many of {@code runs} a +25% slowdown from the first interval (n requests a track) is found within k. */
    static int foundWithin(int k, double n, boolean withHistory, int runs) {
        double threshold = 1 / SequentialPolicy.defaults().latencyAlpha();
        return (int) IntStream.range(0, runs)
                .filter(run -> {
                    var random = new SplittableRandom(7000 + run);
                    var p = new LatencyEProcess(
                            0.10, withHistory ? history(random, 30, SIGMA) : CanaryNoise.Reading.NONE);
                    for (int i = 0; i < k; i++) {
                        observe(p, random, n, SIGMA, Math.log(1.25));
                        if (p.eValue() >= threshold) {
                            return true;
                        }
                    }
                    return false;
                })
                .count();
    }

    @Test
    void withTheServicesNoiseKnownASlowdownFromTheFirstIntervalIsFoundInTwo() {
        // 25% of 200 requests/s: 500 requests a track per interval
        int runs = 400;
        int warm = foundWithin(2, 500, true, runs), cold = foundWithin(2, 500, false, runs);
        System.out.println("found within 2 intervals: with history " + warm + ", without " + cold + " of " + runs);
        assertThat(warm).isGreaterThanOrEqualTo(runs * 9 / 10);
        assertThat(cold).isLessThan(runs / 2);
    }

    /** How many of {@code runs} healthy canaries cross 1/alpha, with a history whose noise is {@code historySigma}. */
    static int healthyCrossings(double historySigma, int runs, List<Integer> droppedAt) {
        return (int) IntStream.range(0, runs)
                .filter(run -> {
                    var random = new SplittableRandom(100 + run);
                    double sigma = SIGMA * (0.5 + random.nextDouble()); // any noise level
                    var p = new LatencyEProcess(0.10, history(random, 30, historySigma * sigma / SIGMA));
                    boolean crossed = false;
                    int dropped = -1;
                    for (int i = 0; i < 54; i++) {
                        double mean = LatencyEProcessTest.STEPS[Math.min(i / 6, 2)];
                        observe(p, random, mean, sigma, 0);
                        crossed |= p.eValue() >= 1 / ALPHA;
                        if (!p.usesHistory() && dropped < 0) {
                            dropped = i;
                        }
                    }
                    if (dropped >= 0) {
                        synchronized (droppedAt) {
                            droppedAt.add(dropped);
                        }
                    }
                    return crossed;
                })
                .count();
    }

    @Test
    void healthyCanariesWithATrueHistoryRarelyEverCrossOneOverAlpha() {
        int runs = 4000;
        var dropped = new ArrayList<Integer>();
        int crossed = healthyCrossings(SIGMA, runs, dropped);
        System.out.println("true history: crossed " + crossed + ", history dropped in " + dropped.size());
        assertThat(crossed).isLessThanOrEqualTo((int) (ALPHA * runs));
        // the check drops a true history about as often as its level says (5%), and keeps it otherwise
        assertThat(dropped.size()).isBetween(runs / 50, runs / 5);
    }

    @Test
    void aHistoryFromAQuieterServiceIsDroppedWithinAFewIntervals() {
        int runs = 4000;
        var dropped = new ArrayList<Integer>();
        // the service is now twice as noisy (four times the variance) as its history says
        int crossed = healthyCrossings(SIGMA / 2, runs, dropped);
        dropped.sort(null);
        int median = dropped.isEmpty() ? -1 : dropped.get(dropped.size() / 2);
        System.out.println(
                "quieter history: crossed " + crossed + ", dropped in " + dropped.size() + ", median at " + median);
        assertThat(dropped.size()).isGreaterThanOrEqualTo(runs * 99 / 100);
        assertThat(median).isLessThanOrEqualTo(4);
        // the price of trusting a history: more false alarms until it is dropped (measured 417 of 4000 at alpha 5%,
        // against 31 with a true history and 765 without the check)
        assertThat(crossed).isLessThanOrEqualTo((int) (3 * ALPHA * runs));
    }

    @Test
    void aSlowdownDoesNotMakeTheCanaryDropItsHistory() {
        double threshold = 1 / SequentialPolicy.defaults().latencyAlpha();
        int runs = 400, kept = 0;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(300 + run);
            var p = new LatencyEProcess(0.10, history(random, 30, SIGMA));
            for (int i = 0; i < 30; i++) {
                observe(p, random, 500, SIGMA, i >= 6 ? Math.log(1.25) : 0);
                if (p.eValue() >= threshold) {
                    break;
                }
            }
            kept += p.usesHistory() ? 1 : 0;
        }
        assertThat(kept).isGreaterThanOrEqualTo(runs * 85 / 100);
    }

    @Test
    void theNoiseACanaryKeepsIsItsOwnWithoutTheHistory() {
        var a = new SplittableRandom(11);
        var b = new SplittableRandom(11);
        var warm = new LatencyEProcess(0.10, new CanaryNoise.Reading(30, 30 * SIGMA * SIGMA));
        var cold = new LatencyEProcess(0.10);
        for (int i = 0; i < 9; i++) {
            observe(warm, a, 500, SIGMA, 0);
            observe(cold, b, 500, SIGMA, 0);
        }
        assertThat(warm.noise()).isEqualTo(cold.noise());
        // one difference per interval and one level contrast per interval after each block's first, less the shift
        assertThat(warm.noise().values()).isEqualTo(9 + 8 - 1 - 1);
        assertThat(warm.noise().variance()).isBetween(0.25, 1.0);
    }

    @Test
    void aPromotedCanarysSmallShiftIsNotKeptAsNoise() {
        // a canary 5% slower throughout, at 1000 requests a track: the shift is 1.5 sigma a reading
        double shifted = 0, steady = 0;
        for (int run = 0; run < 200; run++) {
            var a = new LatencyEProcess(0.10);
            var b = new LatencyEProcess(0.10);
            var random = new SplittableRandom(600 + run);
            for (int i = 0; i < 18; i++) {
                observe(a, random, 1000, SIGMA, Math.log(1.05));
                observe(b, random, 1000, SIGMA, 0);
            }
            shifted += a.noise().variance();
            steady += b.noise().variance();
        }
        assertThat(shifted / 200).isBetween(0.8 * SIGMA * SIGMA, 1.2 * SIGMA * SIGMA);
        assertThat(steady / 200).isBetween(0.8 * SIGMA * SIGMA, 1.2 * SIGMA * SIGMA);
    }

    @Test
    void identicalQuantisedReadingsAtLowTrafficKeepNoNoise() {
        // 2 requests a track and the same reading every time: the variance would be the resolution floor alone
        var quiet = new LatencyEProcess(0.10);
        for (int i = 0; i < 20; i++) {
            quiet.observe(40, 40, 2, 2);
        }
        assertThat(quiet.noise()).isEqualTo(CanaryNoise.Reading.NONE);
        var few = new LatencyEProcess(0.10);
        var random = new SplittableRandom(5);
        for (int i = 0; i < 4; i++) {
            observe(few, random, 500, SIGMA, 0);
        }
        assertThat(few.noise()).as("too few values").isEqualTo(CanaryNoise.Reading.NONE);
    }

    @Test
    void aPolicyWithoutNoiseHistoryIgnoresTheHistoryItIsGiven() {
        var p = SequentialPolicy.defaults();
        var off = new SequentialPolicy(
                p.alpha(),
                p.promoteAlpha(),
                p.errorRatio(),
                p.errorPoints(),
                p.p50Increase(),
                p.p99Increase(),
                p.warmupIntervals(),
                0,
                p.stableNoiseMinutes());
        var history = new CanaryNoise(
                new CanaryNoise.Reading(30, 30 * 0.5),
                new CanaryNoise.Reading(30, 30 * 2.0),
                new CanaryNoise.Spread(20, 20 * Math.log(5)),
                new CanaryNoise.Bursts(50, 100, 10));
        assertThat(new SequentialJudge(off, history).usesHistory()).isFalse();
        assertThat(new SequentialJudge(p, history).usesHistory()).isTrue();
    }

    /** Past healthy canaries of {@code scenario}, judged in turn: the noise their service would have kept. */
    static CanaryNoise earlierCanaries(Scenario scenario, long seed) {
        var kept = new ArrayList<CanaryNoise>();
        var policy = CanaryPolicy.defaults();
        for (int i = 0; i < CanaryNoise.CANARIES; i++) {
            var analysis = new CanaryAnalysis(policy, CanaryNoise.pooled(kept));
            var generator = new TrafficGenerator(scenario, Double.POSITIVE_INFINITY, seed * 31 + i);
            for (int k = 0; k < 60; k++) {
                Verdict v = analysis.observe(generator.next(10L * k, analysis.weight()));
                if (v instanceof Verdict.Promote) {
                    kept.add(analysis.noise());
                }
                if (!(v instanceof Verdict.Continue)) {
                    break;
                }
            }
        }
        return CanaryNoise.pooled(kept);
    }

    @Test
    void aBaselineSpreadWiderThanTheHistorysDropsItWithinFiveIntervalsAndTheSameServiceKeepsIt() {
        var normal = new Scenario("normal", 200, 0.005, 0.35, false, false, false, Fault.NONE);
        var heavy = new Scenario("heavy-tailed", 200, 0.005, 0.8, false, false, false, Fault.NONE);
        var policy = SequentialPolicy.defaults();
        int runs = 100, droppedSoon = 0, keptThroughout = 0;
        for (int run = 0; run < runs; run++) {
            CanaryNoise history = earlierCanaries(normal, run);
            assertThat(history.known()).isTrue();
            var other = new SequentialJudge(policy, history);
            var same = new SequentialJudge(policy, history);
            var a = new TrafficGenerator(heavy, Double.POSITIVE_INFINITY, 50_000 + run);
            var b = new TrafficGenerator(normal, Double.POSITIVE_INFINITY, 50_000 + run);
            for (int k = 0; k < 20; k++) {
                int weight = k < 3 ? 5 : k < 16 ? 25 : 50;
                other.observe(a.next(10L * k, weight));
                same.observe(b.next(10L * k, weight));
                if (k == 5 && !other.usesHistory()) { // the first interval is the judge's warm-up
                    droppedSoon++;
                }
            }
            keptThroughout += same.usesHistory() ? 1 : 0;
        }
        System.out.println("spread: dropped by the fifth interval " + droppedSoon + " kept " + keptThroughout);
        assertThat(droppedSoon).isGreaterThanOrEqualTo(runs * 90 / 100);
        assertThat(keptThroughout).isGreaterThanOrEqualTo(runs * 90 / 100);
    }

    @Test
    void aWiderSpreadDropsTheHistoryEvenAfterOneQuantileHasDroppedItsOwn() {
        // the history understates p50's noise a hundredfold (its own check drops it at once) but has p99's right;
        // then the baseline's p99 sits 10% further out than the history's spread says, steadily (no noisier from one
        // interval to the next, so p99's own check keeps its history): only the spread check can drop it
        double p50Variance = 0.5, p99Variance = 2.0, spread = Math.log(5);
        var history = new CanaryNoise(
                new CanaryNoise.Reading(30, 30 * p50Variance / 100),
                new CanaryNoise.Reading(30, 30 * p99Variance),
                new CanaryNoise.Spread(20, 20 * spread),
                CanaryNoise.Bursts.NONE);
        int runs = 200, dropped = 0;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(4000 + run);
            var judge = new SequentialJudge(SequentialPolicy.defaults(), history);
            for (int i = 0; i < 12; i++) {
                double n = 500;
                double p50 = 40 * Math.exp(Math.sqrt(p50Variance / n) * random.nextGaussian());
                double p99 = 40 * 5 * 1.1 * Math.exp(Math.sqrt(p99Variance / n) * random.nextGaussian());
                double c50 = 40 * Math.exp(Math.sqrt(p50Variance / n) * random.nextGaussian());
                double c99 = 40 * 5 * 1.1 * Math.exp(Math.sqrt(p99Variance / n) * random.nextGaussian());
                judge.observe(new IntervalSample(
                        10L * i, new TrackSample(n, 2, p50, p99, 0), new TrackSample(n, 2, c50, c99, 0)));
            }
            dropped += judge.usesHistory() ? 0 : 1;
        }
        assertThat(dropped).isGreaterThanOrEqualTo(runs * 95 / 100);
    }

    @Test
    void noiseIsPooledOverCanariesAndCappedAtTheSameVariance() {
        var one = new CanaryNoise(
                new CanaryNoise.Reading(20, 10),
                new CanaryNoise.Reading(20, 40),
                new CanaryNoise.Spread(10, 16),
                new CanaryNoise.Bursts(-3, 50, 7));
        var two = new CanaryNoise(
                new CanaryNoise.Reading(40, 26),
                new CanaryNoise.Reading(40, 92),
                new CanaryNoise.Spread(20, 30),
                new CanaryNoise.Bursts(8, 70, 11));
        var pooled = CanaryNoise.pooled(List.of(one, two));
        assertThat(pooled.p50()).isEqualTo(new CanaryNoise.Reading(60, 36));
        assertThat(pooled.p99()).isEqualTo(new CanaryNoise.Reading(60, 132));
        assertThat(pooled.spread().mean()).isEqualTo(46.0 / 30);
        var capped = pooled.capped(30);
        assertThat(capped.p50().values()).isEqualTo(30);
        assertThat(capped.p50().variance()).isEqualTo(0.6);
        assertThat(capped.p99().sumSquares()).isEqualTo(66);
        assertThat(capped.spread()).isEqualTo(pooled.spread());
        assertThat(pooled.bursts()).isEqualTo(new CanaryNoise.Bursts(5, 120, 18));
        assertThat(capped.bursts()).isEqualTo(pooled.bursts());
        assertThat(CanaryNoise.pooled(List.of()).known()).isFalse();
        assertThat(pooled.known()).isTrue();
    }

    @Test
    void aNoiseReadingThatCannotBeIsRefusedSayingWhy() {
        assertThatThrownBy(() -> new CanaryNoise.Reading(-1, 0)).hasMessageContaining("0 or more values, got -1");
        assertThatThrownBy(() -> new CanaryNoise.Reading(3, Double.NaN)).hasMessageContaining("finite and 0 or more");
        assertThatThrownBy(() -> new CanaryNoise.Reading(0, 2)).hasMessageContaining("no values must sum to 0");
        assertThatThrownBy(() -> new CanaryNoise.Spread(-2, 0)).hasMessageContaining("0 or more intervals");
        assertThatThrownBy(() -> new CanaryNoise(
                        null, CanaryNoise.Reading.NONE, CanaryNoise.Spread.NONE, CanaryNoise.Bursts.NONE))
                .hasMessageContaining("p50 and p99 readings, the spread and the bursts");
        assertThatThrownBy(() -> new CanaryNoise.Bursts(1, -1, 0)).hasMessageContaining("noise of 0 or more");
        assertThatThrownBy(() -> new CanaryNoise.Bursts(Double.POSITIVE_INFINITY, 1, 0))
                .hasMessageContaining("finite excess");
    }
}
