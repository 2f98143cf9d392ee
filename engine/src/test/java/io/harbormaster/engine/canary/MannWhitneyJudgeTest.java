package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MannWhitneyJudgeTest {
    static final double[] BASELINE = {40, 41, 42, 43, 44, 45, 39, 40, 42, 41};
    static final double[] SLOWER = {50, 52, 51, 49, 55, 53, 50, 52, 51, 54};

    @Test
    void aClearlySlowerCanaryIsHighAndItsEffectSizeIsTheRatioOfMeans() {
        MetricComparison c =
                MannWhitneyJudge.classify("p50_ms", BASELINE, SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults());
        assertEquals(Classification.HIGH, c.classification());
        assertEquals(51.7 / 41.7, c.effectSize(), 1e-9);
    }

    @Test
    void theReasonGivesTheToleranceAndTheLevelInFewDigitsWhateverTheirSize() {
        String huge = MannWhitneyJudge.classify(
                        "p50_ms",
                        BASELINE,
                        SLOWER,
                        Direction.INCREASE,
                        MannWhitneyPolicy.defaults().withTolerance(1e308))
                .reason();
        assertTrue(huge.contains("(tolerance 1e+308 of the estimate)"), huge); // was 309 digits and ".00"
        assertTrue(huge.length() < 200, huge);
        String usual = MannWhitneyJudge.classify(
                        "p50_ms", BASELINE, SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults())
                .reason();
        assertTrue(usual.contains("98% interval") && usual.contains("(tolerance 0.25 of the estimate)"), usual);
        String fine = MannWhitneyJudge.classify(
                        "p50_ms",
                        BASELINE,
                        SLOWER,
                        Direction.INCREASE,
                        MannWhitneyPolicy.defaults().withConfidence(0.995).withTolerance(0.125))
                .reason();
        assertTrue(fine.contains("99.5% interval") && fine.contains("(tolerance 0.125 of the estimate)"), fine);
    }

    @Test
    void overABaselineMeanOfZeroTheRatioIsSaidToBeUndefinedNotPrintedAsInfinity() {
        double[] baseline = {0, 0, 0, 0, 0, 0}, canary = {1, 2, 3, 0, 2, 1};
        MetricComparison c = MannWhitneyJudge.classify(
                "restarts", baseline, canary, Direction.INCREASE, MannWhitneyPolicy.defaults());
        assertTrue(c.reason().endsWith("baseline mean is 0: ratio undefined"), c.reason());
        assertTrue(!c.reason().contains("Infinity"), c.reason());
        assertEquals(java.util.Optional.of("baseline mean is 0: ratio undefined"), c.effectSizeUndefined());
        // the judge still treats any rise over a baseline that never moved as past the allowed increase
        assertEquals(Double.POSITIVE_INFINITY, c.effectSize());
        MetricComparison usual =
                MannWhitneyJudge.classify("p50_ms", BASELINE, SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults());
        assertTrue(usual.reason().contains("mean ratio 1.24"), usual.reason());
        assertEquals(java.util.Optional.empty(), usual.effectSizeUndefined());
    }

    @Test
    void twoConstantSamplesThatDifferAreComparedNotRefused() {
        // a quantised metric that does not move on either track (R's wilcox.test stops here)
        double[] baseline = {250, 250, 250, 250, 250, 250}, canary = {500, 500, 500, 500, 500, 500};
        MannWhitneyResult r = MannWhitney.test(canary, baseline, 0.98);
        assertEquals(250, r.estimate());
        assertEquals(250, r.ciLow());
        assertEquals(250, r.ciHigh());
        assertEquals(
                Classification.HIGH,
                MannWhitneyJudge.classify("p99_ms", baseline, canary, Direction.INCREASE, MannWhitneyPolicy.defaults())
                        .classification());
    }

    @Test
    void aSlowerCanaryIsPassWhenOnlyDecreasesMatter() {
        assertEquals(
                Classification.PASS,
                MannWhitneyJudge.classify("p50_ms", BASELINE, SLOWER, Direction.DECREASE, MannWhitneyPolicy.defaults())
                        .classification());
    }

    @Test
    void aFasterCanaryIsLowWhenEitherDirectionMatters() {
        assertEquals(
                Classification.LOW,
                MannWhitneyJudge.classify("p50_ms", SLOWER, BASELINE, Direction.EITHER, MannWhitneyPolicy.defaults())
                        .classification());
    }

    @Test
    void aCriticalMetricThatFailsFailsTheCanaryWhateverTheScore() {
        MetricComparison errors = MannWhitneyJudge.classify(
                "error_rate", BASELINE, SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults());
        MetricComparison p50 = MannWhitneyJudge.classify(
                "p50_ms", BASELINE, BASELINE, Direction.INCREASE, MannWhitneyPolicy.defaults());
        CanaryScore score = CanaryScorer.score(List.of(errors, p50), ScoringPolicy.defaults());
        assertEquals(CanaryScore.Outcome.FAIL, score.outcome());
        assertEquals(List.of("error_rate"), score.criticalFailures());
    }

    @Test
    void groupsAreWeightedAndNodataDoesNotCount() {
        var policy = new ScoringPolicy(
                java.util.Map.of("errors", 50.0, "latency", 50.0),
                ScoringPolicy.defaults().metricGroups(),
                java.util.Set.of(),
                95,
                75);
        MetricComparison pass = MannWhitneyJudge.classify(
                "error_rate", BASELINE, BASELINE, Direction.INCREASE, MannWhitneyPolicy.defaults());
        MetricComparison high =
                MannWhitneyJudge.classify("p50_ms", BASELINE, SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults());
        MetricComparison nodata = MannWhitneyJudge.classify(
                "p99_ms", new double[0], SLOWER, Direction.INCREASE, MannWhitneyPolicy.defaults());
        CanaryScore score = CanaryScorer.score(List.of(pass, high, nodata), policy);
        assertEquals(50.0, score.score(), 1e-9);
        assertEquals(CanaryScore.Outcome.FAIL, score.outcome());
    }

    @Test
    void threeIntervalsASideCannotBeJudgedHighWhenTheTestDoesNotReachItsConfidence() {
        // p = 0.08 with 3 samples a side: the interval R reports excludes zero, but not at the requested 98%
        var c = MannWhitneyJudge.classify(
                "error_rate",
                new double[] {0.004, 0.005, 0.006},
                new double[] {0.008, 0.009, 0.010},
                Direction.INCREASE,
                MannWhitneyPolicy.defaults());
        org.assertj.core.api.Assertions.assertThat(c.classification()).isEqualTo(Classification.PASS);
        var many = MannWhitneyJudge.classify(
                "error_rate",
                new double[] {0.004, 0.005, 0.006, 0.004, 0.005, 0.006, 0.005, 0.004},
                new double[] {0.008, 0.009, 0.010, 0.009, 0.008, 0.010, 0.009, 0.008},
                Direction.INCREASE,
                MannWhitneyPolicy.defaults());
        org.assertj.core.api.Assertions.assertThat(many.classification()).isEqualTo(Classification.HIGH);
    }
}
