package io.harbormaster.engine.adapters.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.adapters.prometheus.SyntheticCanarySeries.Truth;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against a real Prometheus that requires basic authentication ({@code --web.config.file}). */
class PrometheusBasicAuthAgainstRealPrometheusTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final int INTERVALS = 6;
    private static final Instant FROM =
            Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
    private static final MetricsQuery QUERY =
            new MetricsQuery("checkout", "shop", FROM, FROM.plus(INTERVAL.multipliedBy(INTERVALS)), INTERVAL);
    private static final String USER = "harbormaster";
    /** Test-only; its bcrypt hash is made when Prometheus starts. */
    private static final String PASSWORD = "test-only: c0rrect horse";

    private static SyntheticCanarySeries data;
    private static RealPrometheus prometheus;

    @BeforeAll
    static void startPrometheusWithBasicAuth(@TempDir Path dir) throws IOException {
        if (!RealPrometheus.installed()) {
            return; // each test reports itself skipped (or failed under CI=true), see requirePrometheus
        }
        data = new SyntheticCanarySeries(FROM, INTERVAL, INTERVALS)
                .deploy(
                        "checkout",
                        "shop",
                        i -> new Truth(400 + 200 * (i % 2), 2 * (i % 3), 1, 3, 0, true),
                        i -> new Truth(200, 2 * i, 2, 5, i == 3 ? 2 : 0, true));
        prometheus = RealPrometheus.startWithBasicAuth(data.openMetrics(""), dir, USER, PASSWORD);
    }

    @BeforeEach
    void requirePrometheus() {
        RealPrometheus.assumeInstalled();
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static PrometheusMetricsSource source(PrometheusAuth auth) {
        return new PrometheusMetricsSource(PrometheusConfig.of(prometheus.url()).withAuth(auth));
    }

    @Test
    void withTheRightCredentialsTheAdapterReadsTheValues() {
        try (var source = source(new PrometheusAuth.Basic(USER, PASSWORD))) {
            List<IntervalSample> samples = source.samples(QUERY);

            assertEquals(data.expected("checkout", "shop"), samples);
            assertEquals(INTERVALS, samples.size());
            assertEquals(2.0, samples.get(3).canary().restarts(), "not vacuous: the data is there");
            assertTrue(source.isOnline());
        }
    }

    @Test
    void withoutCredentialsPrometheusRefusesAndTheErrorSaysNoneAreSet() {
        try (var source = source(PrometheusAuth.NONE)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(QUERY));

            assertTrue(
                    e.getMessage().contains("Prometheus asks for credentials (HTTP 401) and none are set"),
                    e.getMessage());
            assertFalse(source.isOnline());
        }
    }

    @Test
    void withAWrongPasswordOrUserTheErrorSaysTheCredentialsWereRefusedAndNeverRepeatsThem() {
        for (var wrong : List.of(
                new PrometheusAuth.Basic(USER, "wrong-PASSWORD-xyz"), new PrometheusAuth.Basic("nobody", PASSWORD))) {
            try (var source = source(wrong)) {
                var e = assertThrows(MetricsUnavailable.class, () -> source.samples(QUERY));

                assertTrue(
                        e.getMessage()
                                .contains("Prometheus refused the credentials (HTTP 401, basic auth as user '"
                                        + wrong.user() + "'): they are wrong or expired; not retried"),
                        e.getMessage());
                assertFalse(e.getMessage().contains(wrong.password()), e.getMessage());
                assertFalse(source.isOnline());
            }
        }
    }
}
