package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.policy.ApprovalPolicy;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.SimilarIncident;
import io.harbormaster.engine.text.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The approval request in a deploy's thread, and the same message once it is decided or expired. */
public final class EscalationMessages {
    public static final String APPROVE_ACTION = "deploy_approve";
    public static final String REJECT_ACTION = "deploy_reject";
    /** The outcome of a request nobody decided in time. */
    public static final String EXPIRED = "Expired unanswered";

    private EscalationMessages() {}

    /** The context package and Approve / Reject buttons; each button's value is the deploy id. */
    public static SlackMessage request(EscalationView v) {
        return request(card(v), v.approvedBy());
    }

    /**
     * The request as {@code card} keeps it, with the Approve / Reject buttons and, under them, who may decide, who
     * approved so far ({@code approvedBy}, in order) and when it expires.
     */
    public static SlackMessage request(EscalationCard card, List<String> approvedBy) {
        var blocks = new ArrayList<>(card.body());
        var id = Long.toString(card.deployId());
        blocks.add(BlockKit.actions(
                "escalation-" + id,
                List.of(
                        BlockKit.button("Approve", APPROVE_ACTION, id, BlockKit.Style.PRIMARY),
                        BlockKit.button("Reject", REJECT_ACTION, id, BlockKit.Style.DANGER))));
        blocks.add(BlockKit.context(List.of(
                "Only members of *" + escape(card.approverGroup()) + "* may decide; the author and the requester may"
                        + " not approve their own change.",
                soFar(card.requiredApprovals(), approvedBy) + " · expires " + Mrkdwn.time(card.expiresAt()))));
        return new SlackMessage(
                "Approval needed: " + card.title() + " (risk " + Numbers.score(card.risk()) + ")", blocks);
    }

    /**
     * The request to keep with the deploy: the context package rendered as it is posted, and what the line under the
     * buttons needs.
     */
    public static EscalationCard card(EscalationView v) {
        return new EscalationCard(
                v.deploy().deployId(),
                DeployMessages.title(v.deploy()),
                v.risk().score(),
                body(v),
                v.approverGroup(),
                v.requiredApprovals(),
                v.expiresAt());
    }

    /** "1 approval of 2 needed so far (approved by <@U1>)", as {@link #tally} says it. */
    private static String soFar(int required, List<String> approvedBy) {
        var who = approvedBy.stream().map(DeployMessages::requester).toList();
        return ApprovalPolicy.progress(who.size(), required) + " so far"
                + (who.isEmpty() ? "" : " (approved by " + String.join(", ", who) + ")");
    }

    /**
     * What became of one approver's decision, told in the thread and, once the request is decided, on it: e.g.
     * ":white_check_mark: Approved by <@U1>: 1 approval of 2 needed so far".
     *
     * @param note what it means for the deploy ({@link #tally})
     */
    public static String decided(Approval.Decision decision, String approver, String note) {
        return (decision == Approval.Decision.APPROVE ? ":white_check_mark: Approved" : ":x: Rejected") + " by "
                + DeployMessages.requester(approver) + ": " + escape(note);
    }

    /** What a counted decision means for the deploy: the approvals so far, or that it goes ahead or will not. */
    public static String tally(Approval.Decision decision, int approvals, int required) {
        if (decision == Approval.Decision.REJECT) {
            return "the deploy will not go ahead";
        }
        return ApprovalPolicy.progress(approvals, required)
                + (approvals < required ? " so far" : "; the deploy goes ahead");
    }

    /**
     * How the approvals decided a request, if they have, in the words the deciding approval's notice has
     * ({@link #decided}): the first rejection, else the approval that made {@code required}.
     *
     * @param approvals the deploy's approvals, in the order they were counted
     */
    public static Optional<String> decidedBy(List<Approval> approvals, int required) {
        int approved = 0;
        for (var a : approvals) {
            if (a.decision() == Approval.Decision.REJECT) {
                return Optional.of(decided(a.decision(), a.approver(), tally(a.decision(), approved, required)));
            }
            approved++;
            if (approved >= required) {
                return Optional.of(decided(a.decision(), a.approver(), tally(a.decision(), approved, required)));
            }
        }
        return Optional.empty();
    }

    /**
     * How a request ended when a person stopped the deploy that waited on it: "Stopped by <@U1> with `/deploy rollback
     * checkout`", written where its buttons were, as a decision is.
     */
    public static String stopped(String by, String service) {
        return "Stopped by " + DeployMessages.requester(by) + " with `/deploy rollback " + escape(service) + "`";
    }

    /** How a request ended that its approvals did not decide: it expired, or the deploy left it (stopped). */
    public static String ended(DeployState state) {
        return state == DeployState.EXPIRED
                ? EXPIRED
                : "No longer waiting for a decision: the deploy is " + state.words();
    }

    /**
     * The same message with the buttons replaced by how it ended: Slack has no disabled buttons, so a decided or
     * expired request shows its outcome where the buttons were.
     *
     * @param outcome e.g. "Approved by <@U1>", "Rejected by <@U2>: too close to the freeze", "Expired unanswered"
     */
    public static SlackMessage closed(EscalationView v, String outcome) {
        return closed(card(v), outcome);
    }

    /** The request as {@code card} keeps it, with its buttons and the line under them replaced by how it ended. */
    public static SlackMessage closed(EscalationCard card, String outcome) {
        var blocks = new ArrayList<>(card.body());
        blocks.add(BlockKit.context(":lock: " + outcome));
        return new SlackMessage("Approval closed: " + card.title() + ": " + outcome, blocks);
    }

