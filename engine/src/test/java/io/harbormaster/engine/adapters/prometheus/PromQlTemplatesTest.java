package io.harbormaster.engine.adapters.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PromQlTemplatesTest {

    private static final String REQUESTS =
            "sum(increase(http_requests_total{service=\"{service}\",track=\"{track}\"}[{interval}]))";

    private static String refusal(CanaryMetric metric, String template) {
        return assertThrows(IllegalArgumentException.class, () -> PromQlTemplates.DEFAULTS.with(metric, template))
                .getMessage();
    }

    /** The exact count of {@link PromQlTemplates#exactCount}, written out for one selector and interval. */
    private static String exactCount(String x, String interval) {
        String end = "last_over_time(" + x + "[1h])";
        String start = "last_over_time(" + x + "[1h] offset " + interval + ")";
        String highest = "max_over_time(" + x + "[" + interval + "])";
        return "sum(clamp_min(" + highest + " - " + start + ", 0) + (" + end + " < " + highest + " or " + end + " < "
                + start + " or " + end + " * 0) or " + end + " unless " + start + ")";
    }

    @Test
    void theDefaultsRenderToThePromQlOfCommonInstrumentation() {
        String requests = "http_requests_total{namespace=\"shop\",service=\"checkout\",track=\"canary\"}";
        assertEquals(
                exactCount(requests, "30s"),
                PromQlTemplates.DEFAULTS.render(
                        CanaryMetric.REQUESTS, "checkout", "shop", "canary", Duration.ofSeconds(30)));
        assertEquals(
                "sum(clamp_min(max_over_time(" + requests + "[30s]) - last_over_time(" + requests
                        + "[1h] offset 30s), 0) + (last_over_time(" + requests + "[1h]) < max_over_time(" + requests
                        + "[30s]) or last_over_time(" + requests + "[1h]) < last_over_time(" + requests
                        + "[1h] offset 30s) or last_over_time(" + requests + "[1h]) * 0) or last_over_time("
                        + requests + "[1h]) unless last_over_time(" + requests + "[1h] offset 30s))",
                exactCount(requests, "30s"),
                "the helper above spelled out once");
        String errors = "http_requests_total{namespace=\"shop\",service=\"checkout\",track=\"canary\",code=~\"5..\"}";
        assertEquals(
                exactCount(errors, "30s") + " or " + exactCount(requests, "30s") + " * 0",
                PromQlTemplates.DEFAULTS.render(
                        CanaryMetric.ERRORS, "checkout", "shop", "canary", Duration.ofSeconds(30)));
        assertEquals(
                "histogram_quantile(0.99, sum by (le) (increase(http_request_duration_seconds_bucket"
                        + "{namespace=\"shop\",service=\"checkout\",track=\"baseline\"}[90s]))) * 1000",
                PromQlTemplates.DEFAULTS.render(
                        CanaryMetric.P99, "checkout", "shop", "baseline", Duration.ofSeconds(90)));
        assertEquals(
                exactCount(
                        "kube_pod_container_status_restarts_total{namespace=\"shop\",pod=~\"checkout-canary-.*\"}",
                        "10s"),
                PromQlTemplates.DEFAULTS.render(
                        CanaryMetric.RESTARTS, "checkout", "shop", "canary", Duration.ofSeconds(10)));
    }

    @Test
    void aQuoteInAServiceNameStaysInsideTheLabelValue() {
        String rendered = PromQlTemplates.DEFAULTS.render(
                CanaryMetric.REQUESTS, "x\"} or vector(1) #", "shop", "canary", Duration.ofSeconds(30));
        assertTrue(
                rendered.contains("service=\"x\\\"} or vector(1) #\""),
                "the quote is escaped, so the rest stays part of the value: " + rendered);
    }

    @Test
    void backslashesNewlinesAndControlCharactersAreEscaped() {
        String rendered = PromQlTemplates.DEFAULTS.render(
                CanaryMetric.REQUESTS, "a\\b\nc\u0001", "shop", "canary", Duration.ofSeconds(30));
        assertTrue(rendered.contains("service=\"a\\\\b\\nc\\u0001\""), rendered);
    }

    @Test
    void inSingleQuotedStringsOnlyTheSingleQuoteIsEscaped() {
        PromQlTemplates t = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.REQUESTS,
                "sum(increase(http_requests_total{service='{service}',track='{track}'}[{interval}]))");
        assertEquals(
                "sum(increase(http_requests_total{service='it\\'s \"x\"',track='canary'}[30s]))",
                t.render(CanaryMetric.REQUESTS, "it's \"x\"", "shop", "canary", Duration.ofSeconds(30)));
    }

    @Test
    void inARegexMatcherTheValueIsAlsoRegexQuoted() {
        String rendered = PromQlTemplates.DEFAULTS.render(
                CanaryMetric.RESTARTS, "pay.v2(eu)", "shop", "canary", Duration.ofSeconds(30));
        // RE2 escapes for '.', '(' and ')', each backslash doubled for the PromQL string.
        assertTrue(rendered.contains("pod=~\"pay\\\\.v2\\\\(eu\\\\)-canary-.*\""), rendered);
    }

    @Test
    void intervalsAreWrittenAsPrometheusDurations() {
        assertEquals("30s", PromQlTemplates.promDuration(Duration.ofSeconds(30)));
        assertEquals("1500ms", PromQlTemplates.promDuration(Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> PromQlTemplates.promDuration(Duration.ofNanos(1500)));
    }

    @Test
    void anEmptyTemplateIsRefusedNamingTheMetric() {
        assertEquals("PromQL template for p99 is empty", refusal(CanaryMetric.P99, "  "));
    }

    @Test
    void anUnknownPlaceholderIsRefusedWithTheKnownOnes() {
        String message = refusal(CanaryMetric.ERRORS, REQUESTS.replace("{service}", "{servce}"));
        assertTrue(
                message.startsWith("PromQL template for errors is invalid: unknown placeholder {servce} at column"),
                message);
        assertTrue(message.contains("(known: {service}, {namespace}, {track}, {interval})"), message);
        assertTrue(message.contains("template: sum(increase(http_requests_total{service=\"{servce}\""), message);
    }

    @Test
    void aTemplateWithoutTrackIsRefusedBecauseBothTracksWouldReadTheSameSeries() {
        String message = refusal(CanaryMetric.REQUESTS, "sum(rate(http_requests_total{service=\"{service}\"}[5m]))");
        assertTrue(
                message.contains("does not use {track}, so baseline and canary would read the same series"), message);
    }

    @Test
    void aLabelPlaceholderOutsideQuotesIsRefused() {
        String message = refusal(CanaryMetric.REQUESTS, "sum(x{track=\"{track}\"}) by ({service})");
        assertTrue(
                message.contains("{service} at column 29 is outside quotes; put it in a quoted label value"), message);
    }

    @Test
    void anIntervalInsideQuotesIsRefused() {
        String message = refusal(CanaryMetric.REQUESTS, "sum(x{track=\"{track}\",w=\"{interval}\"})");
        assertTrue(message.contains("{interval} at column 26 is inside a string; use it as a range"), message);
    }

    @Test
    void aPlaceholderInARawStringIsRefusedBecauseItCannotBeEscaped() {
        String message = refusal(CanaryMetric.REQUESTS, "sum(x{track=`{track}`})");
        assertTrue(message.contains("is inside a `raw string`, which cannot escape its value"), message);
    }

    @Test
    void anUnterminatedStringIsRefused() {
        String message = refusal(CanaryMetric.REQUESTS, "sum(x{track=\"{track}})");
        assertTrue(message.contains("the string opened at column 13 is never closed"), message);
    }

    @Test
    void braceGroupsThatAreNotPlaceholdersAreLeftAlone() {
        PromQlTemplates t = PromQlTemplates.DEFAULTS.with(
                CanaryMetric.ERRORS,
                "sum(increase(x{track=\"{track}\",code=~\"5[0-9]{2}\"}[{interval}])) # {not a placeholder}");
        assertEquals(
                "sum(increase(x{track=\"canary\",code=~\"5[0-9]{2}\"}[60s])) # {not a placeholder}",
                t.render(CanaryMetric.ERRORS, "s", "n", "canary", Duration.ofMinutes(1)));
    }
}
