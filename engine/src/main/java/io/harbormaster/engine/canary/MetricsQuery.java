package io.harbormaster.engine.canary;

import java.time.Duration;
import java.time.Instant;

/** Which canary's metrics to read, over which time, cut into intervals of which length. */
public record MetricsQuery(String service, String namespace, Instant from, Instant to, Duration interval) {
    public MetricsQuery {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("metrics query: from (" + from + ") must be before to (" + to + ")");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("metrics query: the interval must be positive, got " + interval);
        }
    }
}
