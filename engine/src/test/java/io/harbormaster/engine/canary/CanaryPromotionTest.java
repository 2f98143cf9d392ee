package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * When the analysis promotes: not before the bake time, at the last step's end at the latest, and not while a
 * regression is still growing, even one whose average over the whole canary is small.
 */
class CanaryPromotionTest {

    /** A busy pair of tracks: 1000 requests each per interval, binomial errors, quantiles with their sampling noise. */
    static TrackSample busy(SplittableRandom random, double slowdown, double errorRate) {
        int errors = 0;
        for (int k = 0; k < 1000; k++) {
            if (random.nextDouble() < errorRate) errors++;
        }
        double p50 = 40 * slowdown * Math.exp(0.023 * random.nextGaussian());
        double p99 = 230 * slowdown * Math.exp(0.045 * random.nextGaussian());
        return new TrackSample(1000, errors, p50, p99, 0);
    }

    static List<IntervalSample> series(long seed, int intervals, java.util.function.IntToDoubleFunction slowdown) {
        var random = new SplittableRandom(seed);
        var list = new ArrayList<IntervalSample>();
        for (int i = 0; i < intervals; i++) {
            list.add(new IntervalSample(
                    10L * i, busy(random, 1, 0.005), busy(random, slowdown.applyAsDouble(i), 0.005)));
        }
        return list;
    }

    @Test
    void theTimelineShowsTheWeightEachIntervalRanAtNotTheNextOnes() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        AnalysisReport report = CanaryAnalysis.replay(series(3, 54, i -> 1.0), policy);
        List<TimelineEntry> rows = report.timeline();
        int firstStep = policy.steps().get(0).weight();
        int secondStep = policy.steps().get(1).weight();
        // the interval whose end closes the first step ran at the first step's weight; the one after at the second's
        int closing = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).note().startsWith("step 1 done")) {
                closing = i;
                break;
            }
        }
        assertTrue(closing > 0, "the first step never ended: " + rows);
        assertEquals(firstStep, rows.get(closing).weight(), "the row that ends step 1");
        assertEquals(secondStep, rows.get(closing + 1).weight(), "the row after it");
        assertEquals(firstStep, rows.getFirst().weight());
    }

    @Test
    void aHealthyCanaryIsPromotedAtTheBakeTimeNotBefore() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        long lastStepEnds = policy.lastStepAfterSeconds() + 180;
        int atBakeTime = 0;
        for (long seed = 1; seed <= 40; seed++) {
            AnalysisReport report = CanaryAnalysis.replay(series(seed, 54, i -> 1.0), policy);
            Verdict.Promote promote = assertInstanceOf(Verdict.Promote.class, report.verdict(), "seed " + seed);
            assertTrue(
                    promote.at() >= policy.minPromoteSeconds() && promote.at() <= lastStepEnds,
                    "seed " + seed + " promoted at " + promote.at());
            atBakeTime += promote.at() == policy.minPromoteSeconds() ? 1 : 0;
        }
        // the others were held a while: their statistics leaned towards a regression (about a third of healthy ones)
        assertTrue(atBakeTime >= 20, "promoted at the bake time in " + atBakeTime + " of 40");
    }

    @Test
    void withoutABakeTimeTheSameCanaryIsPromotedAsSoonAsTheJudgeIsSure() {
        CanaryPolicy d = CanaryPolicy.defaults();
        var b = PolicyBuilder.from(d);
        b.minPromoteSeconds = 0;
        b.lastStepAfterSeconds = 0;
        CanaryPolicy noBake = b.build();
        Verdict.Promote promote = assertInstanceOf(
                Verdict.Promote.class,
                CanaryAnalysis.replay(series(1, 54, i -> 1.0), noBake).verdict());
        assertTrue(promote.at() < d.minPromoteSeconds(), "promoted at " + promote.at());
    }

    @Test
    void aBakeTimeLongerThanTheStepsEndsWithTheLastStep() {
        CanaryPolicy policy = CanaryPolicy.defaults().withSteps(List.of(new CanaryStep(50, 6)));
        Verdict.Promote promote = assertInstanceOf(
                Verdict.Promote.class,
                CanaryAnalysis.replay(series(2, 54, i -> 1.0), policy).verdict());
        assertEquals(60, promote.at());
    }

    @Test
    void aSlowdownThatKeepsGrowingIsNeverPromoted() {
        // p50 and p99 grow by 2% per interval from shortly before the bake time ends: small on average, still growing
        for (long seed = 1; seed <= 10; seed++) {
            AnalysisReport report = CanaryAnalysis.replay(
                    series(seed, 54, i -> 1 + 0.02 * Math.max(0, i - 14)), CanaryPolicy.defaults());
            assertNotEquals("PROMOTE", report.decision(), "seed " + seed);
        }
    }
}
