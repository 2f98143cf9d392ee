package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.canary.AnalysisRuns;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.ClosingTestEvidence;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.JudgedWindow;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.canary.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rollback notice says what SPEC.md section 7 asks of it: the metric, both tracks' values in its units, the effect
 * with its interval (or what the judge has instead when it has none), and the stretch of the canary judged.
 */
class RollbackFiguresTest {
    /** The notice's text for a rollback on {@code evidence} (the deciding piece first) at {@code at} s. */
    static String notice(long at, List<Evidence> evidence) {
        return RollbackMessages.text(new RollbackNotice(
                7,
                "search",
                "5.2.0",
                "production",
                Optional.of(evidence.getFirst()),
                evidence.subList(1, evidence.size()),
                JudgedWindow.of(evidence.getFirst(), at, CanaryPolicy.defaults()),
                evidence.getFirst().reason(),
                Optional.empty(),
                Optional.of("#4"),
                Optional.empty(),
                Instant.parse("2026-11-24T11:00:00Z")));
    }

    static String notice(Verdict.Rollback verdict) {
        return notice(verdict.at(), verdict.evidence());
    }

    @Test
    void anErrorRateRollbackGivesBothRatesInPercentTheEffectTheEValueInsteadOfAnIntervalAndTheWindow() {
        // the real analysis: 15.2% of the canary's requests fail against 0.9% of the baseline's
        var verdict = AnalysisRuns.until(
                Verdict.Rollback.class, new TrackSample(1000, 9, 100, 300, 0), new TrackSample(1000, 152, 100, 300, 0));
        var tripped = verdict.evidence().getFirst();
        assertThat(tripped.judge()).isEqualTo("sequential");

        assertThat(notice(verdict))
                .isEqualTo(":rotating_light: Rolled back search 5.2.0 in production: error rate 15.2% on the canary vs"
                        + " 0.9% on the baseline, effect +1590% (sequential test, e-value "
                        + Mrkdwn.stat(tripped.eValue()) + "; no interval), judged over the canary's first "
                        + verdict.at() + " s, incident #4")
                .doesNotContain("0.152", "0.009");
    }

    @Test
    void aBaselineWithoutErrorsGivesNoEffectSizeAndSaysWhyNotThatALimitTripped() {
        // found in the sandbox: search 5.2.0 failed 12.8% of its requests and its baseline none
        var verdict = AnalysisRuns.until(
                Verdict.Rollback.class, new TrackSample(1000, 0, 100, 300, 0), new TrackSample(1000, 128, 100, 300, 0));
        var tripped = verdict.evidence().getFirst();
        assertThat(tripped.judge()).isEqualTo("sequential");

        assertThat(notice(verdict))
                .contains(
                        ": error rate 12.8% on the canary vs 0% on the baseline, no effect size, the baseline had none"
                                + " (sequential test, e-value " + Mrkdwn.stat(tripped.eValue())
                                + "; no interval), judged over"
                                + " the canary's first ")
                .doesNotContain("hard limit");
    }

    @Test
    void aLatencyRollbackGivesBothTracksInMsWithTheEffectAndWhatTheJudgeHas() {
        var verdict = AnalysisRuns.until(
                Verdict.Rollback.class, new TrackSample(1000, 1, 103, 300, 0), new TrackSample(1000, 1, 311, 900, 0));

        assertThat(notice(verdict))
                .contains(": p50 latency 311 ms on the canary vs 103 ms on the baseline, effect +202% (sequential"
                        + " test, e-value ")
                .contains("; no interval), judged over the canary's first " + verdict.at() + " s");
    }

    @Test
    void anEffectWithAnIntervalGivesItInTheMetricsUnits() {
        var mannWhitney = new Evidence(
                "mann-whitney",
                "p99_ms",
                "classification High",
                310,
                352.46,
                41.5,
                12.25,
                70,
                0.002,
                Double.NaN,
                "High");
        var errors = new Evidence(
                "mann-whitney",
                "error_rate",
                "classification High",
                0.0021,
                0.0143,
                0.0122,
                0.0081,
                0.0165,
                0.0004,
                Double.NaN,
                "High");

        assertThat(notice(600, List.of(mannWhitney)))
                .contains(": p99 latency 352 ms on the canary vs 310 ms on the baseline, effect +41.5 ms (interval"
                        + " +12.2 ms to +70 ms, p = 0.002), incident #4");
        assertThat(notice(600, List.of(errors)))
                .contains(": error rate 1.43% on the canary vs 0.21% on the baseline, effect +1.22 pp (interval"
                        + " +0.81 pp to +1.65 pp, p = 0.0004)");
    }

    @Test
    void aHardTriggerGivesBothTracksOverItsWindowAndItsLimitInsteadOfAnEffect() {
        var rate = Evidence.of(
                "hard-trigger",
                "error_rate",
                "error rate > 5.00% over 120 s",
                0.0091,
                0.1517,
                "canary error rate 15.17% (182 of 1200 requests) over the last 120 s");

        assertThat(notice(200, List.of(rate)))
                .contains(": error rate 15.2% on the canary vs 0.91% on the baseline, over its hard limit (error rate"
                        + " &gt; 5.00% over 120 s; no effect interval), judged over the canary's last 2 min (80 s to"
                        + " 3 min 20 s after it started), incident #4");
    }

    @Test
    void theClosingTestsStatisticComesWithTheRunningFiguresOfItsMetric() {
        var z = ClosingTestEvidence.growingErrors();
        var running = new Evidence(
                "sequential",
                "error_rate",
                "running",
                0.005,
                0.021,
                4.2,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                3.5,
                "running");

        assertThat(notice(ClosingTestEvidence.AT, List.of(z, running)))
                .contains(": error rate 2.1% on the canary vs 0.5% on the baseline, effect +320% (closing test, z = "
                        + Mrkdwn.num(Math.round(z.estimate() * 100) / 100.0) + ", p = ")
                .contains("; no interval), judged over the canary's first 5 min 40 s, incident #4");
        assertThat(notice(ClosingTestEvidence.AT, List.of(z)))
                .contains(": error rate (closing test, z = ")
                .doesNotContain("error rate,");
    }
}
