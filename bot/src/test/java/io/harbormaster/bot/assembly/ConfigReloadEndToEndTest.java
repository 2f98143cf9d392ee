package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.DANA;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.SMALL_CHANGE;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.engine.audit.AuditQuery;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running bot takes a changed harbormaster.yml without a restart: Slack's {@code /deploy} sees a service added to
 * the catalog and a deployer group's new member at once, and the audit log says when the rules changed.
 */
class ConfigReloadEndToEndTest {
    static final String BEFORE = InProcessBot.harbormasterYml("""
            groups:
              shop-approvers: [U0APPROVER]
              shop-deployers: [U0DEPLOYER]
            services:
              vault: {namespace: shop, approvers: shop-approvers, deployers: shop-deployers}
            """);
    static final String AFTER = InProcessBot.harbormasterYml("""
            groups:
              shop-approvers: [U0APPROVER]
              shop-deployers: [U0DEPLOYER, U0MALLORY]
            services:
              vault: {namespace: shop, approvers: shop-approvers, deployers: shop-deployers}
              payments: {namespace: shop, approvers: shop-approvers, deployers: shop-deployers}
            """);

    @RegisterExtension
    final InProcessBot bot = new InProcessBot(
            InProcessBot.Options.of("reload", BEFORE, users(ALICE, DANA, MALLORY), List.of("vault", "payments")));

    /** The value of {@code harbormaster_config_loaded_timestamp_seconds} on /metrics. */
    double loadedAt() {
        var metrics = bot.scrape();
        var line = java.util.regex.Pattern.compile("(?m)^harbormaster_config_loaded_timestamp_seconds (\\S+)$")
                .matcher(metrics);
        assertThat(line.find()).as(metrics).isTrue();
        return Double.parseDouble(line.group(1));
    }

    @Test
    void aSlackDeploySeesANewServiceAndANewDeployerOnceTheFileChangesWithoutARestart() {
        // loaded when the bot was assembled from it, by the bot's clock (not 0, as if never loaded)
        double started = loadedAt();
        assertThat(started)
                .isBetween(
                        bot.clock.instant().getEpochSecond() - 600.0,
                        bot.clock.instant().getEpochSecond() + 1.0);
        bot.announceNewBuild("vault", "1.1.0", SMALL_CHANGE);
        bot.requests().slashCommand(MALLORY, "/deploy", "vault 1.1.0");
        assertThat(bot.answerTo(MALLORY, "may deploy vault").allText()).contains("shop-deployers");
        var unknown = bot.requests().slashCommand(DANA, "/deploy", "payments 1.1.0");
        assertThat(unknown.body()).contains("Unknown service `payments`");
        assertThat(bot.parent("payments")).isNull();

        assertThat(bot.rewriteConfig(AFTER)).isEqualTo(ConfigReload.Outcome.APPLIED);
        assertThat(bot.reloadLog()).contains("services added: payments", "groups changed: shop-deployers");
        assertThat(loadedAt()).as("set again by the reload").isGreaterThan(started);

        // Mallory is a deployer now, and payments is a service: both deploys start, on the same running bot
        bot.requests().slashCommand(MALLORY, "/deploy", "vault 1.1.0");
        var vault = bot.await("Mallory's deploy of vault", () -> bot.parent("vault 1.1.0"));
        bot.await("its promotion", () -> bot.updated(vault, "promoted"));
        bot.announceNewBuild("payments", "1.1.0", SMALL_CHANGE);
        bot.requests().slashCommand(DANA, "/deploy", "payments 1.1.0");
        bot.await("the deploy of the new service", () -> bot.parent("payments 1.1.0"));

        // the reload is in the audit log, and what was decided after it carries the new file's policy version
        var after = HarbormasterConfig.policyVersionOf(AFTER);
        var reloaded = bot.audited(AuditQuery.all()).stream()
                .filter(e -> e.record().action().equals(ConfigReload.ACTION))
                .toList();
        assertThat(reloaded).singleElement().satisfies(e -> {
            assertThat(e.record().actor()).isEqualTo("engine");
            assertThat(e.record().decision()).isEqualTo("reloaded");
            assertThat(e.record().policyVersion()).isEqualTo(after);
            assertThat(e.record().reasoningJson())
                    .contains("\"from\":\"" + HarbormasterConfig.policyVersionOf(BEFORE) + "\"")
                    .contains("\"services_added\":[\"payments\"]");
        });
        var paymentsEntries = bot.await("the new service's entries", () -> {
            var found = bot.audited(AuditQuery.all()).stream()
                    .filter(e -> e.record().service().equals("payments"))
                    .toList();
            return found.isEmpty() ? null : found;
        });
        assertThat(paymentsEntries)
                .allSatisfy(e -> assertThat(e.record().policyVersion()).isEqualTo(after));
        assertThat(bot.scrape())
                .contains("harbormaster_config_reloads_total{outcome=\"applied\"} 1.0")
                .contains("harbormaster_config_reload_failed 0.0");
    }
}
