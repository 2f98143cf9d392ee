package io.harbormaster.engine.rollout;

import io.harbormaster.engine.canary.CanaryNoise;
import java.time.Instant;
import java.util.Objects;

/**
 * The noise of one promoted canary as the store keeps it, with where it came from: the deploy ({@code deployId}, of
 * {@code version}) whose canary measured it, and when it was kept ({@code keptAt}, the promotion's moment).
 */
public record KeptNoise(long deployId, String version, Instant keptAt, CanaryNoise noise) {
    public KeptNoise {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(keptAt, "keptAt");
        Objects.requireNonNull(noise, "noise");
    }
}
