package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.rollout.PauseDecision;
import java.util.List;

/** A canary paused for a human, in its deploy's thread: why, and the Promote anyway / Roll back buttons. */
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
                "Paused: " + reason,
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
                "Pause decided: " + outcome,
                EscalationMessages.closedAsShown(shown, outcome).blocks());
    }
}
