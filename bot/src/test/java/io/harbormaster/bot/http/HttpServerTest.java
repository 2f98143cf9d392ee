package io.harbormaster.bot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(HttpServer server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static App bolt() {
        return new App(AppConfig.builder()
                .signingSecret("secret")
                .singleTeamBotToken("xoxb-x")
                .build());
    }

    @Test
    void aPortThatIsTakenIsSaidByTheCallerAloneWithoutJavalinsErrorLine() throws Exception {
        try (var taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            var server = new HttpServer(bolt(), List.of(), new BotMetrics(), routes -> {}, Duration.ZERO);
            var thrown = new java.util.concurrent.atomic.AtomicReference<Throwable>();
            var logged = io.harbormaster.bot.StandardError.of(() -> {
                try {
                    server.start("127.0.0.1", port);
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            assertThat(thrown.get())
                    .isInstanceOf(HttpServer.CannotListen.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + " (address already in use)");
            assertThat(((HttpServer.CannotListen) thrown.get()).advice("another sandbox"))
                    .isEqualTo(": is another sandbox or another program using it? Stop it, or pick another port with"
                            + " --port");
            assertThat(logged).doesNotContain("Failed to start Javalin", "ERROR");
        }
    }

    @Test
    void healthReadinessAndMetricsAreServed() throws Exception {
        var database = new AtomicBoolean(true);
        var metrics = new BotMetrics();
        metrics.command("/deploy", "help");
        metrics.ack("command", Duration.ofMillis(12));
        metrics.deployEnded("promoted");
        metrics.rolledBack("checkout", "hard-trigger");
        metrics.escalated("checkout");
        metrics.analysis(Duration.ofMillis(300));
        try (var server = new HttpServer(
                        bolt(),
                        List.of(ReadinessCheck.of("database", database::get), ReadinessCheck.of("kafka", () -> true)),
                        metrics,
                        routes -> {},
                        Duration.ZERO)
                .start("127.0.0.1", 0)) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);

            var ready = get(server, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"ready\":true", "\"database\":\"ok\"");

            database.set(false);
            var notReady = get(server, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"failed\":[\"database\"]", "\"kafka\":\"ok\"");

            var scrape = get(server, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(scrape.body())
                    .contains(
                            "harbormaster_slack_commands_total{command=\"/deploy\",subcommand=\"help\"} 1.0",
                            "harbormaster_slack_ack_seconds_bucket{kind=\"command\",le=\"0.05\"} 1",
                            "harbormaster_deploys_total{outcome=\"promoted\"} 1.0",
                            "harbormaster_rollbacks_total{service=\"checkout\",trigger=\"hard-trigger\"} 1.0",
                            "harbormaster_canary_analysis_seconds_count 1",
                            "harbormaster_escalations_total{service=\"checkout\"} 1.0");
        }
    }

    @Test
    void aCheckThatThrowsCountsAsNotReadyAndIsNamed() throws Exception {
        try (var server = new HttpServer(
                        bolt(),
                        List.of(ReadinessCheck.of("database", () -> {
                            throw new IllegalStateException("connection refused");
                        })),
                        new BotMetrics(),
                        routes -> {},
                        Duration.ZERO)
                .start("127.0.0.1", 0)) {
            var response = get(server, "/readyz");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"database\":\"failed: IllegalStateException\"");
        }
    }

    @Test
    void aCheckThatSaysWhatIsWrongIsAnsweredWithItsWords() throws Exception {
        var problem =
                new java.util.concurrent.atomic.AtomicReference<java.util.Optional<String>>(java.util.Optional.empty());
        try (var server = new HttpServer(
                        bolt(),
                        List.of(
                                ReadinessCheck.of("database", () -> true),
                                new ReadinessCheck("kafka access", problem::get)),
                        new BotMetrics(),
                        routes -> {},
                        Duration.ZERO)
                .start("127.0.0.1", 0)) {
            assertThat(get(server, "/readyz").body()).contains("\"kafka access\":\"ok\"");
            problem.set(java.util.Optional.of("Kafka refuses this replica's login; check the login"));
            var response = get(server, "/readyz");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body())
                    .contains(
                            "\"failed\":[\"kafka access\"]",
                            "\"kafka access\":\"Kafka refuses this replica's login; check the login\"");
            problem.set(java.util.Optional.empty());
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void extraRoutesCanBeAddedAndABodyThatIsNotFromSlackIsRefused() throws Exception {
        try (var server = new HttpServer(
                        bolt(),
                        List.of(),
                        new BotMetrics(),
                        routes -> routes.get("/api/v1/ping", ctx -> ctx.result("pong")),
                        Duration.ZERO)
                .start("127.0.0.1", 0)) {
            assertThat(get(server, "/api/v1/ping").body()).isEqualTo("pong");
            var post = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/slack/events"))
                            .POST(HttpRequest.BodyPublishers.ofString("hello=world"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isIn(400, 401);
        }
    }
}
