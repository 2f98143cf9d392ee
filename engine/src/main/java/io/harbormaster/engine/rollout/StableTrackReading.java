package io.harbormaster.engine.rollout;

import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.StableTrackNoise;
import java.time.Instant;
import java.util.Objects;

/**
 * What a canary whose service had no kept noise (its first under Harbormaster) read from the service's stable track
 * over the window {@code [from, to)} before it started, as the store keeps it: the noise it starts from, or why there
 * was none. It is read once, at the canary's first judgement, and every later judgement, on any replica and after a
 * restart, starts from the stored one, so the canary is judged from the same noise to its end.
 */
public sealed interface StableTrackReading {
    /** The window's start. */
    Instant from();

    /** The window's end: when the canary started. */
    Instant to();

    /** When it was read. */
    Instant readAt();

    /** The noise the canary starts from: none when nothing could be read. */
    CanaryNoise noise();

    /** The stable track gave the noise: {@code intervals} of the window had requests and both quantiles. */
    record Read(Instant from, Instant to, Instant readAt, int intervals, CanaryNoise noise)
            implements StableTrackReading {
        public Read {
            checked(from, to, readAt);
            Objects.requireNonNull(noise, "noise");
            if (!noise.known()) {
                throw new IllegalArgumentException("a reading of the stable track needs its latency noise (p50, p99"
                        + " and the spread); store one that gave none as not read, with why");
            }
            if (intervals < 0) {
                throw new IllegalArgumentException("intervals must be 0 or more, got " + intervals);
            }
        }

        /** The window as the decision's audit entry shows it. */
        public StableTrackNoise.Window window() {
            return new StableTrackNoise.Window(from, to, intervals);
        }
    }

    /** Nothing was read, and {@code why} (the metrics store did not answer, too little data): the canary learns alone. */
    record NotRead(Instant from, Instant to, Instant readAt, String why) implements StableTrackReading {
        public NotRead {
            checked(from, to, readAt);
            if (why == null || why.isBlank()) {
                throw new IllegalArgumentException("a stable track not read needs why");
            }
        }

        @Override
        public CanaryNoise noise() {
            return CanaryNoise.NONE;
        }
    }

    private static void checked(Instant from, Instant to, Instant readAt) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(readAt, "readAt");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException(
                    "the stable track's window needs from before to, got " + from + " and " + to);
        }
    }
}
