package io.harbormaster.engine.rollout;

import java.util.Map;
import java.util.Objects;

/**
 * The stable Deployment as the cluster has it now.
 *
 * @param image the image of the target's container
 * @param replicas the replicas it is asked for now (fewer than {@code fullReplicas} while a canary runs by replica
 *     ratio)
 * @param fullReplicas its size before the rollout began (remembered in the cluster, so a restarted engine knows it)
 * @param selector the labels its pods carry and its Deployment selects on (canary and baseline pods carry them too)
 * @param traffic how this service's traffic is divided: as the rollout in progress started with it (remembered in the
 *     cluster, so a configuration changed in the middle of a canary applies to the next one), else as configured
 */
public record StableDeployment(
        RolloutTarget target,
        String image,
        int replicas,
        int fullReplicas,
        Map<String, String> selector,
        TrafficSplit traffic) {
    public StableDeployment {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(traffic, "traffic");
        selector = Map.copyOf(selector);
    }

    /** A stable Deployment whose traffic follows pods. */
    public StableDeployment(
            RolloutTarget target, String image, int replicas, int fullReplicas, Map<String, String> selector) {
        this(target, image, replicas, fullReplicas, selector, TrafficSplit.REPLICA_RATIO);
    }

    /** The pods and traffic share of each track at a step of this weight. */
    public ReplicaPlan planFor(int weightPercent) {
        return ReplicaPlan.forWeight(traffic, fullReplicas, weightPercent);
    }
}
