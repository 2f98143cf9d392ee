package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The known traps of canary analysis, one test each, through the whole analysis. */
class CanaryTrapsTest {

    @Test
    void aVarianceIncreaseWithTheSameMedianIsRolledBackOnP99() {
        var random = new SplittableRandom(7);
        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            // same p50, the canary's tail doubles
            series.add(new IntervalSample(
                    10L * i, Samples.noisy(random, 1, 1, 0.005), Samples.noisy(random, 1, 2, 0.005)));
        }
        AnalysisReport report = Samples.replay(series);
        Verdict.Rollback rollback = assertInstanceOf(Verdict.Rollback.class, report.verdict());
        assertEquals("p99_ms", rollback.evidence().getFirst().metric());
        assertEquals("sequential", rollback.evidence().getFirst().judge());
    }

    @Test
    void sparseNewErrorsAgainstAZeroErrorBaselineAreRolledBackThoughKayentaPassesThem() {
        double[] pattern = {0, 1, 2, 1, 0, 0};
        // the fixed-horizon judge sees nothing wrong in the first six intervals
        MetricComparison kayenta = MannWhitneyJudge.classify(
                "error_rate", new double[6], pattern, Direction.INCREASE, MannWhitneyPolicy.defaults());
        assertEquals(Classification.PASS, kayenta.classification());

        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            series.add(new IntervalSample(
                    10L * i, Samples.track(100, 0, 40, 200), Samples.track(100, pattern[i % 6], 40, 200)));
        }
        Verdict.Rollback rollback =
                assertInstanceOf(Verdict.Rollback.class, Samples.replay(series).verdict());
        assertEquals("error_rate", rollback.evidence().getFirst().metric());
        assertTrue(rollback.evidence().getFirst().eValue()
                >= 1 / SequentialPolicy.defaults().errorAlpha());
    }

    @Test
    void intervalsWithoutDataNeverPromoteAndPauseAfterTheConfiguredTime() {
        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            series.add(new IntervalSample(10L * i, TrackSample.NO_DATA, TrackSample.NO_DATA));
        }
        AnalysisReport report = Samples.replay(series);
        Verdict.Pause pause = assertInstanceOf(Verdict.Pause.class, report.verdict());
        assertEquals(CanaryPolicy.defaults().maxNoDataSeconds(), pause.at());
    }

    @Test
    void aCrashLoopingCanaryThatServesNothingIsRolledBackOnItsRestartsNotPausedForNoData() {
        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            // no request series at all from the canary, but its pods restart
            series.add(new IntervalSample(
                    10L * i,
                    Samples.track(100, 0, 40, 200),
                    new TrackSample(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1)));
        }
        Verdict.Rollback rollback =
                assertInstanceOf(Verdict.Rollback.class, Samples.replay(series).verdict());
        assertEquals("restarts", rollback.evidence().getFirst().metric());
        assertEquals("hard-trigger", rollback.evidence().getFirst().judge());
        // the third restart, in the third interval: long before the no-data pause
        assertEquals(30, rollback.at());
    }

    @Test
    void aMetricWithNoDataAtAllBlocksPromotionEvenWhenTheOthersAreFine() {
        var series = new ArrayList<IntervalSample>();
        for (IntervalSample s : Samples.healthy(60, 3)) {
            TrackSample c = s.canary();
            series.add(new IntervalSample(
                    s.t(),
                    s.baseline(),
                    new TrackSample(c.requests(), c.errors(), c.p50Ms(), Double.NaN, c.restarts())));
        }
        assertNotEquals("PROMOTE", Samples.replay(series).decision());
        assertNotEquals("ROLLBACK", Samples.replay(series).decision());
    }

    @Test
    void emptyResultsAreNodataNotZero() {
        MetricComparison c = MannWhitneyJudge.classify(
                "p99_ms",
                new double[] {Double.NaN, Double.NaN},
                new double[] {},
                Direction.INCREASE,
                MannWhitneyPolicy.defaults());
        assertEquals(Classification.NODATA, c.classification());
    }

    @Test
    void freshPodsWarmingUpOnBothTracksAreNotRolledBack() {
        var random = new SplittableRandom(11);
        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            double warm = 1 + 1.5 * Math.exp(-i / 4.0); // both are fresh, so both are slow at first
            double errors = 0.005 * (1 + 4 * Math.exp(-i / 4.0));
            series.add(new IntervalSample(
                    10L * i, Samples.noisy(random, warm, warm, errors), Samples.noisy(random, warm, warm, errors)));
        }
        assertEquals("PROMOTE", Samples.replay(series).decision());
    }

    @Test
    void lowTrafficWithAnOccasionalCanaryErrorIsNotRolledBack() {
        var series = new ArrayList<IntervalSample>();
        for (int i = 0; i < 54; i++) {
            double canaryErrors = i % 9 == 4 ? 1 : 0; // one failed request of ten now and then
            double baselineErrors = i % 13 == 6 ? 1 : 0;
            series.add(new IntervalSample(
                    10L * i,
                    Samples.track(10, baselineErrors, 40 + i % 3, 150 + 10 * (i % 4)),
                    Samples.track(10, canaryErrors, 40 + (i + 1) % 3, 150 + 10 * ((i + 2) % 4))));
        }
        assertNotEquals("ROLLBACK", Samples.replay(series).decision());
    }

    @Test
    void aHealthyCanaryIsPromotedBeforeTheLastStepRunsOut() {
        AnalysisReport report = Samples.replay(Samples.healthy(54, 5));
        Verdict.Promote promote = assertInstanceOf(Verdict.Promote.class, report.verdict());
        assertTrue(promote.at() < 540, "promoted at " + promote.at());
    }

    @Test
    void theRollbackCarriesTheValuesTheEstimateAndTheEValueThatFired() {
        var random = new SplittableRandom(13);
        List<IntervalSample> series = new ArrayList<>();
        for (int i = 0; i < 54; i++) {
            series.add(new IntervalSample(
                    10L * i, Samples.noisy(random, 1, 1, 0.005), Samples.noisy(random, 1.3, 1.3, 0.005)));
        }
        Verdict.Rollback rollback =
                assertInstanceOf(Verdict.Rollback.class, Samples.replay(series).verdict());
        Evidence e = rollback.evidence().getFirst();
        assertEquals("p50_ms", e.metric());
        assertTrue(e.estimate() > 1.2 && e.estimate() < 1.4, "estimated ratio " + e.estimate());
        assertTrue(e.eValue() >= 1 / SequentialPolicy.defaults().latencyAlpha());
        assertTrue(e.reason().contains("ratio"));
    }
}
