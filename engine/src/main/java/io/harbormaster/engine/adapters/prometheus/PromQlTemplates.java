package io.harbormaster.engine.adapters.prometheus;

import java.time.Duration;

/**
 * The PromQL that reads each metric of one track over one interval; checked when built.
 *
 * <p>Placeholders: {@code {service}}, {@code {namespace}}, {@code {track}} ({@code baseline} or {@code canary}, and
 * {@code stable} when the stable track is read before a service's first canary) inside
 * quoted label values, and {@code {interval}} (a duration such as {@code 30s}) as a range or offset. Each template is
 * evaluated at the end of every interval, so a template reading a counter's growth over {@code {interval}} gives that
 * interval's count. Each must aggregate to at most one series (e.g. with {@code sum(...)}): more than one is refused
 * when queried, because summing quantiles or picking one series would silently be wrong. Counts are counts per
 * interval, latencies are milliseconds.
 */
public record PromQlTemplates(String requests, String errors, String p50, String p99, String restarts) {

    private static final String SELECTOR = "namespace=\"{namespace}\",service=\"{service}\",track=\"{track}\"";
    /**
     * How far back {@link #exactCount} looks for a counter's latest sample: a series not scraped for this long counts
     * as new when it comes back.
     */
    static final String LATEST_WITHIN = "1h";

    private static final String REQUESTS = exactCount("http_requests_total{" + SELECTOR + "}");

    /**
     * Defaults for the usual instrumentation: {@code http_requests_total} with a {@code code} label and the
     * histogram {@code http_request_duration_seconds} (seconds, converted to ms), both labelled with
     * {@code service}, {@code namespace} and {@code track}; restarts from kube-state-metrics for pods named
     * {@code <service>-<track>-...} (the canary and baseline Deployments; the stable Deployment's pods are named after
     * it, so for the stable track this usually reads no data, which its noise does not use). Requests, errors and restarts are exact
     * counts ({@link #exactCount}), as the canary judges' binomial tests assume. Errors fall back to 0 when requests
     * were seen but no 5xx series exists yet (client libraries create a {@code code="500"} series only on the first
     * 500), and stay "no data" when there were no requests at all. The latency quantiles use {@code increase()}: it
     * extrapolates every bucket of the histogram by the same factor, which leaves the quantiles as they are.
     */
    public static final PromQlTemplates DEFAULTS = new PromQlTemplates(
            REQUESTS,
            exactCount("http_requests_total{" + SELECTOR + ",code=~\"5..\"}") + " or " + REQUESTS + " * 0",
            quantile("0.5"),
            quantile("0.99"),
            exactCount("kube_pod_container_status_restarts_total{namespace=\"{namespace}\","
                    + "pod=~\"{service}-{track}-.*\"}"));

    /**
     * A template for the exact number of events a counter counted in the interval, summed over its series. Unlike
     * {@code increase()}, which scales the growth between a window's first and last sample up to the whole window (a
     * 60 s window of 15 s scrapes holds 45 s of samples, so about 4/3 of the count, rarely a whole number), these
     * counts add up exactly across consecutive intervals: each event is counted once, in the interval of the first
     * scrape that saw it.
     *
     * <p>Per series, with {@code start} and {@code end} its latest samples at the interval's start and end
     * ({@code last_over_time} over {@value #LATEST_WITHIN}, which skips the staleness markers of failed scrapes) and
     * {@code highest} its highest sample in the interval: the count is {@code highest - start} (at least 0), plus
     * {@code end} when the counter was reset ({@code end} below {@code highest} or {@code start}: the process restarted
     * and {@code end} is what it counted since). A series with no sample before the interval (a new pod, or a 5xx
     * series its client library creates on the first 500) counts {@code end}, all it counted since it was created. A
     * series with no sample in the interval adds nothing, and the sum is "no data" when no series has one.
     *
     * <p>Limits: events between a counter's last scrape and its reset are lost (no query can see them); two resets in
     * one interval, or a reset after which the counter grows past its old value before the next scrape, are
     * undercounted; a series Prometheus has not seen for {@value #LATEST_WITHIN} (a process it starts scraping late,
     * or after a longer outage) counts its whole value when it comes back. Prometheus 2's ranges include their start,
     * so a sample exactly at the interval's start counts as one in the interval (the interval reads 0, not no data).
     *
     * @param counter a counter's selector, e.g. {@code http_requests_total{service="{service}",track="{track}"}}
     */
    static String exactCount(String counter) {
        String end = "last_over_time(" + counter + "[" + LATEST_WITHIN + "])";
        String start = "last_over_time(" + counter + "[" + LATEST_WITHIN + "] offset {interval})";
        String highest = "max_over_time(" + counter + "[{interval}])";
        return "sum(clamp_min(" + highest + " - " + start + ", 0) + (" + end + " < " + highest + " or " + end + " < "
                + start + " or " + end + " * 0) or " + end + " unless " + start + ")";
    }

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

    /**
     * These templates with a service's own (by metric name as {@code harbormaster.yml} writes it: requests, errors,
     * p50, p99, restarts), each checked like the others.
     *
     * @throws IllegalArgumentException for an unknown metric name or a template that does not parse, naming it
     */
    public PromQlTemplates with(java.util.Map<String, String> overrides) {
        var out = this;
        for (var e : overrides.entrySet()) {
            var metric = java.util.Arrays.stream(CanaryMetric.values())
                    .filter(m -> m.configName().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no metric " + e.getKey()));
            out = out.with(metric, e.getValue());
        }
        return out;
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
