package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.risk.Factor;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.RiskModelId;
import io.harbormaster.engine.risk.Threshold;
import io.harbormaster.engine.rollout.RollbackCause;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The thread and channel say what happens, in the right number and to one precision per quantity: an emergency deploy
 * is reviewed after the fact, a button is named as the button, a score has one decimal wherever it is shown.
 */
class ThreadWordingTest {
    static RiskAssessment escalated(double score) {
        return new RiskAssessment(
                "payments",
                "3.0.0",
                score,
                new Threshold(0.11, 71.8, 0.93, 0.11),
                new RiskDecision.Escalate(List.of("risk score over the threshold")),
                List.of(
                        new Factor(
                                "la",
                                "lines added: 387 (assumed, not announced; higher than 90% of past changes)",
                                0.6),
                        new Factor("criticality", "service criticality is low", -0.2033),
                        new Factor("time", "Friday 16:00 local time (Friday afternoon)", 0.3)),
                -2.0,
                List.of(),
                List.of(),
                List.of(),
                new RiskModelId("0".repeat(64), "in memory", "test", Optional.empty()));
    }

    @Test
    void anEmergencyDeploysRiskSaysItIsReviewedAfterTheFactNotThatItNeedsAnApprover() {
        var emergency = DeployMessages.risk(escalated(99.93), true);
        var ordinary = DeployMessages.risk(escalated(99.93), false);

        assertThat(BlockKitLimits.json(emergency.blocks()))
                .contains("*escalated*, but an emergency deploy skips the approval wait: an approver reviews it after"
                        + " the fact")
                .doesNotContain("needs an approver");
        assertThat(emergency.text()).isEqualTo("Risk 99.9/100: escalated; emergency deploy, reviewed after the fact");
        assertThat(BlockKitLimits.json(ordinary.blocks())).contains("*needs an approver*");
    }

    @Test
    void scoresHaveOneDecimalAndContributionsTwoWhereverTheyAreShown() {
        var thread =
                BlockKitLimits.json(DeployMessages.risk(escalated(5.875), false).blocks());
        assertThat(thread)
                .contains("*Risk 5.9/100* (threshold 71.8, 11% of deploys escalate)")
                .contains("strongly raises risk (+0.60)", "lowers risk (-0.20)", "raises risk (+0.30)")
                .doesNotContain("5.875", "-0.2033", "(+0.3)");

        var view = new EscalationView(
                BlockKitLimitsTest.deploy("payments", "waiting"),
                escalated(20.05),
                "1 file: db/V7.sql",
                List.of(),
                Optional.empty(),
                "approvers",
                1,
                List.of(),
                Instant.parse("2026-11-24T14:00:00Z"));
        var request = EscalationMessages.request(view);
        assertThat(BlockKitLimits.json(request.blocks()))
                .contains("*Risk 20.1/100* (threshold 71.8)", "(-0.20)", "(+0.30)", "0 approvals of 1 needed so far")
                .doesNotContain("20.05", "approval(s)");
        assertThat(request.text()).endsWith("(risk 20.1)");
    }

    @Test
    void aRollbackAskedForWithThePausesButtonNamesTheButtonNotACommandNobodyTyped() {
        var notice = new RollbackNotice(
                7,
                "search",
                "5.2.0",
                "production",
                Optional.empty(),
                List.of(),
                Optional.empty(),
                "rollback requested by U0OMAR with the paused canary's Roll back button",
                Optional.of(new RollbackCause.Requested("U0OMAR", RollbackCause.Requested.Via.PAUSE_BUTTON)),
                Optional.of("#5"),
                Optional.empty(),
                Instant.parse("2026-11-24T11:00:00Z"));

        assertThat(RollbackMessages.text(notice))
                .isEqualTo(":rewind: Rolled back search 5.2.0 in production at the request of <@U0OMAR> (the Roll back"
                        + " button of the paused canary), not on a metric, incident #5")
                .doesNotContain("/deploy rollback");
    }

    @Test
    void aCanaryPausedForMissingDataSaysOnceThatAHumanDecides() {
        // the real analysis, with a canary that reports nothing: it pauses, and its evidence says what is missing
        var pause = io.harbormaster.engine.canary.AnalysisRuns.until(
                io.harbormaster.engine.canary.Verdict.Pause.class,
                new io.harbormaster.engine.canary.TrackSample(1000, 1, 100, 300, 0),
                io.harbormaster.engine.canary.TrackSample.NO_DATA);
        var why = pause.evidence().getFirst();
        // the pipeline's reason for the pause is the evidence's metric and reason
        var paused = PauseMessages.paused(7, "search", why.metric() + ": " + why.reason(), "approvers");

        assertThat(why.reason()).startsWith("no data from the canary for ");
        assertThat(BlockKitLimits.json(paused.blocks()).toLowerCase(java.util.Locale.ROOT))
                .containsOnlyOnce("a human decides");
    }

    @Test
    void eachApprovalsNoticeAndTheRequestSayHowFarTheApprovalsHaveGotInOneForm() {
        var approve = io.harbormaster.engine.rollout.Approval.Decision.APPROVE;
        assertThat(EscalationMessages.decided(approve, "U0BOB", EscalationMessages.tally(approve, 1, 1)))
                .isEqualTo(":white_check_mark: Approved by <@U0BOB>: 1 approval of 1 needed; the deploy goes ahead");
        assertThat(EscalationMessages.tally(approve, 1, 2)).isEqualTo("1 approval of 2 needed so far");
        assertThat(EscalationMessages.tally(approve, 3, 3)).isEqualTo("3 approvals of 3 needed; the deploy goes ahead");
        assertThat(EscalationMessages.tally(io.harbormaster.engine.rollout.Approval.Decision.REJECT, 0, 2))
                .isEqualTo("the deploy will not go ahead");
        var halfway = new EscalationView(
                BlockKitLimitsTest.deploy("payments", "waiting"),
                escalated(80),
                "1 file: db/V7.sql",
                List.of(),
                Optional.empty(),
                "approvers",
                2,
                List.of("U0ANN"),
                Instant.parse("2026-11-24T14:00:00Z"));
        assertThat(BlockKitLimits.json(EscalationMessages.request(halfway).blocks()))
                .contains("1 approval of 2 needed so far (approved by <@U0ANN>)")
                .doesNotContain("1 of 2", "Needs 2");
    }
}
