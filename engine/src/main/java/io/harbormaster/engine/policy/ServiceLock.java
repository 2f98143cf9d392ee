package io.harbormaster.engine.policy;

import java.time.Instant;

/** A hold on a service: no deploys until someone unlocks it. */
public record ServiceLock(String service, String reason, String lockedBy, Instant lockedAt) {}
