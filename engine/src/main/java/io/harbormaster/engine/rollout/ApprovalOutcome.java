package io.harbormaster.engine.rollout;

import java.util.List;
import java.util.Optional;

/**
 * What became of an approver's decision handed to {@link DeployStore#recordDecision}: taken one at a time per deploy,
 * across every replica, so that exactly one of two simultaneous clicks is recorded and settles the deploy.
 */
public sealed interface ApprovalOutcome {
    /** The approver had decided before (a double click, maybe on another replica): that first decision stands. */
    record AlreadyDecided(Approval first) implements ApprovalOutcome {}

    /** The deploy no longer waits for a decision (decided by someone else, expired, stopped): nothing was recorded. */
    record NotWaiting(Deploy deploy) implements ApprovalOutcome {}

    /**
     * The decision was recorded. {@code approvals}: every decision on the deploy so far, this one included;
     * {@code deploy}: the deploy as it is now; {@code settled}: its move out of waiting, when this decision settled it.
     */
    record Recorded(List<Approval> approvals, Deploy deploy, Optional<Transition> settled) implements ApprovalOutcome {}
}
