package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** What went wrong after a rollback: which metric tripped, a summary, the engine's hypothesis, and the resolution. */
public record Incident(
        long id,
        OptionalLong deployId,
        String service,
        String version,
        Instant openedAt,
        String metric,
        String summary,
        String hypothesis,
        Optional<Instant> resolvedAt,
        Optional<String> resolution) {

    /** The {@link #metric} of an incident a person's rollback opened: no metric tripped. */
    public static final String STOPPED_BY_HAND = "stopped by hand";
}