    /**
     * A request as Slack shows it ({@code shown}: its blocks, as a click on it carries them), with its buttons and the
     * line under them (who may decide, approvals so far, when it expires: stale once it is decided) replaced by how it
     * ended. For a request the notifier does not keep (posted before requests were kept, or its record lost).
     */
    public static SlackMessage closedAsShown(List<LayoutBlock> shown, String outcome) {
        var blocks = new ArrayList<LayoutBlock>();
        boolean afterButtons = false;
        for (var b : shown) {
            if (b instanceof ActionsBlock) {
                afterButtons = true;
                continue;
            }
            if (afterButtons && b instanceof ContextBlock) {
                afterButtons = false;
                continue;
            }
            afterButtons = false;
            blocks.add(b);
        }
        blocks.add(BlockKit.context(":lock: " + outcome));
        return new SlackMessage("Approval closed: " + outcome, blocks);
    }

    /** How much of an incident's summary its line in the request shows, at most, in characters. */
    static final int INCIDENT_SUMMARY_CHARS = 160;

    /** The heading of past incidents shown for what they share with the change. */
    static final String SIMILAR_INCIDENTS = "*Similar past incidents*";

    /** The heading of the service's latest incidents, shown when none shares anything with the change. */
    static final String LATEST_INCIDENTS =
            "*Latest past incidents* (none changed the same files, directories or" + " dependencies as this change)";

    /**
     * One past incident as an approver reads it: the service and version, when it was opened, the deploy whose rollback
     * opened it (if one did) and the incident's number (which {@code /deploy resolve} and the rollback notice use),
     * whether it is still open, and its summary, shortened to {@link #INCIDENT_SUMMARY_CHARS} on one line: e.g. "•
     * *checkout* `1.1.0` rolled back 2026-11-24 10:00 UTC (deploy #12, incident #3): p99 > 2000 ms over 180 s". The
     * people who moved that deploy read as mentions, not as member ids. Then what the change shares with the version it
     * rolled back, when it is shown for that, each name in a code span: "(also changed `my_file.java`; also added
     * `payments-client`)". Not in italics, as it was: a name from CI with an {@code _} in it ended the italic span there
     * and set what followed it askew; in a code span it reads, and is copied, as written ({@link Mrkdwn#code}).
     */
    static String incidentLine(PastIncidentView v) {
        var i = v.incident();
        var refs = new ArrayList<String>();
        i.deployId().ifPresent(id -> refs.add("deploy #" + id));
        refs.add("incident #" + i.id());
        if (i.resolvedAt().isEmpty()) {
            refs.add("still open");
        }
        return "• *" + escape(i.service()) + "* " + Mrkdwn.code(i.version()) + " "
                + (i.deployId().isPresent() ? "rolled back " : "")
                + Mrkdwn.time(i.openedAt()) + " (" + String.join(", ", refs) + "): "
                + escape(shortened(i.summary(), INCIDENT_SUMMARY_CHARS), v.people())
                + (v.shared().isEmpty()
                        ? ""
                        : " ("
                                + String.join(
                                        "; ",
                                        v.shared().stream()
                                                .map(EscalationMessages::sharedLine)
                                                .toList())
                                + ")");
    }

    /** One thing shared: its words as text, its names in code spans. */
    private static String sharedLine(SimilarIncident.Shared s) {
        return escape(s.lead())
                + (s.names().isEmpty()
                        ? ""
                        : " "
                                + String.join(
                                        ", ",
                                        s.names().stream().map(Mrkdwn::code).toList()))
                + escape(s.rest());
    }

    /** {@code text} on one line, cut at a word before {@code max} characters with "…" when it is longer. */
    static String shortened(String text, int max) {
        var line = text.strip().replaceAll("\\s+", " ");
        if (line.length() <= max) {
            return line;
        }
        int cut = line.lastIndexOf(' ', max - 1);
        if (cut < max / 2) {
            cut = max - 1;
        }
        if (Character.isHighSurrogate(line.charAt(cut - 1))) {
            cut--;
        }
        return line.substring(0, cut).stripTrailing() + "…";
    }

    private static ArrayList<LayoutBlock> body(EscalationView v) {
        var d = v.deploy();
        var r = v.risk();
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.header("Approval needed: " + DeployMessages.title(d)));
        var reasons = r.decision() instanceof RiskDecision.Escalate(var rs) ? rs : List.<String>of();
        blocks.add(BlockKit.section("*Risk " + Numbers.score(r.score()) + "/100* (threshold "
                + Numbers.score(r.threshold().score()) + ")"
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
                .map(f -> "• " + escape(f.words()) + " (" + Numbers.contribution(f.contribution()) + ")")
                .toList();
        if (!factors.isEmpty()) {
            blocks.add(BlockKit.section("*Top risk factors*\n" + String.join("\n", factors)));
        }
        if (!v.similarIncidents().isEmpty()) {
            // alike ones say what they share; without any, the latest are shown, and the heading says they are only
            // that
            boolean alike =
                    v.similarIncidents().stream().anyMatch(i -> !i.shared().isEmpty());
            blocks.add(BlockKit.section((alike ? SIMILAR_INCIDENTS : LATEST_INCIDENTS) + "\n"
                    + String.join(
                            "\n",
                            v.similarIncidents().stream()
                                    .map(EscalationMessages::incidentLine)
                                    .toList())));
        }
        v.summary().ifPresent(s -> blocks.add(BlockKit.section("*Summary* (generated)\n" + escape(s))));
        blocks.add(BlockKit.context(
                List.of("requested by " + DeployMessages.requester(d.requesterId()), "deploy #" + d.deployId())));
        return blocks;
    }
}
