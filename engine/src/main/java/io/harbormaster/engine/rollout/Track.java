package io.harbormaster.engine.rollout;

/** Which of a service's Deployments: the one serving now, the new version, or the fresh copy of the current one. */
public enum Track {
    STABLE,
    CANARY,
    BASELINE;

    /** The value of the {@code track} label on Deployments and pods (and in the metrics). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
