package io.harbormaster.engine.policy;

import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.text.Numbers;
import io.harbormaster.engine.text.Times;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who may decide an escalated deploy, and when enough have: members of the service's approver group, never the
 * change's author or the deploy's requester, each once, until the request expires; the required number of approvals
 * promotes it, any rejection ends it.
 */
public final class ApprovalPolicy {
    private ApprovalPolicy() {}

    /** Whether a click may count, with the reason when it may not. */
    public sealed interface Eligibility {
        /** The click counts. */
        record Allowed() implements Eligibility {}

        /** The click does not count, for this reason (shown to the clicker only). */
        record Refused(String reason) implements Eligibility {}
    }

    /**
     * What a click would do, as a refusal words it: decide an escalated deploy ("you cannot approve it", "only members
     * of ... may decide"), promote or roll back a paused canary, or review an emergency deploy after the fact (the
     * same people, the same rules).
     */
    public enum Act {
        DECIDE("approve it", "decide"),
        PROMOTE("promote it", "promote or roll back"),
        ROLL_BACK("roll it back", "promote or roll back"),
        REVIEW("review it", "review");

        private final String own;
        private final String members;

        Act(String own, String members) {
            this.own = own;
            this.members = members;
        }
    }

    /** What the approvals so far add up to. */
    public enum Tally {
        WAITING,
        APPROVED,
        REJECTED
    }

    /**
     * Whether {@code clicker} may decide. The requester and the author are compared as {@link Identity}: a name CI gave
     * (a GitHub login, an email address) counts as the member {@code people:} or the directory says it is, and a name
     * whose member could not be found out refuses every approver with why, rather than let the author through.
     */
    public static Eligibility eligibility(
            String clicker,
            Set<String> approverGroup,
            String groupName,
            Identity requester,
            Identity author,
            List<Approval> earlier,
            Instant expiresAt,
            Instant now) {
        return eligibility(clicker, approverGroup, groupName, requester, author, earlier, expiresAt, now, Act.DECIDE);
    }

    /** ... for {@code act}, which only changes how a refusal is worded. */
    public static Eligibility eligibility(
            String clicker,
            Set<String> approverGroup,
            String groupName,
            Identity requester,
            Identity author,
            List<Approval> earlier,
            Instant expiresAt,
            Instant now,
            Act act) {
        if (!now.isBefore(expiresAt)) {
            return new Eligibility.Refused(
                    "this request expired at " + Times.words(expiresAt) + "; request the deploy again");
        }
        // Self-approval is named first, whether or not the clicker is an approver: it is the reason that tells them
        // what to do (find someone else), and the one an auditor looks for.
        boolean requested = requester.is(clicker);
        boolean wrote = author.is(clicker);
        if (requested || wrote) {
            var why = requested && wrote
                    ? "you wrote this change and requested this deploy"
                    : requested ? "you requested this deploy" : "you wrote this change";
            var how = new java.util.ArrayList<String>();
            if (wrote) {
                howKnown(author, clicker).ifPresent(h -> how.add("CI names its author " + h));
            }
            if (requested) {
                howKnown(requester, clicker).ifPresent(h -> how.add("it was requested by " + h));
            }
            return new Eligibility.Refused(why + (how.isEmpty() ? "" : " (" + String.join("; ", how) + ")")
                    + ", so you cannot " + act.own + "; ask a member of " + groupName);
        }
        if (!approverGroup.contains(clicker)) {
            return new Eligibility.Refused("only members of " + groupName + " may " + act.members + " this deploy");
        }
        if (author instanceof Identity.Unresolved u) {
            return unresolved("wrote this change, since CI names its author", u);
        }
        if (requester instanceof Identity.Unresolved u) {
            return unresolved("requested this deploy, since it names its requester", u);
        }
        if (earlier.stream().anyMatch(a -> a.approver().equals(clicker))) {
            return new Eligibility.Refused("you already decided this deploy");
        }
        return new Eligibility.Allowed();
    }

    private static Eligibility unresolved(String what, Identity.Unresolved u) {
        return new Eligibility.Refused("nothing was counted: I cannot tell whether you " + what + " " + u.named()
                + " and " + u.why() + ". Listing " + u.named() + " under `people:` in harbormaster.yml settles it");
    }

    /** "{@code named}, which ... maps to you", when {@code who} is {@code clicker} under another name. */
    private static java.util.Optional<String> howKnown(Identity who, String clicker) {
        if (who instanceof Identity.Members m && !m.howKnown(clicker).isEmpty()) {
            return java.util.Optional.of(m.named() + ", " + m.howKnown(clicker));
        }
        return java.util.Optional.empty();
    }

    /**
     * How far a request's approvals have got, in the one form every message gives it (the deploy's state line, the
     * approval request, the notice of each approval): {@code 1 approval of 1 needed}, {@code 2 approvals of 3 needed}.
     */
    public static String progress(long approvals, int required) {
        return Numbers.count(approvals, "approval", "approvals") + " of " + required + " needed";
    }

    /** Any rejection rejects; {@code required} distinct approvals approve; otherwise it waits. */
    public static Tally tally(List<Approval> approvals, int required) {
        if (approvals.stream().anyMatch(a -> a.decision() == Approval.Decision.REJECT)) {
            return Tally.REJECTED;
        }
        long approvers = approvals.stream().map(Approval::approver).distinct().count();
        return approvers >= required ? Tally.APPROVED : Tally.WAITING;
    }
}
