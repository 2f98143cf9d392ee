package io.harbormaster.engine.adapters.prometheus;

import java.time.Duration;

/**
 * The PromQL that reads each metric of one track over one interval; checked when built.
 *
 * <p>Placeholders: {@code {service}}, {@code {namespace}}, {@code {track}} ({@code baseline} or {@code canary}) inside
 * quoted label values, and {@code {interval}} (a duration such as {@code 30s}) as a range. Each template is evaluated
 * at the end of every interval, so {@code increase(x[{interval}])} is that interval's count. Each must aggregate to
 * at most one series (e.g. with {@code sum(...)}): more than one is refused when queried, because summing quantiles
 * or picking one series would silently be wrong. Counts are counts per interval, latencies are milliseconds.
 */
public record PromQlTemplates(String requests, String errors, String p50, String p99, String restarts) {

    private static final String SELECTOR = "namespace=\"{namespace}\",service=\"{service}\",track=\"{track}\"";
    private static final String REQUESTS = "sum(increase(http_requests_total{" + SELECTOR + "}[{interval}]))";

    /**
     * Defaults for the usual instrumentation: {@code http_requests_total} with a {@code code} label and the
     * histogram {@code http_request_duration_seconds} (seconds, converted to ms), both labelled with
     * {@code service}, {@code namespace} and {@code track}; restarts from kube-state-metrics for pods named
     * {@code <service>-<track>-...} (the canary and baseline Deployments). Errors fall back to 0 when requests were
     * seen but no 5xx series exists yet (client libraries create a {@code code="500"} series only on the first
     * 500), and stay "no data" when there were no requests at all.
     */
    public static final PromQlTemplates DEFAULTS = new PromQlTemplates(
            REQUESTS,
            "sum(increase(http_requests_total{" + SELECTOR + ",code=~\"5..\"}[{interval}])) or " + REQUESTS + " * 0",
            quantile("0.5"),
            quantile("0.99"),
            "sum(increase(kube_pod_container_status_restarts_total{namespace=\"{namespace}\","
                    + "pod=~\"{service}-{track}-.*\"}[{interval}]))");

    public PromQlTemplates {
        PromQlTemplate.parse(CanaryMetric.REQUESTS.configName(), requests);
        PromQlTemplate.parse(CanaryMetric.ERRORS.configName(), errors);
        PromQlTemplate.parse(CanaryMetric.P50.configName(), p50);
        PromQlTemplate.parse(CanaryMetric.P99.configName(), p99);
        PromQlTemplate.parse(CanaryMetric.RESTARTS.configName(), restarts);
    }

    /** The template of one metric, as written. */
    public String template(CanaryMetric metric) {
        return switch (metric) {
            case REQUESTS -> requests;
            case ERRORS -> errors;
            case P50 -> p50;
            case P99 -> p99;
            case RESTARTS -> restarts;
        };
    }

    /** These templates with one replaced (a service's override of one metric); checked like the others. */
    public PromQlTemplates with(CanaryMetric metric, String template) {
        return new PromQlTemplates(
                metric == CanaryMetric.REQUESTS ? template : requests,
                metric == CanaryMetric.ERRORS ? template : errors,
                metric == CanaryMetric.P50 ? template : p50,
                metric == CanaryMetric.P99 ? template : p99,
                metric == CanaryMetric.RESTARTS ? template : restarts);
    }

    /** The PromQL for one metric of one track, values escaped for where they stand. */
    public String render(CanaryMetric metric, String service, String namespace, String track, Duration interval) {
        return PromQlTemplate.parse(metric.configName(), template(metric))
                .render(service, namespace, track, promDuration(interval));
    }

    /** A Prometheus duration for a whole number of seconds or milliseconds ({@code 30s}, {@code 1500ms}). */
    static String promDuration(Duration d) {
        if (d.isNegative() || d.isZero() || d.toNanosPart() % 1_000_000 != 0) {
            throw new IllegalArgumentException("interval must be a positive whole number of milliseconds, got " + d);
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private static String quantile(String q) {
        return "histogram_quantile(" + q + ", sum by (le) (increase(http_request_duration_seconds_bucket{" + SELECTOR
                + "}[{interval}]))) * 1000";
    }
}
