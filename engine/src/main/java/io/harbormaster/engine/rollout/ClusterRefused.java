package io.harbormaster.engine.rollout;

/** The cluster's state does not allow the operation (a Deployment we did not create has the name we need, ...). */
public final class ClusterRefused extends ClusterException {
    public ClusterRefused(String message) {
        super(message, null);
    }

    public ClusterRefused(String message, Throwable cause) {
        super(message, cause);
    }
}
