package io.harbormaster.bot.cli;

import io.harbormaster.engine.adapters.prometheus.PrometheusConfig;
import io.harbormaster.engine.adapters.prometheus.PrometheusMetricsSource;
import io.harbormaster.engine.canary.MetricsSource;
import java.net.URI;
import java.net.URISyntaxException;

/** Builds the {@link MetricsSource} the command line reads a live canary from. */
final class MetricsSources {
    private MetricsSources() {}

    /** The Prometheus source at {@code baseUrl}, with the default PromQL templates. */
    static PrometheusMetricsSource prometheus(String baseUrl) {
        try {
            var uri = new URI(baseUrl);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new UserError(
                        "--prometheus must be an http(s) URL such as http://prometheus:9090, got '" + baseUrl + "'");
            }
            return new PrometheusMetricsSource(PrometheusConfig.of(uri));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UserError("--prometheus: " + e.getMessage(), e);
        }
    }
}
