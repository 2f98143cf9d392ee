package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The closing test: at its level it rejects a healthy canary about as often as the level says (not more), it finds
 * slowly growing regressions the sequential judge has not proved by then, it is taken once, at its time, and it leaves
 * a handful of errors to the sequential judge.
 */
class ClosingTestTest {
    static final int[] WEIGHTS = {5, 25, 50};

    /**
     * One healthy canary of 36 intervals (5%, 25%, 50% of {@code requests} a track), common rate and level drifting;
     * with {@code rough}, the quantiles' noise does not shrink with the requests (as a p99 of a few requests).
     */
    static ClosingTest healthy(long seed, double requests, boolean rough) {
        var random = new SplittableRandom(seed);
        var test = new ClosingTest();
        double base = 0.002 + 0.02 * random.nextDouble();
        for (int i = 0; i < 36; i++) {
            double n = requests / 50 * WEIGHTS[i / 12];
            double drift = 1 + 0.5 * Math.sin(i / 5.0);
            double nB = Math.max(1, Math.round(n + Math.sqrt(n) * random.nextGaussian()));
            double nC = Math.max(1, Math.round(n + Math.sqrt(n) * random.nextGaussian()));
            test.observe(
                    new IntervalSample(
                            10L * i,
                            track(random, nB, base * drift, drift, rough),
                            track(random, nC, base * drift, drift, rough)),
                    10 * i + 5);
        }
        return test;
    }

    /**
     * Poisson errors (given both tracks' total, the canary's share is then exactly binomial, as the test assumes) and
     * log-normal quantile noise shrinking with the requests (with {@code rough}, of one size at any traffic).
     */
    static TrackSample track(SplittableRandom random, double requests, double rate, double level, boolean rough) {
        double spread = rough ? 0.4 : 1 / Math.sqrt(requests);
        return new TrackSample(
                requests,
                poisson(random, requests * rate),
                40 * level * Math.exp(0.7 * random.nextGaussian() * spread),
                230 * level * Math.exp(1.5 * random.nextGaussian() * spread),
                0);
    }

