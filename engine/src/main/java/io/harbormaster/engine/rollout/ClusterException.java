package io.harbormaster.engine.rollout;

/** The cluster did not do what the engine asked; the message names the Deployment and what to check. */
public abstract sealed class ClusterException extends RuntimeException
        permits StableNotFound, ClusterForbidden, ClusterRefused, ClusterUnavailable {
    protected ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
