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
                .contains("shift 41.5 (interval 12.3 to 70)");
    }
}
