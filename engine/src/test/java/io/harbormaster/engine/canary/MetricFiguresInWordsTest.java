package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.text.Numbers;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * The judges' reasons give a metric's figures in its units, as the thread's evidence lines and the rollback notice do:
 * an error rate in percent (its differences in percentage points), a latency in ms. The evidence's numbers stay raw.
 */
class MetricFiguresInWordsTest {

    @Test
    void eachMetricsValuesAndDifferencesReadInItsOwnUnits() {
        assertThat(MetricValues.value("error_rate", 0.14344)).isEqualTo("14.3%");
        assertThat(MetricValues.value("error_rate", 0.008264)).isEqualTo("0.826%");
        assertThat(MetricValues.value("error_rate", 0)).isEqualTo("0%");
        assertThat(MetricValues.value("p50_ms", 40.153)).isEqualTo("40.2 ms");
        assertThat(MetricValues.value("p99_ms", 352.5)).isEqualTo("353 ms");
        assertThat(MetricValues.value("restarts", 3)).isEqualTo("3");
        assertThat(MetricValues.value("metric", 0.003200))
                .as("a metric of unknown units")
                .isEqualTo("0.0032");

        assertThat(MetricValues.shift("error_rate", 0.0032)).isEqualTo("+0.32 pp");
        assertThat(MetricValues.shift("error_rate", -0.009013)).isEqualTo("-0.901 pp");
        assertThat(MetricValues.shift("p99_ms", 41.5)).isEqualTo("+41.5 ms");
        assertThat(MetricValues.shift("p50_ms", 0)).isEqualTo("0 ms");
        assertThat(MetricValues.difference("error_rate", 0.0008001)).isEqualTo("0.08 pp");
        assertThat(MetricValues.value("error_rate", Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void theSequentialJudgesErrorReasonGivesBothRatesInPercentAsTheHeadlineDoes() {
        var judge = new SequentialJudge(SequentialPolicy.defaults(), CanaryNoise.NONE);
        var clean = new SequentialJudge(SequentialPolicy.defaults(), CanaryNoise.NONE);
        for (int i = 0; i <= SequentialPolicy.defaults().warmupIntervals(); i++) { // the last one past the warm-up
            judge.observe(
                    new IntervalSample(10L * i, Samples.track(1000, 8, 40, 200), Samples.track(1000, 143, 40, 200)));
            clean.observe(
                    new IntervalSample(10L * i, Samples.track(1000, 0, 40, 200), Samples.track(1000, 0, 40, 200)));
        }
        var errors = judge.evidence().getFirst();

        assertThat(errors.metric()).isEqualTo("error_rate");
        assertThat(errors.reason()).startsWith("canary 143 errors (14.3%) against baseline 8 (0.8%); e-value ");
        assertThat(errors.canary()).as("the evidence keeps the raw rate").isEqualTo(0.143);

        assertThat(clean.evidence().getFirst().reason()).startsWith("canary 0 errors (0%) against baseline 0 (0%);");
    }

    @Test
    void theMannWhitneyReasonGivesAnErrorRatesShiftInPercentagePointsAndALatencysInMs() {
        double[] baseline = {0.004, 0.005, 0.006, 0.004, 0.005, 0.003, 0.005, 0.004, 0.006, 0.005};
        double[] canary = {0.031, 0.029, 0.035, 0.030, 0.028, 0.033, 0.032, 0.030, 0.034, 0.029};
        var rates = MannWhitneyJudge.classify(
                "error_rate", baseline, canary, Direction.INCREASE, MannWhitneyPolicy.defaults());
        var test =
                MannWhitney.test(canary, baseline, MannWhitneyPolicy.defaults().confidence());

        assertThat(rates.reason())
                .startsWith("High: shift +" + Numbers.compact(100 * test.estimate(), 3) + " pp, 98% interval [+"
                        + Numbers.compact(100 * test.ciLow(), 3) + " pp, +" + Numbers.compact(100 * test.ciHigh(), 3)
                        + " pp] against +/-" + Numbers.compact(100 * 0.25 * Math.abs(test.estimate()), 3) + " pp")
                .doesNotContain("shift 0.0", "[0.0");
        assertThat(rates.estimate()).as("the comparison keeps the raw shift").isEqualTo(test.estimate());

        var latency = MannWhitneyJudge.classify(
                "p50_ms",
                MannWhitneyJudgeTest.BASELINE,
                MannWhitneyJudgeTest.SLOWER,
                Direction.INCREASE,
                MannWhitneyPolicy.defaults());
        assertThat(latency.reason())
                .matches("High: shift \\+[0-9.]+ ms, 98% interval \\[\\+[0-9.]+ ms, \\+[0-9.]+"
                        + " ms] against \\+/-[0-9.]+ ms \\(tolerance 0.25 of the estimate\\), p=.*");
    }

    @Test
    void theErrorRateHardTriggerGivesItsLimitAndTheCanarysRateInPercent() {
        var history = new ArrayList<IntervalSample>();
        for (int i = 0; i < 12; i++) {
            history.add(new IntervalSample(10L * i, Samples.track(100, 1, 40, 200), Samples.track(100, 6, 40, 200)));
        }
        var fired =
                HardTriggers.check(history, HardTriggerPolicy.defaults(), 10).orElseThrow();

        assertThat(fired.rule()).isEqualTo("error rate > 5% over 120 s");
        assertThat(fired.reason()).isEqualTo("canary error rate 6% (72 of 1200 requests) over the last 120 s");
    }
}
