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

    /** The {@link #metric} of an incident of a canary the cluster refused to run on: the change is not the suspect. */
    public static final String CLUSTER = "cluster";

    /**
     * Whether the rollback that opened it was for what the version did (a metric, a hard trigger, its pods never
     * ready), rather than a person's stop or the cluster's refusal.
     */
    public boolean blamesTheVersion() {
        return !metric.equals(STOPPED_BY_HAND) && !metric.equals(CLUSTER);
    }
}
