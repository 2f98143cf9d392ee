package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.harbormaster.engine.adapters.prometheus.PrometheusAuth;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Prometheus credentials from the environment: what is accepted, what is refused and how, for serve and analyze. */
class PrometheusSettingsTest {
    private static final URI HTTPS = URI.create("https://prometheus.example:9090");
    private static final URI IN_CLUSTER_HTTP = URI.create("http://prometheus.monitoring:9090");

    @TempDir
    Path dir;

    @Test
    void nothingSetMeansNoCredentialsAndBlankCountsAsUnset() {
        assertThat(PrometheusSettings.auth(Map.of())).isEqualTo(PrometheusAuth.NONE);
        // A Secret created from the template with its keys left empty.
        var blank = Map.of("HARBORMASTER_PROMETHEUS_TOKEN", "", "HARBORMASTER_PROMETHEUS_USER", " ");
        assertThat(PrometheusSettings.auth(blank)).isEqualTo(PrometheusAuth.NONE);
        // Without credentials plain http anywhere is fine: nothing secret is sent.
        assertThat(PrometheusSettings.config(IN_CLUSTER_HTTP, Map.of()).auth()).isEqualTo(PrometheusAuth.NONE);
    }

    @Test
    void aTokenABasicPairOrATokenFileIsTaken() throws IOException {
        assertThat(PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN", "tok-1\n")))
                .isEqualTo(new PrometheusAuth.Bearer("tok-1"));
        assertThat(PrometheusSettings.auth(
                        Map.of("HARBORMASTER_PROMETHEUS_USER", "reader", "HARBORMASTER_PROMETHEUS_PASSWORD", "pw")))
                .isEqualTo(new PrometheusAuth.Basic("reader", "pw"));
        Path file = Files.writeString(dir.resolve("token"), "tok-2\n");
        assertThat(PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN_FILE", file.toString())))
                .isEqualTo(new PrometheusAuth.BearerFile(file));
    }

    @Test
    void bothKindsAtOnceAreRefusedNamingTheVariables() {
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of(
                        "HARBORMASTER_PROMETHEUS_TOKEN", "tok-SECRET",
                        "HARBORMASTER_PROMETHEUS_USER", "reader",
                        "HARBORMASTER_PROMETHEUS_PASSWORD", "pw-SECRET")))
                .hasMessageContaining("both a Prometheus bearer token (HARBORMASTER_PROMETHEUS_TOKEN) and basic auth"
                        + " (HARBORMASTER_PROMETHEUS_USER) are set")
                .hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of(
                        "HARBORMASTER_PROMETHEUS_TOKEN", "tok", "HARBORMASTER_PROMETHEUS_TOKEN_FILE", "/run/token")))
                .hasMessageContaining("both HARBORMASTER_PROMETHEUS_TOKEN and HARBORMASTER_PROMETHEUS_TOKEN_FILE are"
                        + " set: keep one");
    }

    @Test
    void halfABasicPairIsRefusedSayingWhatIsMissing() {
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_USER", "reader")))
                .hasMessageStartingWith("HARBORMASTER_PROMETHEUS_USER is set but HARBORMASTER_PROMETHEUS_PASSWORD is"
                        + " not: basic auth to Prometheus needs both");
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_PASSWORD", "pw-SECRET")))
                .hasMessageStartingWith(
                        "HARBORMASTER_PROMETHEUS_PASSWORD is set but HARBORMASTER_PROMETHEUS_USER is" + " not")
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void anUnusableTokenOrTokenFileIsRefusedWithoutRepeatingIt() throws IOException {
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN", "two SECRET-words")))
                .hasMessageStartingWith("HARBORMASTER_PROMETHEUS_TOKEN: the Prometheus bearer token has a character")
                .hasMessageNotContaining("SECRET");
        var missing = dir.resolve("nope");
        assertThatThrownBy(
                        () -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN_FILE", missing.toString())))
                .hasMessage("HARBORMASTER_PROMETHEUS_TOKEN_FILE: the Prometheus bearer token file " + missing
                        + " does not exist");
        assertThatThrownBy(() -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN_FILE", dir.toString())))
                .hasMessageContaining("names the directory " + dir + ": name the file in it");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(
                        () -> PrometheusSettings.auth(Map.of("HARBORMASTER_PROMETHEUS_TOKEN_FILE", empty.toString())))
                .hasMessageContaining("is empty");
    }

    @Test
    void credentialsOverPlainHttpGoOnlyToLoopbackUnlessAllowed() {
        var basic = Map.of("HARBORMASTER_PROMETHEUS_USER", "reader", "HARBORMASTER_PROMETHEUS_PASSWORD", "pw-SECRET");
        assertThatThrownBy(() -> PrometheusSettings.config(IN_CLUSTER_HTTP, basic))
                .hasMessage("the Prometheus credentials would go unencrypted over http to prometheus.monitoring: use an"
                        + " https:// URL for prometheus.url, or set HARBORMASTER_PROMETHEUS_ALLOW_HTTP=true if the"
                        + " network is encrypted otherwise (a service mesh with mTLS) or trusted");
        assertThat(PrometheusSettings.config(HTTPS, basic).auth())
                .isEqualTo(new PrometheusAuth.Basic("reader", "pw-SECRET"));
        for (String local : List.of("http://127.0.0.1:9090", "http://localhost:9090", "http://[::1]:9090")) {
            assertThat(PrometheusSettings.config(URI.create(local), basic).auth())
                    .as(local)
                    .isInstanceOf(PrometheusAuth.Basic.class);
        }
        var allowed = new java.util.HashMap<>(basic);
        allowed.put("HARBORMASTER_PROMETHEUS_ALLOW_HTTP", "true");
        assertThat(PrometheusSettings.config(IN_CLUSTER_HTTP, allowed).auth()).isInstanceOf(PrometheusAuth.Basic.class);
        allowed.put("HARBORMASTER_PROMETHEUS_ALLOW_HTTP", "yes");
        assertThatThrownBy(() -> PrometheusSettings.config(IN_CLUSTER_HTTP, allowed))
                .hasMessage("HARBORMASTER_PROMETHEUS_ALLOW_HTTP must be true or false");
        // A name that merely starts like a loopback address is not loopback.
        assertThat(PrometheusSettings.loopback("127.0.0.1.nip.io")).isFalse();
        assertThat(PrometheusSettings.loopback("localhost.example")).isFalse();
    }

    @Test
    void theStartUpNoteSaysWhichKindIsUsedAndNoSecret() {
        var config = PrometheusSettings.config(
                HTTPS,
                Map.of("HARBORMASTER_PROMETHEUS_USER", "reader", "HARBORMASTER_PROMETHEUS_PASSWORD", "pw-SECRET"));
        assertThat(PrometheusSettings.describe(config))
                .isEqualTo("Prometheus at https://prometheus.example:9090 with basic auth as user 'reader'");
        assertThat(config.toString()).doesNotContain("SECRET");
    }

    @Test
    void analyzeRunsPrometheusSourceSendsTheEnvironmentsToken() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(String.valueOf(auth));
            byte[] body = "Bearer tok-ok".equals(auth)
                    ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
                            .getBytes(StandardCharsets.UTF_8)
                    : "Unauthorized".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders("Bearer tok-ok".equals(auth) ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        try (var good = MetricsSources.prometheus(url, Map.of("HARBORMASTER_PROMETHEUS_TOKEN", "tok-ok"));
                var none = MetricsSources.prometheus(url, Map.of())) {
            assertThat(good.isOnline()).isTrue();
            assertThat(none.isOnline()).isFalse();
            assertThat(seen).containsExactly("Bearer tok-ok", "null");
        } finally {
            server.stop(0);
        }
        assertThatThrownBy(() -> MetricsSources.prometheus(url, Map.of("HARBORMASTER_PROMETHEUS_USER", "reader")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("--prometheus: HARBORMASTER_PROMETHEUS_USER is set but");
        assertThatThrownBy(() -> MetricsSources.prometheus("http://u:pw-SECRET@prom.example:9090", Map.of()))
                .isInstanceOf(UserError.class)
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void serveRefusesToStartWithHalfABasicPairBeforeReachingAnything() throws IOException {
        var config = Files.writeString(dir.resolve("harbormaster.yml"), ConfigCommand.example());
        var command = new ServeCommand();
        command.env = Map.of(
                "SLACK_SIGNING_SECRET", "serve-test-signing-secret",
                "SLACK_BOT_TOKEN", "xoxb-serve-test-token",
                "HARBORMASTER_PROMETHEUS_PASSWORD", "pw-SECRET");
        command.cluster = catalog -> {
            throw new AssertionError("the cluster is not asked before the settings are checked");
        };
        var cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        var err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));

        int code =
                cli.execute("--port", "0", "--config", config.toString(), "--db", "jdbc:h2:file:" + dir.resolve("db"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("cannot start: HARBORMASTER_PROMETHEUS_PASSWORD is set but HARBORMASTER_PROMETHEUS_USER is"
                        + " not")
                .doesNotContain("SECRET");
    }
}
