package io.harbormaster.engine.rollout;

/** The answer to an approver's click: counted (with the deploy as it is now), a repeat, or refused with why. */
public sealed interface Decision {
    /** The click was counted. */
    record Counted(Deploy deploy, int approvals, int required) implements Decision {}

    /**
     * The clicker had decided this deploy before (a double click, whichever replica took each request): nothing new was
     * recorded, and {@code first} stands.
     */
    record AlreadyDecided(Approval first) implements Decision {}

    /** The click did not count; the reason is shown to the clicker only. */
    record Refused(String reason) implements Decision {}
}
