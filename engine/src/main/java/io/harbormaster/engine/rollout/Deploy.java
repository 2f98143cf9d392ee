package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A deploy and its current state. {@code revision} grows with every change, so a writer that read an older revision
 * cannot overwrite a newer one.
 */
public record Deploy(
        long id,
        long requestId,
        String service,
        String version,
        String environment,
        DeployState state,
        int step,
        OptionalDouble riskScore,
        Optional<Boolean> escalated,
        boolean emergency,
        Instant createdAt,
        Instant updatedAt,
        int revision) {}
