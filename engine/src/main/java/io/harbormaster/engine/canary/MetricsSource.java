package io.harbormaster.engine.canary;

import java.util.List;

/** The engine's port to a metrics store (Prometheus in production, the simulator in the sandbox). */
public interface MetricsSource {
    /**
     * Per-interval samples of both tracks, oldest first, one per interval from {@code query.from()}; an interval
     * without data holds {@link TrackSample#NO_DATA} (or NaN in the fields that had none).
     *
     * @throws MetricsUnavailable when the store cannot be reached or answers with an error
     */
    List<IntervalSample> samples(MetricsQuery query);

    /** Whether the store answers at all (for readiness and for "no data" versus "no store"). */
    boolean isOnline();
}
