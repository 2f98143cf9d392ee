package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A canary whose pods never become ready is rolled back by the engine, and /metrics says so: its rollback is counted
 * under its own trigger, not as a person's.
 */
class ReadinessRollbackMetricsTest {
    /** Pods not ready within 2 s roll the canary back, long before it would pause for want of metrics. */
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER]
            defaults:
              readiness_timeout: 2s
              canary:
                max_no_data_seconds: 60
            services:
              wishlist: {namespace: shop, approvers: approvers}
            """);

    @RegisterExtension
    final InProcessBot bot =
            new InProcessBot(InProcessBot.Options.of("readiness", CONFIG, users(BOB), List.of("wishlist"))
                    .withTick(Duration.ofMillis(300)));

    @Test
    void aCanaryWhosePodsNeverBecomeReadyIsCountedAsARollbackForReadinessNotAsAManualOne() {
        bot.cluster().crash("registry.example/wishlist:1.1.0", true);
        assertThat(bot.announce("wishlist", "1.1.0", InProcessBot.SMALL_CHANGE, true)
                        .statusCode())
                .isEqualTo(202);

        var metrics = bot.await("the rollback on /metrics", () -> {
            var text = bot.scrape();
            return text.contains("harbormaster_rollbacks_total{") ? text : null;
        });

        assertThat(metrics)
                .containsPattern(
                        "harbormaster_rollbacks_total\\{service=\"wishlist\",trigger=\"readiness\"\\} 1(\\.0)?\\n")
                .doesNotContain("trigger=\"manual\"");
    }
}
