package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a paused canary's message says its pause ended, in place of its buttons. */
class PauseMessagesTest {
    static final Instant AT = Instant.parse("2026-11-24T10:00:00Z");

    /** A canary's moves up to its pause (ordinal 3), then {@code after} (from ordinal 4 on). */
    static List<Transition> pausedThen(Transition... after) {
        var all = new ArrayList<>(List.of(
                move(1, DeployState.PREFLIGHT, "engine", "low risk: no approval needed"),
                move(2, DeployState.CANARY, "engine", "step 1: canary at 10%"),
                move(
                        3,
                        DeployState.CANARY,
                        "engine",
                        "paused: no metrics for 2 min: connection refused (a human" + " decides: ...)")));
        all.addAll(List.of(after));
        return all;
    }

    static Transition move(int ordinal, DeployState to, String actor, String reason) {
        return new Transition(42, ordinal, DeployState.CANARY, to, actor, reason, AT.plusSeconds(ordinal));
    }

    static Optional<String> ended(Transition... after) {
        return PauseMessages.ended(pausedThen(after), 3);
    }

    @Test
    void aPauseNothingMovedSinceHasNotEnded() {
        assertThat(ended()).isEmpty();
    }

    @Test
    void aPersonsMoveIsSaidWithWhoMadeIt() {
        assertThat(ended(move(4, DeployState.PROMOTING, "U0BOB", "promoted by U0BOB after the pause: ...")))
                .contains("Promoted by <@U0BOB> after the pause");
        assertThat(ended(move(4, DeployState.ROLLING_BACK, "U0BOB", "rollback requested by U0BOB")))
                .contains("Rolled back by <@U0BOB>");
        assertThat(ended(move(4, DeployState.FAILED, "U0BOB", "stopped by U0BOB")))
                .contains("Stopped by <@U0BOB>");
    }

    @Test
    void harbormastersOwnMoveIsSaidWithWhy() {
        assertThat(ended(move(4, DeployState.CANARY, "engine", "resumed: metrics are back; the analysis goes on")))
                .contains("Resumed by Harbormaster: metrics are back; the analysis goes on");
        assertThat(ended(move(4, DeployState.CANARY, "engine", "step 2: canary at 25%")))
                .contains("Resumed by Harbormaster: step 2: canary at 25%");
        assertThat(ended(move(4, DeployState.PROMOTING, "engine", "every step passed")))
                .contains("Promoted by Harbormaster's canary analysis: every step passed");
        assertThat(ended(move(4, DeployState.ROLLING_BACK, "engine", "p99 <above> baseline")))
                .contains("Rolled back by Harbormaster: p99 &lt;above&gt; baseline");
        assertThat(ended(move(4, DeployState.FAILED, "engine", "the cluster refused the canary")))
                .contains("Stopped by Harbormaster: the cluster refused the canary");
    }

    @Test
    void anEarlierPauseEndsWithTheMoveRightAfterItNotWithTheLatestOne() {
        var transitions = pausedThen(
                move(4, DeployState.CANARY, "engine", "resumed: metrics are back; the analysis goes on"),
                move(5, DeployState.CANARY, "engine", "paused: no metrics for 2 min: timeout"),
                move(6, DeployState.ROLLING_BACK, "U0BOB", "rollback requested by U0BOB"));

        assertThat(PauseMessages.ended(transitions, 3))
                .contains("Resumed by Harbormaster: metrics are back; the analysis goes on");
        assertThat(PauseMessages.ended(transitions, 5)).contains("Rolled back by <@U0BOB>");
    }

    @Test
    void theClosedPauseKeepsWhyItPausedAndShowsHowItEndedWhereTheButtonsWere() {
        var closed = PauseMessages.closed(42, "checkout", "no metrics for 2 min", "Rolled back by <@U0BOB>");
        var json = BlockKitLimits.json(closed.blocks());

        assertThat(json)
                .contains("*Paused*: no metrics for 2 min", ":lock: Rolled back by <@U0BOB>")
                .doesNotContain(PauseMessages.PROMOTE_ACTION, PauseMessages.ROLLBACK_ACTION, "Only members of");
        assertThat(closed.text()).isEqualTo("Pause ended: Rolled back by <@U0BOB>");
        var shown = PauseMessages.paused(42, "checkout", "no metrics for 2 min", "shop-approvers");
        assertThat(json)
                .as("the same as a click on the posted pause closes it to")
                .isEqualTo(BlockKitLimits.json(PauseMessages.closed(shown.blocks(), "Rolled back by <@U0BOB>")
                        .blocks()));
        var huge = PauseMessages.closed(42, "checkout", "x".repeat(10_000), "y".repeat(10_000));
        BlockKitLimitsTest.assertWithinLimits(huge);
    }

    @Test
    void aLateClickIsToldNothingWasDoneWhyAndHowThePauseEnded() {
        assertThat(PauseMessages.tooLate(
                                "this deploy no longer waits for a decision on its pause (it is <promoted>)",
                                "Promoted by <@U0BOB> after the pause")
                        .text())
                .isEqualTo(":information_source: Nothing was done: this deploy no longer waits for a decision on its"
                        + " pause (it is &lt;promoted&gt;). Promoted by <@U0BOB> after the pause.");
    }
}
