package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary whose pods never become ready is rolled back by the engine, and /metrics says so: its rollback is counted
 * under its own trigger, not as a person's.
 */
class ReadinessRollbackMetricsTest {
    static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    static final String CI_SECRET = "ci-secret-for-readiness";
    static final String CHANNEL = "C0DEPLOYS";
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER]
            defaults:
              channel: "#deploys"
              readiness_timeout: 2s
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 60
                steps: [{weight: 50, intervals: 6}]
            services:
              wishlist: {namespace: shop, approvers: approvers}
            """;
    static final RolloutTarget WISHLIST = new RolloutTarget("shop", "wishlist", "wishlist");

    final Clock clock =
            Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-11-24T10:00:00Z")));
    final HttpClient http = HttpClient.newHttpClient();
    SlackStandIn slack;
    Database db;
    SimulatedCluster cluster;
    Harbormaster bot;
    String base;

    @BeforeEach
    void start() {
        slack = SlackStandIn.start(
                BOT_TOKEN,
                List.of(new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver")),
                List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:readiness-metrics;DB_CLOSE_DELAY=-1"));
        cluster = new SimulatedCluster();
        cluster.install(WISHLIST, "registry.example/wishlist:1.0.0", 4);
        bot = new Harbormaster(
                ConfigLoader.parse("readiness.yml", CONFIG),
                db,
                CheckpointSigner.generate(),
                new SlackSettings("8f742231b10e8888abcd99yyyzzz85a5", BOT_TOKEN, Optional.of(slack.methodsUrlPrefix())),
                new Harbormaster.Ports(
                        cluster,
                        new SimulatedMetrics(cluster, s -> WISHLIST, 2_000, 7),
                        new InProcessEventBus(),
                        clock),
                new Harbormaster.Options(
                        "readiness",
                        Duration.ofMillis(300),
                        Optional.of(CI_SECRET),
                        Optional.empty(),
                        new SlackWebApi.Settings(Duration.ofMillis(20), 2, Duration.ofSeconds(2)),
                        Duration.ofSeconds(10)));
        base = "http://127.0.0.1:" + bot.start("127.0.0.1", 0, List.of());
    }

    @AfterEach
    void stop() {
        bot.close();
        db.close();
        slack.close();
    }

    @Test
    void aCanaryWhosePodsNeverBecomeReadyIsCountedAsARollbackForReadinessNotAsAManualOne() throws Exception {
        cluster.crash("registry.example/wishlist:1.1.0", true);
        assertThat(announce("wishlist", "1.1.0").statusCode()).isEqualTo(202);

        var metrics = EndToEndTest.await("the rollback on /metrics", () -> {
            var text = scrape();
            return text.contains("harbormaster_rollbacks_total{") ? text : null;
        });

        assertThat(metrics)
                .containsPattern(
                        "harbormaster_rollbacks_total\\{service=\"wishlist\",trigger=\"readiness\"\\} 1(\\.0)?\\n")
                .doesNotContain("trigger=\"manual\"");
    }

    String scrape() {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    HttpResponse<String> announce(String service, String version) throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s","ci_status":"success","auto_deploy":true,"requested_by":"ci-bot",
                 "change":%s}""".formatted(service, version, service, version, version, EndToEndTest.SMALL_CHANGE);
        var request = EndToEndTest.signedDeployRequest(
                base, CI_SECRET, clock.instant().getEpochSecond(), body);
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
