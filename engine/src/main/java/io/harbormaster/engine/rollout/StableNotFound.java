package io.harbormaster.engine.rollout;

/** The service's stable Deployment, or the container to update in it, does not exist. */
public final class StableNotFound extends ClusterException {
    public StableNotFound(String message) {
        super(message, null);
    }
}
