package io.harbormaster.bot.cli;

import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.NoiseSource;
import io.harbormaster.engine.canary.StableTrackNoise;
import java.util.Map;
import java.util.Optional;

/**
 * The noise history a pipeline decision started from, as its audit entry's {@code noise_history} shows it: the noise,
 * and the stable track's window when it was read there (a service's first canary) rather than from the service's
 * earlier canaries, so that a replay judges, and says, as the pipeline did.
 */
record ReplayedHistory(CanaryNoise noise, Optional<StableTrackNoise.Window> stableTrack) {
    static final ReplayedHistory NONE = new ReplayedHistory(CanaryNoise.NONE, Optional.empty());

    /** Reads an audit entry's {@code noise_history}; refuses what is not one with its place in the entry. */
    static ReplayedHistory fromAuditFields(Map<?, ?> fields) {
        return new ReplayedHistory(CanaryNoise.fromAuditFields(fields), CanaryNoise.stableTrackIn(fields));
    }

    /** Where the noise was measured (what the replayed evidence names). */
    NoiseSource source() {
        return stableTrack.isPresent() ? NoiseSource.STABLE_TRACK : NoiseSource.EARLIER_CANARIES;
    }

    /** Where the latency noise came from, in words for the report. */
    String latencyFrom() {
        return stableTrack
                .map(w -> "the stable track from " + w.from() + " to " + w.to() + " (" + w.intervals()
                        + " intervals with data)")
                .orElse("earlier canaries");
    }
}
