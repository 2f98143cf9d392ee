package io.harbormaster.bot.cli;

import io.harbormaster.engine.canary.MetricsSource;

/** Builds the {@link MetricsSource} the command line reads a live canary from. */
final class MetricsSources {
    private MetricsSources() {}

    /**
     * The Prometheus source at {@code baseUrl}.
     *
     * <p>TODO(lead): wire io.harbormaster.engine.adapters.prometheus (built on another branch) here, e.g. {@code
     * return new PrometheusMetricsSource(URI.create(baseUrl), templates);}. Everything after this call (query,
     * replay, printing) already works on any MetricsSource.
     */
    static MetricsSource prometheus(String baseUrl) {
        throw new UserError("reading a canary from Prometheus (" + baseUrl + ") is not available in this build yet;"
                + " export the series to a file and use --input run.json");
    }
}
