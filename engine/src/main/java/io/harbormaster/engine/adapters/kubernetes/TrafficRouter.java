package io.harbormaster.engine.adapters.kubernetes;

import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutTarget;

/**
 * Where traffic weights are set when they are not just pod counts: the extension point for Gateway API
 * {@code HTTPRoute} or ingress weights. The default, {@link #REPLICA_RATIO}, sets nothing: all pods sit behind one
 * Service and traffic follows the replica counts {@link Fabric8Cluster#scale} sets.
 */
public interface TrafficRouter {
    /** Traffic follows pods; nothing to set. */
    TrafficRouter REPLICA_RATIO = new TrafficRouter() {
        @Override
        public void route(RolloutTarget target, ReplicaPlan plan) {}

        @Override
        public void reset(RolloutTarget target) {}

        @Override
        public String toString() {
            return "replica ratio";
        }
    };

    /** Sends {@code plan.weightPercent()} of the target's traffic to the canary (called after pods are scaled). */
    void route(RolloutTarget target, ReplicaPlan plan);

    /** Sends all traffic to stable again (called on promotion and rollback, before canary and baseline go). */
    void reset(RolloutTarget target);
}
