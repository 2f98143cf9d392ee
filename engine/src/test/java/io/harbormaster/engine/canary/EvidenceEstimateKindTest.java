package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What each judge's estimate is, as {@link Evidence#estimateKind()} tells it to whoever shows it: the sequential judge's
 * ratios, the Mann-Whitney judge's shifts, the closing test's z and t statistics, the scorer's score.
 */
class EvidenceEstimateKindTest {

    @Test
    void theClosingTestsEvidenceIsItsZOrTStatisticAsItsReasonNamesIt() {
        var z = ClosingTestEvidence.growingErrors();
        var p50 = ClosingTestEvidence.growingP50();

        assertThat(z.judge()).isEqualTo("closing");
        assertThat(z.metric()).isEqualTo("error_rate");
        assertThat(z.estimateKind()).isEqualTo(Evidence.EstimateKind.Z);
        assertThat(z.reason()).contains(String.format(Locale.ROOT, "z = %.2f", z.estimate()));
        assertThat(p50.metric()).isEqualTo("p50_ms");
        assertThat(p50.estimateKind()).isEqualTo(Evidence.EstimateKind.T);
        assertThat(p50.reason()).contains(String.format(Locale.ROOT, "t = %.2f", p50.estimate()));
        assertThat(List.of(z, p50)).noneMatch(Evidence::estimateIsRatio);
    }

    @Test
    void atAStepsEndTheScoreIsAScoreTheMannWhitneyEstimatesAreShiftsAndTheSequentialOnesRatios() {
        var verdict = AnalysisRuns.until(
                Verdict.Promote.class, new TrackSample(1000, 1, 100, 300, 0), new TrackSample(1000, 1, 100, 300, 0));
        var evidence = verdict.evidence();

        assertThat(evidence.getFirst().metric()).isEqualTo("score");
        assertThat(evidence.getFirst().estimateKind()).isEqualTo(Evidence.EstimateKind.SCORE);
        assertThat(evidence.getFirst().estimate()).isBetween(0.0, 100.0);
        assertThat(evidence.stream()
                        .filter(e ->
                                e.judge().equals("mann-whitney") && !e.metric().equals("score")))
                .hasSize(3)
                .allMatch(e -> e.estimateKind() == Evidence.EstimateKind.SHIFT);
        assertThat(evidence.stream().filter(e -> e.judge().equals("sequential")))
                .hasSize(3)
                .allMatch(e -> e.estimateKind() == Evidence.EstimateKind.RATIO && e.estimateIsRatio());
    }

    static Evidence evidence(String judge, String metric, double estimate, double low, double high) {
        return new Evidence(
                judge, metric, "rule", Double.NaN, Double.NaN, estimate, low, high, Double.NaN, Double.NaN, "why");
    }

    @Test
    void eachKindReadsUnderItsOwnNameInEveryWordingWhichChoosesOnlyItsNumbersAndItsInterval() {
        var line = new Evidence.Wording(v -> String.format(Locale.ROOT, "%.2f", v), true, true, false);
        var fact = new Evidence.Wording(v -> String.format(Locale.ROOT, "%.1f", v), false, false, false);
        var effect = new Evidence.Wording(v -> String.format(Locale.ROOT, "%.1f", v), true, false, true);
        var ratio = evidence("sequential", "p99_ms", 1.25, 1.1, 1.4);
        var shift = evidence("mann-whitney", "p99_ms", 41.5, -3, 70);
        var z = ClosingTestEvidence.growingErrors();

        assertThat(ratio.estimateInWords(line)).isEqualTo("change +25% [+10%, +40%]");
        assertThat(ratio.estimateInWords(fact)).isEqualTo("change +25% (interval +10% to +40%)");
        assertThat(ratio.estimateInWords(effect)).isEqualTo("effect +25% (interval +10% to +40%)");
        assertThat(shift.estimateInWords(line)).isEqualTo("shift +41.50 [-3.00, 70.00]");
        assertThat(shift.estimateInWords(fact)).isEqualTo("shift 41.5 (interval -3.0 to 70.0)");
        assertThat(shift.estimateInWords(effect)).isEqualTo("effect +41.5 (interval -3.0 to 70.0)");
        assertThat(evidence("mann-whitney", "p99_ms", -2, Double.NaN, Double.NaN)
                        .estimateInWords(line))
                .as("no interval, and a negative shift")
                .isEqualTo("shift -2.00");
        assertThat(z.estimateInWords(effect))
                .as("a statistic is no effect")
                .isEqualTo(String.format(Locale.ROOT, "z = %.1f", z.estimate()));
        assertThat(ClosingTestEvidence.growingP50().estimateInWords(line)).startsWith("t = ");
        assertThat(evidence("mann-whitney", "score", 62, Double.NaN, Double.NaN).estimateInWords(effect))
                .isEqualTo("score 62.0/100");
        assertThat(Evidence.change(0.9)).isEqualTo("-10%");
        assertThat(Evidence.change(Double.POSITIVE_INFINITY)).isEqualTo("+∞%");
        assertThat(Evidence.change(Double.NaN)).isEqualTo("n/a");
    }
}
