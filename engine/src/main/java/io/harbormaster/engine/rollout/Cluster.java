package io.harbormaster.engine.rollout;

import java.time.Instant;

/**
 * The engine's port to the Kubernetes cluster a service runs in: a canary and a baseline next to the stable Deployment,
 * traffic moved between them, then promotion or rollback.
 *
 * <p>Every operation is idempotent and converges to the state it names, so a restarted engine can repeat the last
 * operation it may or may not have finished. Failures are {@link ClusterException}s whose message names the
 * Deployment and what to check.
 */
public interface Cluster {
    /**
     * The stable Deployment of the target, with how its traffic is divided ({@link StableDeployment#traffic()}).
     *
     * @throws StableNotFound when the Deployment or its container does not exist
     * @throws ClusterRefused when the traffic cannot be divided as configured (before a rollout starts: a route that
     *     does not exist or does not send to the service)
     */
    StableDeployment stable(RolloutTarget target);

    /** Makes {@code <deployment>-canary} a copy of the stable pod template running {@code image}, with this size. */
    void ensureCanary(RolloutTarget target, String image, int replicas);

    /** Makes {@code <deployment>-baseline} a copy of the stable pod template running {@code image}, with this size. */
    void ensureBaseline(RolloutTarget target, String image, int replicas);

    /**
     * Sets the replicas of canary, baseline and stable to the plan (canary and baseline must exist), and, when the
     * traffic is divided by route weights, the route's weights once the canary's and the baseline's pods are ready.
     *
     * @throws ClusterRefused when the canary or the baseline does not exist
     */
    void scale(RolloutTarget target, ReplicaPlan plan);

    /**
     * Waits, at most until {@code deadline}, until the stable, canary and baseline Deployments (those that exist) have
     * all their pods updated and ready; answers early with {@link Readiness.NotReady} when a pod cannot get ready.
     */
    Readiness awaitReady(RolloutTarget target, Instant deadline);

    /**
     * Sends all traffic to the stable Deployment, gives it {@code image} and its full size, then removes canary and
     * baseline. The stable
     * Deployment rolls its pods after this returns: wait for it with {@link #awaitReady}.
     */
    void promote(RolloutTarget target, String image);

    /**
     * Sends all traffic to the stable Deployment again, removes canary and baseline and gives the stable Deployment
     * its full size back; its image is not touched.
     */
    void rollback(RolloutTarget target);

    /**
     * Whether part of the target's traffic still goes to canary or baseline by a route's weights (the route a rollout
     * started with, while the stable Deployment remembers one; else the configured one): a rollout that did not end,
     * or whose end was cut short. {@link #promote} and {@link #rollback} send it all to the stable Deployment again.
     * Always {@code false} when traffic follows pods. Unlike {@link #stable}, it does not refuse a route that could not
     * divide a new canary's traffic, and a route that is not there divides nothing.
     */
    boolean trafficDivided(RolloutTarget target);

    /**
     * What exists now: the stable Deployment, and the canary and baseline if they do. Unlike {@link #stable}, it does
     * not refuse a traffic route that could not divide a new canary's traffic: what exists is read whatever the route.
     *
     * @throws StableNotFound when the Deployment or its container does not exist
     */
    RolloutSnapshot inspect(RolloutTarget target);
}
