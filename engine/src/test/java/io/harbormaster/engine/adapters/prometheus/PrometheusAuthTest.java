package io.harbormaster.engine.adapters.prometheus;

import static io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.EMPTY_MATRIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.adapters.prometheus.FakePrometheusServer.Reply;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsUnavailable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials: what is sent, how a rotated token file is picked up, how refusals are reported, and that no secret
 * reaches a message. Bearer tokens against a stand-in that checks the header (a real Prometheus checks only basic
 * auth, see {@link PrometheusBasicAuthAgainstRealPrometheusTest}).
 */
class PrometheusAuthTest {

    private static final Instant FROM = Instant.ofEpochSecond(1_700_000_000);
    private static final MetricsQuery ONE_INTERVAL =
            new MetricsQuery("checkout", "shop", FROM, FROM.plusSeconds(10), Duration.ofSeconds(10));

    /** Answers like Prometheus behind a proxy that accepts exactly {@code Bearer <token>}, else 401. */
    private static FakePrometheusServer proxyAccepting(String... tokens) throws IOException {
        List<String> accepted = List.of(tokens).stream().map(t -> "Bearer " + t).toList();
        return new FakePrometheusServer(request -> accepted.contains(request.authorization())
                ? Reply.ok(EMPTY_MATRIX)
                : new Reply(401, "<html>401 Authorization Required</html>", 0));
    }

    private static PrometheusMetricsSource source(FakePrometheusServer server, PrometheusAuth auth) {
        return new PrometheusMetricsSource(PrometheusConfig.of(server.url())
                .withRetries(3, Duration.ofMillis(10))
                .withAuth(auth));
    }

