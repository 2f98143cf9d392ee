package io.harbormaster.engine.adapters.kubernetes;

import io.harbormaster.engine.rollout.ReplicaPlan;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.TrafficSplit;
import java.util.Map;

/**
 * How one rollout's traffic is moved between the tracks. {@link #REPLICA_RATIO} sets nothing: all pods sit behind one
 * Service and traffic follows the replica counts {@link Fabric8Cluster#scale} sets. {@link GatewayApiRouter} sets the
 * weights of a Gateway API HTTPRoute. {@link Fabric8Cluster} picks one per rollout and keeps it to the rollout's end.
 */
interface TrafficRouter {
    /** Traffic follows pods; nothing to set. */
    TrafficRouter REPLICA_RATIO = new TrafficRouter() {
        @Override
        public TrafficSplit split() {
            return TrafficSplit.REPLICA_RATIO;
        }

        @Override
        public void check(RolloutTarget target, Map<String, String> stablePodLabels) {}

        @Override
        public void route(RolloutTarget target, ReplicaPlan plan, Serving serving) {}

        @Override
        public void reset(RolloutTarget target) {}

        @Override
        public boolean divided(RolloutTarget target) {
            return false;
        }

        @Override
        public String toString() {
            return "replica ratio";
        }
    };

    /** Whether the canary's and the baseline's pods can take their weight now. */
    enum Serving {
        /** A track has no ready pod: a weight on it would fail its requests. */
        NONE,
        /** Each track has ready pods, not yet all it was asked for (starting, or scaling to a new step). */
        SOME,
        /** Both tracks have all the pods they were asked for, ready. */
        ALL;

        Serving and(Serving other) {
            return compareTo(other) <= 0 ? this : other;
        }
    }

    /** How the traffic is divided, which sizes the tracks' pods. */
    TrafficSplit split();

    /**
     * Refuses, before a rollout starts, what would keep this router from dividing the target's traffic (a route that
     * does not exist, a Service that selects the canary's pods too), with a message that says what to fix.
     *
     * @param stablePodLabels the labels of the stable Deployment's pods (canary and baseline pods get them too, with
     *     their own {@code track})
     */
    void check(RolloutTarget target, Map<String, String> stablePodLabels);

    /**
     * Gives the canary and the baseline each {@link ReplicaPlan#routeWeight()} of the target's traffic and the stable the
     * rest, once {@code serving} says their pods can take it: with all their pods ready the plan's weights; with some,
     * no more than they have now; with none, nothing (called after pods are scaled, at every step's tick).
     */
    void route(RolloutTarget target, ReplicaPlan plan, Serving serving);

    /** Sends all traffic to stable again (called on promotion and rollback, before canary and baseline go). */
    void reset(RolloutTarget target);

    /**
     * Whether traffic is still divided: the route still sends to canary or baseline backends, whatever their weights
     * (a rollout that did not end, or whose end was not finished). Reads; never refuses a route that could not be
     * divided, and a route that is not there divides nothing.
     */
    boolean divided(RolloutTarget target);
}
