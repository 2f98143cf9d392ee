package io.harbormaster.engine.rollout;

/**
 * How a rollout divides a service's traffic between stable, canary and baseline: it decides how many pods each track
 * needs ({@link ReplicaPlan}) and what share the canary really gets.
 */
public enum TrafficSplit {
    /**
     * The three tracks' pods sit behind the service's one Service, so each track's share is its share of the pods: a
     * service with few replicas cannot give a small step.
     */
    REPLICA_RATIO,
    /**
     * Weights on the service's route (a Gateway API HTTPRoute): canary and baseline each get exactly the step's weight,
     * whatever their pod counts, and are sized for that share of the load.
     */
    ROUTE_WEIGHTS;

    /** How the audit log and the thread name it: {@code replica_ratio}, {@code route_weights}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
