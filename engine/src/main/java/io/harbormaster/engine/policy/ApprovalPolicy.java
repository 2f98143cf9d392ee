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
        if (!approverGroup.contains(clicker)) {
            return new Eligibility.Refused("only members of " + groupName + " may decide this deploy");
        }
        if (clicker.equals(requester)) {
            return new Eligibility.Refused(
                    "you requested this deploy, so you cannot approve it; ask another member of " + groupName);
        }
        if (clicker.equals(author)) {
            return new Eligibility.Refused(
                    "you wrote this change, so you cannot approve it; ask another member of " + groupName);
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
