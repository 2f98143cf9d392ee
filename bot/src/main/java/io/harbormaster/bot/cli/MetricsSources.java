package io.harbormaster.bot.cli;

import io.harbormaster.engine.adapters.prometheus.PrometheusMetricsSource;
import io.harbormaster.engine.canary.MetricsSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/** Builds the {@link MetricsSource} the command line reads a live canary from. */
final class MetricsSources {
    private MetricsSources() {}

    /**
     * The Prometheus source at {@code baseUrl}, with the default PromQL templates and the credentials of the
     * environment ({@link PrometheusSettings}).
     */
    static PrometheusMetricsSource prometheus(String baseUrl) {
        return prometheus(baseUrl, System.getenv());
    }

    static PrometheusMetricsSource prometheus(String baseUrl, Map<String, String> env) {
        try {
            var uri = new URI(baseUrl);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new UserError(
                        "--prometheus must be an http(s) URL such as http://prometheus:9090, got '" + baseUrl + "'");
            }
            if (uri.getRawUserInfo() != null) {
                throw new UserError("--prometheus must not carry credentials (user:password@): set"
                        + " HARBORMASTER_PROMETHEUS_USER and HARBORMASTER_PROMETHEUS_PASSWORD, or a bearer token in"
                        + " HARBORMASTER_PROMETHEUS_TOKEN");
            }
            return new PrometheusMetricsSource(PrometheusSettings.config(uri, env));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UserError("--prometheus: " + e.getMessage(), e);
        }
    }
}
