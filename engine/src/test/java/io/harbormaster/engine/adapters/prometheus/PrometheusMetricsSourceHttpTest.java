package io.harbormaster.engine.adapters.prometheus;

import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.EMPTY_MATRIX;
import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.error;
import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.matrix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.Reply;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.TrackSample;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The adapter's HTTP behaviour against a scripted server: errors, retries, timeouts, auth, result shapes. */
class PrometheusMetricsSourceHttpTest {

    private static final Instant FROM = Instant.ofEpochSecond(1_700_000_000);
    private static final MetricsQuery THREE_INTERVALS =
            new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(35), Duration.ofSeconds(10));

    private static PrometheusMetricsSource source(FakePrometheusServer server) {
        return new PrometheusMetricsSource(PrometheusConfig.of(server.url())
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withRetries(3, Duration.ofMillis(10)));
    }

    @Test
    void eachIntervalIsReadAtItsEndAndMissingOrNanPointsBecomeNan() throws IOException {
        try (var server = FakePrometheusServer.always(
                        Reply.ok(matrix("[1700000010,\"5\"]", "[1700000030.000,\"NaN\"]")));
                var source = source(server)) {
            List<IntervalSample> samples = source.samples(THREE_INTERVALS);

            TrackSample first = new TrackSample(5, 5, 5, 5, 5);
            assertEquals(
                    List.of(
                            new IntervalSample(0, first, first),
                            new IntervalSample(10, TrackSample.NO_DATA, TrackSample.NO_DATA),
                            new IntervalSample(20, TrackSample.NO_DATA, TrackSample.NO_DATA)),
                    samples);
            var request = server.requests().getFirst();
            assertEquals("/api/v1/query_range", request.path());
            assertEquals("1700000010", request.form().get("start"));
            assertEquals("1700000030", request.form().get("end"));
            assertEquals("10", request.form().get("step"));
            assertEquals(
                    PromQlTemplates.DEFAULTS.render(
                            CanaryMetric.REQUESTS, "checkout", "shop", "baseline", Duration.ofSeconds(10)),
                    request.form().get("query"));
            assertEquals(10, server.requests().size(), "five metrics times two tracks");
        }
    }

    @Test
    void aQueryNamingTheTemplatesItsCanaryStartedWithIsReadByThemNotByTheOnesConfiguredNow() throws IOException {
        var started = java.util.Map.of("p99", "max(started_p99{service=\"{service}\",track=\"{track}\"})");
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = new PrometheusMetricsSource(
                        PrometheusConfig.of(server.url()),
                        PromQlTemplates.DEFAULTS,
                        java.util.Map.of(
                                "checkout",
                                PromQlTemplates.DEFAULTS.with(
                                        CanaryMetric.P99,
                                        "max(configured_now{service=\"{service}\",track=\"{track}\"})")))) {
            var query = new MetricsQuery(
                    "checkout", "shop", FROM, FROM.plusSeconds(10), Duration.ofSeconds(10), Optional.of(started));
            source.samples(query);
            var sent =
                    server.requests().stream().map(r -> r.form().get("query")).toList();
            assertTrue(sent.contains("max(started_p99{service=\"checkout\",track=\"canary\"})"), sent.toString());
            assertTrue(sent.stream().noneMatch(q -> q.contains("configured_now")), sent.toString());
            // the other metrics: the defaults, which the canary started with too
            assertTrue(
                    sent.contains(PromQlTemplates.DEFAULTS.render(
                            CanaryMetric.REQUESTS, "checkout", "shop", "canary", Duration.ofSeconds(10))),
                    sent.toString());

            // none named (a read that belongs to no recorded canary): the ones configured now
            int before = server.requests().size();
            source.samples(new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(10), Duration.ofSeconds(10)));
            assertTrue(server.requests().subList(before, server.requests().size()).stream()
                    .anyMatch(r -> r.form().get("query").contains("configured_now")));

            // templates this version cannot use: the metrics are unavailable, said with why
            var unusable = new MetricsQuery(
                    "checkout",
                    "shop",
                    FROM,
                    FROM.plusSeconds(10),
                    Duration.ofSeconds(10),
                    Optional.of(java.util.Map.of("p99", "max(x{unknown=\"{nope}\"})")));
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(unusable));
            assertTrue(e.getMessage().contains("checkout's canary started with"), e.getMessage());
        }
    }

    @Test
    void anEmptyResultMeansNoDataForEveryInterval() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = source(server)) {
            assertEquals(
                    List.of(
                            new IntervalSample(0, TrackSample.NO_DATA, TrackSample.NO_DATA),
                            new IntervalSample(10, TrackSample.NO_DATA, TrackSample.NO_DATA),
                            new IntervalSample(20, TrackSample.NO_DATA, TrackSample.NO_DATA)),
                    source.samples(THREE_INTERVALS));
        }
    }

    @Test
    void prometheusOwnErrorIsReportedWithTheUrlAndTheQueryAndABadQueryIsNotRetried() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(
                        400,
                        error("bad_data", "invalid parameter \\\"query\\\": 1:5: parse error: unexpected end"),
                        0));
                var source = source(server)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertEquals(
                    "Prometheus at " + server.url() + "/api/v1/query_range failed for query `"
                            + PromQlTemplates.DEFAULTS.render(
                                    CanaryMetric.REQUESTS, "checkout", "shop", "baseline", Duration.ofSeconds(10))
                            + "`: HTTP 400, bad_data: invalid parameter \"query\": 1:5: parse error: unexpected end"
                            + " (not retried: the request itself was refused)",
                    e.getMessage());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void anExecutionErrorIsNotRetriedEither() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(
                        422, error("execution", "query processing would load too many samples into memory"), 0));
                var source = source(server)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(
                    e.getMessage().contains("HTTP 422, execution: query processing would load too many samples"),
                    e.getMessage());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void anUnavailableServerIsRetriedAndItsNextAnswerUsed() throws IOException {
        try (var server = FakePrometheusServer.inTurn(
                        new Reply(503, error("unavailable", "TSDB not ready"), 0),
                        Reply.ok(matrix("[1700000010,\"7\"]", "[1700000020,\"8\"]", "[1700000030,\"9\"]")));
                var source = source(server)) {
            List<IntervalSample> samples = source.samples(THREE_INTERVALS);

            assertEquals(7, samples.get(0).baseline().requests());
            assertEquals(9, samples.get(2).canary().restarts());
            var requests = server.requests();
            assertEquals(requests.get(0), requests.get(1), "the failed query was sent again as it was");
        }
    }

    @Test
    void aServerThatStaysDownFailsAfterTheConfiguredAttemptsWithItsLastError() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(502, "<html>Bad Gateway</html>", 0));
                var source = source(server)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(
                    e.getMessage().endsWith("HTTP 502, body: <html>Bad Gateway</html> (gave up after 3 attempts)"),
                    e.getMessage());
            assertEquals(3, server.requests().size());
        }
    }

    @Test
    void aSlowAnswerFailsNamingTheRequestTimeout() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(200, EMPTY_MATRIX, 3_000));
                var source = new PrometheusMetricsSource(PrometheusConfig.of(server.url())
                        .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200))
                        .withRetries(2, Duration.ofMillis(10)))) {
            long started = System.nanoTime();
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(
                    e.getMessage()
                            .endsWith(": no answer within the request timeout of 200ms (gave up after 2 attempts)"),
                    e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_000, "did not wait for the answer");
        }
    }

    @Test
    void anUnreachableServerFailsNamingTheConnectionAndIsOffline() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (var source = new PrometheusMetricsSource(PrometheusConfig.of(URI.create("http://127.0.0.1:" + closedPort))
                .withRetries(2, Duration.ofMillis(10)))) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(
                    e.getMessage().startsWith("Prometheus at http://127.0.0.1:" + closedPort + "/api/v1/query_range"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(": cannot connect ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("(gave up after 2 attempts)"), e.getMessage());
            assertFalse(source.isOnline());
        }
    }

    @Test
    void isOnlineWhenATrivialQueryIsAnswered() throws IOException {
        try (var server = FakePrometheusServer.always(
                        Reply.ok("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
                var source = source(server)) {
            assertTrue(source.isOnline());
            assertEquals("/api/v1/query", server.requests().getFirst().path());
            assertEquals("vector(1)", server.requests().getFirst().form().get("query"));
        }
    }

    @Test
    void isOfflineWhileTheServerAnswersWithAnError() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(503, "Service Unavailable", 0));
                var source = source(server)) {
            assertFalse(source.isOnline());
            assertEquals(1, server.requests().size(), "a probe is not retried");
        }
    }

    @Test
    void aBearerTokenIsSentButNeverShownInErrors() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(401, "Unauthorized", 0));
                var source = new PrometheusMetricsSource(
                        PrometheusConfig.of(server.url()).withAuth(new PrometheusAuth.Bearer("s3cr3t-token")))) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertEquals("Bearer s3cr3t-token", server.requests().getFirst().authorization());
            assertTrue(
                    e.getMessage().contains("Prometheus refused the credentials (HTTP 401, a bearer token)"),
                    e.getMessage());
            assertEquals(1, server.requests().size(), "refused credentials are not retried");
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
            assertFalse(source.toString().contains("s3cr3t"));
        }
    }

    @Test
    void basicAuthIsSentAsAnAuthorizationHeader() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = new PrometheusMetricsSource(
                        PrometheusConfig.of(server.url()).withAuth(new PrometheusAuth.Basic("harbor", "pa55")))) {
            source.samples(THREE_INTERVALS);

            assertEquals("Basic aGFyYm9yOnBhNTU=", server.requests().getFirst().authorization());
        }
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> PrometheusConfig.of(URI.create("https://admin:hunter2@prom.example:9090/prometheus")));

        assertEquals(
                "Prometheus base URL https://prom.example:9090/prometheus carries credentials;"
                        + " configure them as bearer or basic auth instead",
                e.getMessage());
        assertFalse(new PrometheusAuth.Basic("admin", "hunter2").toString().contains("hunter2"));
    }

    @Test
    void aPathPrefixInTheBaseUrlIsKept() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source =
                        new PrometheusMetricsSource(PrometheusConfig.of(URI.create(server.url() + "/prometheus/")))) {
            source.samples(THREE_INTERVALS);

            assertEquals(
                    "/prometheus/api/v1/query_range",
                    server.requests().getFirst().path());
        }
    }

    @Test
    void aTemplateThatYieldsSeveralSeriesIsRefusedRatherThanSummed() throws IOException {
        String twoSeries = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"code\":\"200\"},\"values\":[[1700000010,\"1\"]]},"
                + "{\"metric\":{\"code\":\"500\"},\"values\":[[1700000010,\"2\"]]}]}}";
        try (var server = FakePrometheusServer.always(Reply.ok(twoSeries));
                var source = source(server)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(
                    e.getMessage()
                            .startsWith("PromQL for requests of the baseline returned 2 series"
                                    + " ({code=200}, {code=500}), but a template must aggregate to one series"),
                    e.getMessage());
        }
    }

    @Test
    void aPointOffTheRequestedGridIsRefused() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(matrix("[1700000015,\"1\"]")));
                var source = source(server)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(THREE_INTERVALS));

            assertTrue(e.getMessage().contains("off the requested grid"), e.getMessage());
        }
    }

    @Test
    void aPartialLastIntervalIsNotReturned() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = source(server)) {
            var query = new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(9), Duration.ofSeconds(10));

            assertEquals(List.of(), source.samples(query));
        }
    }

    @Test
    void aLongRangeIsReadInChunksPrometheusAccepts() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = source(server)) {
            int intervals = PrometheusMetricsSource.MAX_POINTS_PER_QUERY + 5;
            var query = new MetricsQuery(
                    "checkout", "shop", FROM, FROM.plusSeconds(10L * intervals), Duration.ofSeconds(10));

            assertEquals(intervals, source.samples(query).size());
            var first = server.requests().get(0).form();
            var second = server.requests().get(1).form();
            assertEquals("1700000010", first.get("start"));
            assertEquals(
                    String.valueOf(1_700_000_000L + 10L * PrometheusMetricsSource.MAX_POINTS_PER_QUERY),
                    first.get("end"));
            assertEquals(
                    String.valueOf(1_700_000_010L + 10L * PrometheusMetricsSource.MAX_POINTS_PER_QUERY),
                    second.get("start"));
            assertEquals(String.valueOf(1_700_000_000L + 10L * intervals), second.get("end"));
        }
    }

    @Test
    void anIntervalThatIsNotWholeSecondsIsRefused() throws IOException {
        try (var server = FakePrometheusServer.always(Reply.ok(EMPTY_MATRIX));
                var source = source(server)) {
            var query = new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(9), Duration.ofMillis(1500));

            var e = assertThrows(IllegalArgumentException.class, () -> source.samples(query));
            assertEquals(
                    "Prometheus metrics: the interval must be a whole number of seconds, got PT1.5S", e.getMessage());
        }
    }
}
