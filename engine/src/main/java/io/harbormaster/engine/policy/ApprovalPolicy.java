package io.harbormaster.engine.policy;

import io.harbormaster.engine.rollout.Approval;
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

    /** What the approvals so far add up to. */
    public enum Tally {
        WAITING,
        APPROVED,
        REJECTED
    }

    public static Eligibility eligibility(
            String clicker,
            Set<String> approverGroup,
            String groupName,
            String requester,
            String author,
            List<Approval> earlier,
            Instant expiresAt,
            Instant now) {
        if (!now.isBefore(expiresAt)) {
            return new Eligibility.Refused("this request expired at " + expiresAt + "; request the deploy again");
        }
        // Self-approval is named first, whether or not the clicker is an approver: it is the reason that tells them
        // what to do (find someone else), and the one an auditor looks for.
        boolean requested = clicker.equals(requester);
        boolean wrote = clicker.equals(author);
        if (requested || wrote) {
            var why = requested && wrote
                    ? "you wrote this change and requested this deploy"
                    : requested ? "you requested this deploy" : "you wrote this change";
            return new Eligibility.Refused(why + ", so you cannot approve it; ask a member of " + groupName);
        }
        if (!approverGroup.contains(clicker)) {
            return new Eligibility.Refused("only members of " + groupName + " may decide this deploy");
        }
        if (earlier.stream().anyMatch(a -> a.approver().equals(clicker))) {
            return new Eligibility.Refused("you already decided this deploy");
        }
        return new Eligibility.Allowed();
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
