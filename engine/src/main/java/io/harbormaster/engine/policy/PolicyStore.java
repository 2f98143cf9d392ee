package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The engine's port to locks, freezes and automatic-deploy blocks. */
public interface PolicyStore {
    /** Locks a service; if it is locked already, the existing lock is kept and returned. */
    default ServiceLock lock(ServiceLock lock) {
        return takeLock(lock).held();
    }

    /**
     * {@link #lock}, and which deploy held the service's rollout as the lock was stored: one step, taken one at a time
     * per service with every preflight's claim of the rollout ({@link
     * io.harbormaster.engine.rollout.DeployStore#claimRolloutUnlessLocked}) across every replica sharing the store. A
     * claim taken before it is the one it finds (that deploy's canary starts, or has started); a claim after it finds
     * the lock and is refused. So of a deploy in its preflight, what the lock does to it is known from this alone.
     */
    LockTaken takeLock(ServiceLock lock);

    /** Removes a service's lock; returns the lock that was removed, if there was one. */
    Optional<ServiceLock> unlock(String service);

    Optional<ServiceLock> lockOf(String service);

    Freeze addFreeze(Optional<String> service, Instant startsAt, Instant endsAt, String reason, String createdBy);

    /** Freezes that cover {@code service} at {@code at}. */
    List<Freeze> freezesCovering(String service, Instant at);

    /** Blocks automatic deploys of a service until {@code until}, extending (never shortening) an existing block. */
    AutoDeployBlock blockAutoDeploys(String service, Instant until, String reason, OptionalLong deployId);

    /** The block in force on {@code service} at {@code at}, if any. */
    Optional<AutoDeployBlock> autoDeployBlock(String service, Instant at);
}
