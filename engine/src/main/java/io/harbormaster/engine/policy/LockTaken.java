package io.harbormaster.engine.policy;

import java.util.OptionalLong;

/**
 * What {@link PolicyStore#takeLock} found and did.
 *
 * @param held the service's lock now: the one given, or the one that was there already (and is kept)
 * @param rollingOut the deploy that held the service's rollout as the lock was stored, if one did: it had passed its
 *     preflight (its claim, {@link io.harbormaster.engine.rollout.DeployStore#claimRolloutUnlessLocked}, came before
 *     the lock), and the lock does not stop it; every other deploy of the service is stopped by its preflight. Empty
 *     when {@code held} is not the lock given (nothing was stored).
 */
public record LockTaken(ServiceLock held, OptionalLong rollingOut) {}