    static int poisson(SplittableRandom random, double mean) {
        double limit = Math.exp(-mean), p = 1;
        int k = -1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit);
        return k;
    }

    @Test
    void aHealthyCanaryIsRejectedAboutAsOftenAsTheLevelSaysAndNoMore() {
        double level = 0.01; // per metric, to have enough rejections to count
        int[] busy = rejections(10_000, 1000, false, level);
        // the metrics are checked in order and the first to reject is reported, so only the first count is exact
        assertTrue(busy[0] <= 125 && busy[0] >= 50, "the error test rejected " + busy[0] + " of 10000");
        int any = busy[0] + busy[1] + busy[2];
        assertTrue(any <= 375 && any >= 150, "some test rejected " + any + " of 10000");
        // a quiet service, whose quantiles are as noisy at 50% as at 5%: a test that assumed a spread shrinking with
        // the requests would reject the latency far more often than its level
        int[] quiet = rejections(10_000, 40, true, level);
        assertTrue(quiet[1] <= 125, "the p50 test rejected " + quiet[1] + " of 10000");
        assertTrue(quiet[1] + quiet[2] <= 250, "the latency tests rejected " + (quiet[1] + quiet[2]) + " of 10000");
    }

    /** How many of {@code runs} healthy canaries each metric's test rejects first: error rate, p50, p99. */
    static int[] rejections(int runs, double requests, boolean rough, double level) {
        AtomicInteger errors = new AtomicInteger(), p50 = new AtomicInteger(), p99 = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            ClosingTest test = healthy(9000 + run, requests, rough);
            test.regression(level, level, 340).ifPresent(e -> {
                switch (e.metric()) {
                    case "error_rate" -> errors.incrementAndGet();
                    case "p50_ms" -> p50.incrementAndGet();
                    default -> p99.incrementAndGet();
                }
            });
        });
        return new int[] {errors.get(), p50.get(), p99.get()};
    }

    @Test
    void aSlowRampTheSequentialJudgeHasNotProvedIsRolledBackAtTheClosingTest() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        var off = PolicyBuilder.from(policy);
        off.closingAlpha = 0;
        CanaryPolicy withoutClosing = off.build();
        var late = PolicyBuilder.from(policy);
        late.closingTestSeconds = 100_000;
        CanaryPolicy lateClosing = late.build();
        int closing = 0, rolledBack = 0, rolledBackWithout = 0;
        for (long seed = 1; seed <= 60; seed++) {
            // errors doubling over 5 min from 30 s on, at a traffic where the sequential judge often cannot prove it
            List<IntervalSample> series = CanaryHoldTest.errorSeries(seed, 54, 600, CanaryHoldTest::ramp);
            AnalysisReport with = CanaryAnalysis.replay(series, policy);
            AnalysisReport without = CanaryAnalysis.replay(series, withoutClosing);
            assertEquals(
                    with.verdict(),
                    CanaryAnalysis.replay(series, lateClosing).verdict(),
                    "seed " + seed + ": a closing time after the canary's end is taken at its end");
            rolledBack += with.verdict() instanceof Verdict.Rollback ? 1 : 0;
            rolledBackWithout += without.verdict() instanceof Verdict.Rollback ? 1 : 0;
            if (with.verdict() instanceof Verdict.Rollback r
                    && r.evidence().getFirst().judge().equals("closing")) {
                closing++;
                assertEquals(policy.closingTestSeconds(), r.at(), "seed " + seed);
                assertEquals("error_rate", r.evidence().getFirst().metric(), "seed " + seed);
                assertTrue(
                        r.evidence().getFirst().pValue() < policy.closingAlpha() * ClosingTest.ERROR_SHARE,
                        "seed " + seed);
                assertTrue(r.evidence().getFirst().reason().contains("closing test at 340 s"), "seed " + seed);
            }
            if (without.verdict() instanceof Verdict.Rollback) {
                assertInstanceOf(Verdict.Rollback.class, with.verdict(), "seed " + seed);
            }
        }
        assertTrue(closing >= 6, "the closing test rolled back " + closing + " of 60");
        assertEquals(rolledBackWithout + closing, rolledBack);
    }

    /** One step at 50% of {@code intervals}, no promotion before 600 s, the closing test at 3%. */
    static PolicyBuilder oneStep(int intervals) {
        var b = PolicyBuilder.defaults();
        b.steps = List.of(new CanaryStep(50, intervals));
        b.minPromoteSeconds = 600;
        b.promoteBySeconds = 600;
        b.closingAlpha = 0.03;
        return b;
    }

    @Test
    void itIsTakenOnceAtItsTime() {
        // one long step: the closing test is taken at 340 s, so a slowdown from 400 s on is the sequential judge's
        CanaryPolicy policy = oneStep(60).build();
        int bySequential = 0, atItsTime = 0;
        for (long seed = 1; seed <= 10; seed++) {
            List<IntervalSample> late = CanaryPromotionTest.series(seed, 60, i -> i >= 40 ? 1.06 : 1.0);
            if (CanaryAnalysis.replay(late, policy).verdict() instanceof Verdict.Rollback r) {
                String judge = r.evidence().getFirst().judge();
                assertTrue(!judge.equals("closing") || r.at() == 340, "seed " + seed + ": closing at " + r.at());
                bySequential += judge.equals("sequential") && r.at() > 400 ? 1 : 0;
            }
            // a smaller slowdown from 150 s on is there when the test is taken
            List<IntervalSample> early = CanaryPromotionTest.series(seed, 60, i -> i >= 15 ? 1.03 : 1.0);
            if (CanaryAnalysis.replay(early, policy).verdict() instanceof Verdict.Rollback r
                    && r.evidence().getFirst().judge().equals("closing")) {
                assertEquals(340, r.at(), "seed " + seed);
                atItsTime++;
            }
        }
        assertTrue(bySequential >= 8, "the sequential judge rolled back " + bySequential + " of 10");
        assertTrue(atItsTime >= 3, "the closing test rolled back " + atItsTime + " of 10 at 340 s");
    }

    @Test
    void aClosingTimeAfterAHeldCanarysEndIsTakenAtThatEnd() {
        // one step of 300 s and a closing time of 400 s: taken at 300 s, when a held canary ends, not never
        var b = oneStep(30);
        b.closingTestSeconds = 400;
        CanaryPolicy policy = b.build();
        assertEquals(300, policy.closingAtSeconds());
        b.closingTestSeconds = 250;
        assertEquals(250, b.build().closingAtSeconds(), "an earlier time is kept");
        // the default schedule: a held canary's 50% step starts at 160 s and ends at 340 s, so a later time is 340 s
        var late = PolicyBuilder.defaults();
        late.closingTestSeconds = 99_999;
        assertEquals(340, late.build().closingAtSeconds());
        assertEquals(340, CanaryPolicy.defaults().heldCanaryEndSeconds());
        int atTheEnd = 0;
        for (long seed = 1; seed <= 10; seed++) {
            List<IntervalSample> slower = CanaryPromotionTest.series(seed, 30, i -> i >= 15 ? 1.03 : 1.0);
            Verdict verdict = CanaryAnalysis.replay(slower, policy).verdict();
            if (verdict instanceof Verdict.Rollback r
                    && r.evidence().getFirst().judge().equals("closing")) {
                assertEquals(300, r.at(), "seed " + seed);
                assertTrue(r.evidence().getFirst().reason().contains("closing test at 300 s"), "seed " + seed);
                atTheEnd++;
            } else {
                assertInstanceOf(Verdict.Promote.class, verdict, "seed " + seed);
                assertEquals(300, verdict.at(), "seed " + seed);
            }
        }
        assertTrue(atTheEnd >= 3, "the closing test rolled back " + atTheEnd + " of 10 at 300 s");
    }

    @Test
    void aHandfulOfErrorsIsLeftToTheSequentialJudge() {
        var test = new ClosingTest();
        for (int i = 0; i < 36; i++) {
            double canaryErrors = i % 4 == 0 ? 1 : 0; // 9 canary errors, none in the baseline
            test.observe(
                    new IntervalSample(
                            10L * i,
                            new TrackSample(1000, 0, 40, 230, 0),
                            new TrackSample(1000, canaryErrors, 40, 230, 0)),
                    10 * i + 5);
        }
        assertTrue(test.errorZ() > 2, "they lean towards a regression, z " + test.errorZ());
        assertTrue(test.regression(0.3, 360).isEmpty(), "but the test is not taken on 9 errors");
    }

    @Test
    void aPolicyRefusesANegativeClosingAlphaABudgetOfOneOrMoreOrAHoldThatIsNotANumber() {
        var b = PolicyBuilder.defaults();
        b.closingAlpha = -0.01;
        assertThrows(IllegalArgumentException.class, b::build);
        b.closingAlpha = 0.995;
        var e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("closing test's alpha"), e.getMessage());
        b.closingAlpha = 0;
        b.closingTestSeconds = -1;
        assertThrows(IllegalArgumentException.class, b::build);
        b.closingTestSeconds = 340;
        b.holdLatencyT = Double.POSITIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("hold thresholds must be numbers"), e.getMessage());
    }
}
