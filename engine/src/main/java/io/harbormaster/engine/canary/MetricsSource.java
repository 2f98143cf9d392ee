package io.harbormaster.engine.canary;

import java.util.List;

/** The engine's port to a metrics store (Prometheus in production, the simulator in the sandbox). */
public interface MetricsSource {
    /** The value of the {@code track} label of the Deployment that serves the service outside a canary. */
    String STABLE = "stable";

    /**
     * Per-interval samples of both tracks, oldest first, one per interval from {@code query.from()}; an interval
     * without data holds {@link TrackSample#NO_DATA} (or NaN in the fields that had none).
     *
     * @throws MetricsUnavailable when the store cannot be reached or answers with an error
     */
    List<IntervalSample> samples(MetricsQuery query);

    /**
     * Per-interval samples of one track alone, read as {@link #samples} reads each of its two: {@code track} is the
     * value of the {@code track} label ({@link #STABLE}, {@code baseline} or {@code canary}). The pipeline reads the
     * stable track before a first canary started, to learn the service's noise ({@link StableTrackNoise}).
     *
     * @throws MetricsUnavailable when the store cannot be reached or answers with an error
     */
    List<TrackSample> track(MetricsQuery query, String track);

    /** Whether the store answers at all (for readiness and for "no data" versus "no store"). */
    boolean isOnline();
}
