package io.harbormaster.engine.rollout;

import io.harbormaster.engine.policy.ServiceLock;

/**
 * What a passed preflight's claim of its service's rollout came to ({@link DeployStore#claimRolloutUnlessLocked}): the
 * deploy may start its canary, waits its turn behind the deploy that holds it, or is stopped by a lock taken after its
 * checks read the locks.
 */
public sealed interface RolloutClaim {
    /** The deploy holds the service's rollout now (or did already): its canary may start. */
    record Claimed() implements RolloutClaim {}

    /** Another deploy of the service, not ended, holds it: nothing was claimed. */
    record Held() implements RolloutClaim {}

    /** The service is locked: nothing was claimed, and the deploy is stopped as its preflight stops one under a lock. */
    record Locked(ServiceLock lock) implements RolloutClaim {}
}
