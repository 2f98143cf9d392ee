package io.harbormaster.engine.rollout;

/** Where a deploy is in the pipeline of SPEC.md. */
public enum DeployState {
    REQUESTED,
    SCORED,
    AWAITING_APPROVAL,
    APPROVED,
    REJECTED,
    EXPIRED,
    PREFLIGHT,
    CANARY,
    PROMOTING,
    PROMOTED,
    ROLLING_BACK,
    ROLLED_BACK,
    FAILED;

    /** The state as a person reads it: "awaiting approval", "rolled back". */
    public String words() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Whether the deploy has ended: nothing more will happen to it. */
    public boolean terminal() {
        return switch (this) {
            case REJECTED, EXPIRED, PROMOTED, ROLLED_BACK, FAILED -> true;
            default -> false;
        };
    }
}
