package io.harbormaster.engine.rollout;

/** The API server could not be reached or answered with an error; retrying later may work. */
public final class ClusterUnavailable extends ClusterException {
    public ClusterUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
