package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;
import static io.harbormaster.bot.slack.messages.Mrkdwn.num;
import static io.harbormaster.bot.slack.messages.Mrkdwn.signed;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.risk.RiskDecision;
import java.util.ArrayList;
import java.util.List;

/** The approval request in a deploy's thread, and the same message once it is decided or expired. */
public final class EscalationMessages {
    public static final String APPROVE_ACTION = "deploy_approve";
    public static final String REJECT_ACTION = "deploy_reject";

    private EscalationMessages() {}

    /** The context package and Approve / Reject buttons; each button's value is the deploy id. */
    public static SlackMessage request(EscalationView v) {
        var blocks = body(v);
        var id = Long.toString(v.deploy().deployId());
        blocks.add(BlockKit.actions(
                "escalation-" + id,
                List.of(
                        BlockKit.button("Approve", APPROVE_ACTION, id, BlockKit.Style.PRIMARY),
                        BlockKit.button("Reject", REJECT_ACTION, id, BlockKit.Style.DANGER))));
        blocks.add(BlockKit.context(List.of(
                "Only members of *" + escape(v.approverGroup()) + "* may decide; the author and the requester may not"
                        + " approve their own change.",
                "Needs " + v.requiredApprovals() + " approval(s), " + v.approvalsSoFar() + " so far · expires "
                        + Mrkdwn.time(v.expiresAt()))));
        return new SlackMessage(
                "Approval needed: " + DeployMessages.title(v.deploy()) + " (risk "
                        + num(v.risk().score()) + ")",
                blocks);
    }

    /**
     * The same message with the buttons replaced by how it ended: Slack has no disabled buttons, so a decided or
     * expired request shows its outcome where the buttons were.
     *
     * @param outcome e.g. "Approved by <@U1>", "Rejected by <@U2>: too close to the freeze", "Expired unanswered"
     */
    public static SlackMessage closed(EscalationView v, String outcome) {
        var blocks = body(v);
        blocks.add(BlockKit.context(":lock: " + outcome));
        return new SlackMessage("Approval closed: " + DeployMessages.title(v.deploy()) + ": " + outcome, blocks);
    }

    private static ArrayList<LayoutBlock> body(EscalationView v) {
        var d = v.deploy();
        var r = v.risk();
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.header("Approval needed: " + DeployMessages.title(d)));
        var reasons = r.decision() instanceof RiskDecision.Escalate(var rs) ? rs : List.<String>of();
        blocks.add(BlockKit.section("*Risk " + num(r.score()) + "/100* (threshold "
                + num(r.threshold().score()) + ")"
                + (reasons.isEmpty()
                        ? ""
                        : "\n"
                                + String.join(
                                        "\n",
                                        reasons.stream()
                                                .map(s -> "• " + escape(s))
                                                .toList()))));
        if (!v.whatChanged().isBlank()) {
            blocks.add(BlockKit.section("*What changed*\n" + escape(v.whatChanged())));
        }
        var factors = r.factors().stream()
                .limit(DeployMessages.TOP_FACTORS)
                .map(f -> "• " + escape(f.words()) + " (" + signed(f.contribution()) + ")")
                .toList();
        if (!factors.isEmpty()) {
            blocks.add(BlockKit.section("*Top risk factors*\n" + String.join("\n", factors)));
        }
        if (!v.similarIncidents().isEmpty()) {
            blocks.add(BlockKit.section("*Similar past incidents*\n"
                    + String.join(
                            "\n",
                            v.similarIncidents().stream()
                                    .map(s -> "• " + escape(s))
                                    .toList())));
        }
        v.summary().ifPresent(s -> blocks.add(BlockKit.section("*Summary* (generated)\n" + escape(s))));
        blocks.add(BlockKit.context(
                List.of("requested by " + DeployMessages.requester(d.requesterId()), "deploy #" + d.deployId())));
        return blocks;
    }
}
