package io.harbormaster.engine.canary;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which canary's metrics to read, over which time, cut into intervals of which length.
 *
 * @param metricTemplates the service's own query templates by metric name (requests, errors, p50, p99, restarts) that
 *     the canary started with, over the store's defaults (an empty map: the defaults only), so that a running canary
 *     is read by the same queries to its end; empty: the templates the store is configured with now (a canary that
 *     started before its templates were recorded, or a read that belongs to no canary of the pipeline)
 */
public record MetricsQuery(
        String service,
        String namespace,
        Instant from,
        Instant to,
        Duration interval,
        Optional<Map<String, String>> metricTemplates) {
    public MetricsQuery {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("metrics query: from (" + from + ") must be before to (" + to + ")");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("metrics query: the interval must be positive, got " + interval);
        }
        metricTemplates =
                Objects.requireNonNull(metricTemplates, "metricTemplates").map(Map::copyOf);
    }

    /** A read by the templates the store is configured with now. */
    public MetricsQuery(String service, String namespace, Instant from, Instant to, Duration interval) {
        this(service, namespace, from, to, interval, Optional.empty());
    }
}
