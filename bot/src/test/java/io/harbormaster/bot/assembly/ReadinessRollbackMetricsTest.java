package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary whose pods never become ready is rolled back by the engine, and /metrics says so: its rollback is counted
 * under its own trigger, not as a person's.
 */
class ReadinessRollbackMetricsTest {
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

    final HttpClient http = HttpClient.newHttpClient();
    InProcessBot bot;

    @BeforeEach
    void start() {
        bot = InProcessBot.start(InProcessBot.Options.of(
                        "readiness",
                        CONFIG,
                        List.of(new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver")),
                        List.of("wishlist"))
                .withTick(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        bot.close();
    }

    @Test
    void aCanaryWhosePodsNeverBecomeReadyIsCountedAsARollbackForReadinessNotAsAManualOne() throws Exception {
        bot.cluster.crash("registry.example/wishlist:1.1.0", true);
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
                            HttpRequest.newBuilder(URI.create(bot.base + "/metrics"))
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
        return http.send(bot.deployRequest(body), HttpResponse.BodyHandlers.ofString());
    }
}
