package io.harbormaster.engine.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.canary.Evidence;
import org.junit.jupiter.api.Test;

/** The tripped evidence in an incident hypothesis: each estimate named as what it is, only a shift as a shift. */
class EvidenceInWordsTest {
    static Evidence evidence(String judge, String metric, double estimate, double low, double high) {
        return new Evidence(
                judge, metric, "rule", Double.NaN, Double.NaN, estimate, low, high, Double.NaN, Double.NaN, "why");
    }

    @Test
    void aRatioIsAChangeAStatisticIsNamedAndOnlyTheMannWhitneyEstimateIsAShift() {
        assertThat(Advisor.evidenceInWords(evidence("sequential", "p99_ms", 1.25, Double.NaN, Double.NaN)))
                .contains("change +25%")
                .doesNotContain("shift");
        assertThat(Advisor.evidenceInWords(evidence("closing", "error_rate", 3.1, Double.NaN, Double.NaN)))
                .contains("z = 3.1")
                .doesNotContain("shift");
        assertThat(Advisor.evidenceInWords(evidence("closing", "p50_ms", 2.4, Double.NaN, Double.NaN)))
                .contains("t = 2.4")
                .doesNotContain("shift");
        assertThat(Advisor.evidenceInWords(evidence("mann-whitney", "score", 62, Double.NaN, Double.NaN)))
                .contains("score 62/100")
                .doesNotContain("shift");
        assertThat(Advisor.evidenceInWords(evidence("mann-whitney", "p99_ms", 41.5, 12.25, 70)))
                .contains("shift +41.5 ms (interval +12.2 ms to +70 ms)");
    }

    @Test
    void theValuesComparedAndAShiftAreInTheMetricsUnitsAsTheThreadGivesThem() {
        var rates = new Evidence(
                "mann-whitney",
                "error_rate",
                "classification High",
                0.008264,
                0.14344,
                0.0032,
                -0.009013,
                0.009174,
                0.01,
                Double.NaN,
                "why");
        assertThat(Advisor.evidenceInWords(rates))
                .contains("baseline 0.826%, canary 14.3%", "shift +0.32 pp (interval -0.901 pp to +0.917 pp)")
                .doesNotContain("0.00826", "0.143");
        var latency = new Evidence(
                "sequential", "p99_ms", "running", 103.5, 97.46, 0.94, Double.NaN, Double.NaN, Double.NaN, 0.86, "why");
        assertThat(Advisor.evidenceInWords(latency)).contains("baseline 104 ms, canary 97.5 ms", "change -6%");
    }
}
