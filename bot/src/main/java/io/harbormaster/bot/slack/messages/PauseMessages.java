package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.rollout.PauseDecision;
import io.harbormaster.engine.rollout.Transition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A canary paused for a human, in its deploy's thread: why, and the Promote anyway / Roll back buttons; once the pause
 * ended, however it ended, how in their place.
 */
public final class PauseMessages {
    public static final String PROMOTE_ACTION = "canary_promote_anyway";
    public static final String ROLLBACK_ACTION = "canary_rollback";

    private PauseMessages() {}

    /**
     * The pause with its buttons (each button's value is the deploy id) and, under them, who may decide. Closed like an
     * approval request once decided ({@link #closed}).
     */
    public static SlackMessage paused(long deployId, String service, String reason, String approverGroup) {
        var id = Long.toString(deployId);
        var text = ":double_vertical_bar: *Paused*: " + escape(reason) + ". A human decides: promote it anyway, or"
                + " roll it back (`/deploy rollback " + escape(service) + "` stops it too).";
        return new SlackMessage(
                "Paused: " + escape(reason),
                List.of(
                        BlockKit.section(text),
                        BlockKit.actions(
                                "pause-" + id,
                                List.of(
                                        BlockKit.button("Promote anyway", PROMOTE_ACTION, id, BlockKit.Style.PRIMARY),
                                        BlockKit.button("Roll back", ROLLBACK_ACTION, id, BlockKit.Style.DANGER))),
                        BlockKit.context("Only members of *" + escape(approverGroup) + "* may decide; the author and"
                                + " the requester may not.")));
    }

    /** Who decided what: "Promoted by <@U1> after the pause", "Rolled back by <@U2>". */
    public static String decided(PauseDecision.Choice choice, String by) {
        return (choice == PauseDecision.Choice.PROMOTE ? "Promoted by " : "Rolled back by ")
                + DeployMessages.requester(by)
                + (choice == PauseDecision.Choice.PROMOTE ? " after the pause" : "");
    }

    /** The pause as Slack shows it ({@code shown}, from a click on it), its buttons replaced by how it ended. */
    public static SlackMessage closed(List<LayoutBlock> shown, String outcome) {
        return new SlackMessage(
                "Pause ended: " + outcome,
                EscalationMessages.closedAsShown(shown, outcome).blocks());
    }

    /**
     * The pause rebuilt from what was kept of it (as {@link #paused} posted it), its buttons replaced by how it ended:
     * the same message a click on it closes it to.
     */
    public static SlackMessage closed(long deployId, String service, String reason, String outcome) {
        return closed(paused(deployId, service, reason, "").blocks(), outcome);
    }

    /**
     * The answer, to the clicker only, to a click on a pause that no longer waits for one: nothing was done, why
     * ({@code reason}, plain text) and how the pause ended ({@code how}, mrkdwn, as written in place of its buttons).
     */
    public static SlackMessage tooLate(String reason, String how) {
        var ended = how.endsWith(".") ? how : how + ".";
        return SlackMessage.text(":information_source: Nothing was done: " + escape(reason) + ". " + ended);
    }

    /** Who moves a deploy on its own: the engine's transitions carry this actor. */
    private static final String ENGINE = "engine";

    /**
     * How the pause that the transition numbered {@code pausedBy} began ended, in the words written in place of its
     * buttons: from the deploy's first move after it, a person's promotion or rollback (in the words of the click that
     * takes it, whether they clicked or typed {@code /deploy rollback}), Harbormaster resuming the canary or deciding
     * it, or the deploy stopping. Empty while nothing moved the deploy since: it still waits for a human.
     */
    public static Optional<String> ended(List<Transition> transitions, int pausedBy) {
        var next = transitions.stream()
                .filter(t -> t.ordinal() > pausedBy)
                .min(Comparator.comparingInt(Transition::ordinal));
        if (next.isEmpty()) {
            return Optional.empty();
        }
        var t = next.get();
        var reason = escape(t.reason());
        if (!t.actor().equals(ENGINE)) {
            return Optional.of(
                    switch (t.to()) {
                        case PROMOTING, PROMOTED -> decided(PauseDecision.Choice.PROMOTE, t.actor());
                        case ROLLING_BACK, ROLLED_BACK -> decided(PauseDecision.Choice.ROLLBACK, t.actor());
                        case FAILED -> "Stopped by " + DeployMessages.requester(t.actor());
                        default ->
                            "Ended by " + DeployMessages.requester(t.actor()) + ": the deploy is " + t.to().words();
                    });
        }
        return Optional.of(
                switch (t.to()) {
                    case CANARY -> "Resumed by Harbormaster: " + reason.replaceFirst("^resumed: ", "");
                    case PROMOTING, PROMOTED -> "Promoted by Harbormaster's canary analysis: " + reason;
                    case ROLLING_BACK, ROLLED_BACK -> "Rolled back by Harbormaster: " + reason;
                    case FAILED -> "Stopped by Harbormaster: " + reason;
                    default -> "Ended: the deploy is " + t.to().words();
                });
    }
}
