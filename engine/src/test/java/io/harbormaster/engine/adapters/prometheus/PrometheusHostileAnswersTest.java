package io.harbormaster.engine.adapters.prometheus;

import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.error;
import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.matrix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.Reply;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Answers no Prometheus should give: each is refused as metrics unavailable, read no further than needed. */
class PrometheusHostileAnswersTest {
    private static final Instant FROM = Instant.ofEpochSecond(1_700_000_000);
    private static final MetricsQuery THREE_INTERVALS =
            new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(35), Duration.ofSeconds(10));

    private static PrometheusMetricsSource source(FakePrometheusServer server) {
        return new PrometheusMetricsSource(PrometheusConfig.of(server.url())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10))
                .withRetries(3, Duration.ofMillis(10)));
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefusedAndNotAskedForAgain() throws IOException {
        // a well-formed answer whose one series carries a label of 17 MiB
        String huge = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"pod\":\""
                + "x".repeat(17 * 1024 * 1024)
                + "\"},\"values\":[[1700000010,\"1\"]]}]}}";
        try (var server = FakePrometheusServer.always(Reply.ok(huge));
                var source = source(server)) {
            var thrown = catchThrowable(() -> source.samples(THREE_INTERVALS));

            assertThat(thrown)
                    .isInstanceOf(MetricsUnavailable.class)
                    .hasMessageContaining("the answer is larger than 16 MiB");
            assertThat(thrown.getMessage()).doesNotContain("xxxxxxxxxx");
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void aTimestampBeyondAnyClockIsRefusedAsNotUnixSeconds() throws IOException {
        // 1e999999999 and 1e-999999999 once made the adapter compute a power of ten with a billion digits
        for (String timestamp :
                new String[] {"1e30", "-1e30", "1700000010.0000000001", "1e999999999", "1e-999999999"}) {
            try (var server = FakePrometheusServer.always(Reply.ok(matrix("[" + timestamp + ",\"1\"]")));
                    var source = source(server)) {
                var thrown = catchThrowable(() -> source.samples(THREE_INTERVALS));

                assertThat(thrown)
                        .as(timestamp)
                        .isInstanceOf(MetricsUnavailable.class)
                        .hasMessageContaining("a timestamp that is not unix seconds");
            }
        }
    }

    @Test
    void prometheusOwnErrorTextIsCutShortInTheMessage() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(400, error("bad_data", "y".repeat(200_000)), 0));
                var source = source(server)) {
            var thrown = catchThrowable(() -> source.samples(THREE_INTERVALS));

            assertThat(thrown).isInstanceOf(MetricsUnavailable.class).hasMessageContaining("HTTP 400, bad_data: yyy");
            assertThat(thrown.getMessage().length()).isLessThan(3000);
        }
    }
}
