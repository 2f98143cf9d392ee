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
        var errors = new ClosingTest();
        var slower = new ClosingTest();
        for (int i = 0; i < 34; i++) {
            long t = 10L * i;
            double wobble = 1 + 0.01 * Math.sin(i); // some noise, so that the quantiles' t is finite
            errors.observe(
                    new IntervalSample(
                            t, new TrackSample(1000, 5, 40, 230, 0), new TrackSample(1000, 5 + i, 40, 230, 0)),
                    t + 5);
            slower.observe(
                    new IntervalSample(
                            t,
                            new TrackSample(1000, 0, 40, 230, 0),
                            new TrackSample(1000, 0, 40 * (1 + 0.01 * i) * wobble, 230 * wobble, 0)),
                    t + 5);
        }

        var z = errors.regression(0.01, 340).orElseThrow();
        var p50 = slower.regression(0.01, 340).orElseThrow();

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
        var analysis = new CanaryAnalysis(CanaryPolicy.defaults());
        Verdict verdict = null;
        for (long t = 0; t < 600 && !(verdict instanceof Verdict.Promote); t += 10) {
            verdict = analysis.observe(new IntervalSample(
                    t, new TrackSample(1000, 1, 100, 300, 0), new TrackSample(1000, 1, 100, 300, 0)));
        }
        assertThat(verdict).isInstanceOf(Verdict.Promote.class);
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
}
