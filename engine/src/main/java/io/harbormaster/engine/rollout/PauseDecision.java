package io.harbormaster.engine.rollout;

/** The answer to a click on a paused canary's Promote anyway / Roll back: taken, refused, or too late. */
public sealed interface PauseDecision {
    /** What a person may decide for a canary paused for a human. */
    enum Choice {
        PROMOTE,
        ROLLBACK
    }

    /** The decision was audited and acted on; {@code deploy} is as it is now. */
    record Taken(Choice choice, Deploy deploy) implements PauseDecision {}

    /** The clicker may not decide this deploy; the reason (who may) is shown to them only. */
    record Refused(String reason) implements PauseDecision {}

    /** The deploy no longer waits for this decision (decided, rolled back or resumed meanwhile): nothing was done. */
    record NotWaiting(String reason, Deploy deploy) implements PauseDecision {}
}
