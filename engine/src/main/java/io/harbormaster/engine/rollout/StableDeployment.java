package io.harbormaster.engine.rollout;

import java.util.Map;
import java.util.Objects;

/**
 * The stable Deployment as the cluster has it now.
 *
 * @param image the image of the target's container
 * @param replicas the replicas it is asked for now (fewer than {@code fullReplicas} while a canary runs)
 * @param fullReplicas its size before the rollout began (remembered in the cluster, so a restarted engine knows it)
 * @param selector the labels its pods carry and its Service selects on (canary and baseline pods carry them too)
 */
public record StableDeployment(
        RolloutTarget target, String image, int replicas, int fullReplicas, Map<String, String> selector) {
    public StableDeployment {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(image, "image");
        selector = Map.copyOf(selector);
    }
}