    @Test
    void theRightBearerTokenIsAcceptedAndAWrongOneIsReportedAsRefusedCredentialsOnce() throws IOException {
        try (var server = proxyAccepting("good-token");
                var good = source(server, new PrometheusAuth.Bearer("good-token"));
                var bad = source(server, new PrometheusAuth.Bearer("stale-token"))) {
            assertEquals(1, good.samples(ONE_INTERVAL).size());
            assertTrue(good.isOnline());
            int before = server.requests().size();

            var e = assertThrows(MetricsUnavailable.class, () -> bad.samples(ONE_INTERVAL));

            assertTrue(
                    e.getMessage()
                            .contains("Prometheus refused the credentials (HTTP 401, a bearer token): they are wrong"
                                    + " or expired; not retried"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("stale-token"), e.getMessage());
            assertFalse(e.getMessage().contains("html"), "a proxy's page is not repeated: " + e.getMessage());
            assertEquals(before + 1, server.requests().size(), "not retried");
            assertFalse(bad.isOnline());
        }
    }

    @Test
    void accessTellsRefusedCredentialsFromAPrometheusThatDoesNotAnswer() throws IOException {
        int closedPort;
        try (var server = proxyAccepting("good-token");
                var good = source(server, new PrometheusAuth.Bearer("good-token"));
                var bad = source(server, new PrometheusAuth.Bearer("stale-token"))) {
            assertTrue(good.access().isEmpty(), () -> good.access().toString());
            var refused = bad.access().orElseThrow();
            assertTrue(refused.credentialsRefused(), refused.toString());
            assertTrue(refused.message().contains("refused the credentials (HTTP 401"), refused.message());
            assertFalse(refused.message().contains("stale-token"), refused.message());
            closedPort = server.url().getPort();
        }
        // the server is gone: nothing listens on its port any more
        try (var gone =
                new PrometheusMetricsSource(PrometheusConfig.of(java.net.URI.create("http://127.0.0.1:" + closedPort))
                        .withRetries(1, Duration.ofMillis(10))
                        .withAuth(new PrometheusAuth.Bearer("good-token")))) {
            var down = gone.access().orElseThrow();
            assertFalse(down.credentialsRefused(), down.toString());
            assertTrue(down.message().contains("cannot connect"), down.message());
        }
    }

    @Test
    void withoutCredentialsA401SaysNoneAreSetAndWhichVariablesToSet() throws IOException {
        try (var server = proxyAccepting("good-token");
                var source = source(server, PrometheusAuth.NONE)) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(ONE_INTERVAL));

            assertTrue(
                    e.getMessage().contains("Prometheus asks for credentials (HTTP 401) and none are set"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("HARBORMASTER_PROMETHEUS_TOKEN"), e.getMessage());
            assertEquals(null, server.requests().getFirst().authorization());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void a403SaysTheCredentialsAreNotAllowedToQuery() throws IOException {
        try (var server = FakePrometheusServer.always(new Reply(403, "forbidden", 0));
                var source = source(server, new PrometheusAuth.Basic("reader", "pw-1234"))) {
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(ONE_INTERVAL));

            assertTrue(
                    e.getMessage()
                            .contains("Prometheus refused the credentials (HTTP 403, basic auth as user 'reader'): they"
                                    + " were accepted but are not allowed to query this Prometheus"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("pw-1234"));
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void aTokenFileIsReadForEveryQuerySoARotatedSecretIsPickedUp(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token");
        Files.writeString(file, "first-token\n"); // as `kubectl create secret --from-file` often stores it
        try (var server = proxyAccepting("first-token", "second-token");
                var source = source(server, new PrometheusAuth.BearerFile(file))) {
            source.samples(ONE_INTERVAL);
            assertEquals("Bearer first-token", server.requests().getLast().authorization());

            Files.writeString(file, "second-token");
            source.samples(ONE_INTERVAL);
            assertEquals("Bearer second-token", server.requests().getLast().authorization());

            Files.writeString(file, "revoked-token");
            var e = assertThrows(MetricsUnavailable.class, () -> source.samples(ONE_INTERVAL));
            assertTrue(e.getMessage().contains("refused the credentials (HTTP 401, the bearer token in " + file + ")"));
            assertFalse(e.getMessage().contains("revoked-token"));
        }
    }

    @Test
    void aTokenFileThatVanishedOrIsEmptyFailsTheQueryWithoutSendingAnything(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token");
        try (var server = proxyAccepting("good-token");
                var source = source(server, new PrometheusAuth.BearerFile(file))) {
            var missing = assertThrows(MetricsUnavailable.class, () -> source.samples(ONE_INTERVAL));
            assertTrue(
                    missing.getMessage().contains("the Prometheus bearer token file " + file + " does not exist"),
                    missing.getMessage());

            Files.writeString(file, "  \n");
            var empty = assertThrows(MetricsUnavailable.class, () -> source.samples(ONE_INTERVAL));
            assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
            assertEquals(0, server.requests().size());
        }
    }

    @Test
    void aTokenThatCannotGoIntoAHeaderIsRefusedWithoutRepeatingIt(@TempDir Path dir) throws IOException {
        var e = assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Bearer("abc\r\nX-Evil: 1"));
        assertTrue(e.getMessage().contains("cannot go into an HTTP header"), e.getMessage());
        assertFalse(e.getMessage().contains("X-Evil"));
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Bearer("two words"));
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Bearer(" "));

        Path file = dir.resolve("token");
        Files.writeString(file, "line-one\nline-two-secret\n");
        var fromFile =
                assertThrows(PrometheusAuth.Unavailable.class, () -> new PrometheusAuth.BearerFile(file).token());
        assertFalse(fromFile.getMessage().contains("line-two-secret"), fromFile.getMessage());
    }

    @Test
    void basicAuthRefusesAnUnusableUserOrAMissingPassword() {
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Basic("a:b", "pw"));
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Basic("", "pw"));
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Basic("user", ""));
        assertThrows(IllegalArgumentException.class, () -> new PrometheusAuth.Basic("us\ner", "pw"));
        // A password may hold anything: it is base64-encoded.
        assertEquals(
                "Basic dXNlcjpwIHc6IMOk",
                new PrometheusAuth.Basic("user", "p w: ä").authorizationHeader().orElseThrow());
    }

    @Test
    void noSecretReachesToStringOrDescribe(@TempDir Path dir) throws IOException {
        var bearer = new PrometheusAuth.Bearer("tok-SECRET");
        var basic = new PrometheusAuth.Basic("reader", "pw-SECRET");
        Path file = dir.resolve("token");
        Files.writeString(file, "file-SECRET");
        var fromFile = new PrometheusAuth.BearerFile(file);
        for (PrometheusAuth auth : List.of(bearer, basic, fromFile)) {
            var config = PrometheusConfig.of(java.net.URI.create("https://prom.example"))
                    .withAuth(auth);
            for (String shown : List.of(auth.toString(), auth.describe(), config.toString())) {
                assertFalse(shown.contains("SECRET"), shown);
            }
        }
        assertEquals("basic auth as user 'reader'", basic.describe());
        assertEquals("the bearer token in " + file, fromFile.describe());
    }
}
