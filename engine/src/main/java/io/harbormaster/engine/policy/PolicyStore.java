package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The engine's port to locks, freezes and automatic-deploy blocks. */
public interface PolicyStore {
    /** Locks a service; if it is locked already, the existing lock is kept and returned. */
    ServiceLock lock(ServiceLock lock);

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
