package io.harbormaster.engine.rollout;

import java.time.Instant;

/** One approver's decision on an escalated deploy. */
public record Approval(long deployId, String approver, Decision decision, String comment, Instant decidedAt) {
    /** What the approver decided. */
    public enum Decision {
        APPROVE,
        REJECT
    }
}
