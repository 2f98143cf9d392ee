package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.config.LiveConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditField;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqPolicyVersionChanges;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher of harbormaster.yml and the holder every reader of the catalog goes through. */
class ConfigReloadTest {
    static final String BEFORE = """
            groups:
              ops: [U0OPS]
            services:
              checkout: {namespace: shop, approvers: ops}
            """;
    static final String ADDED = """
            groups:
              ops: [U0OPS]
            services:
              checkout: {namespace: shop, approvers: ops}
              search: {namespace: shop, approvers: ops}
            """;

    @TempDir
    Path dir;

    Path file;
    Database db;
    final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
    final BotMetrics metrics = new BotMetrics();
    final StringWriter log = new StringWriter();
    JooqAuditLog audit;
    LiveConfig live;

    @BeforeEach
    void start() throws IOException {
        file = Files.writeString(dir.resolve("harbormaster.yml"), BEFORE);
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:reload" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        audit = new JooqAuditLog(db, CheckpointSigner.generate(), 1000, clock, Optional.empty());
        live = new LiveConfig(ConfigLoader.load(file));
    }

    @AfterEach
    void stop() {
        db.close();
    }

    ConfigReload reload(AuditLog log) {
        return new ConfigReload(
                file,
                live,
                log,
                new JooqPolicyVersionChanges(db),
                metrics,
                clock,
                "harbormaster-test",
                "replica-a",
                new PrintWriter(this.log, true));
    }

    List<AuditEntry> reloads() {
        var entries = new ArrayList<AuditEntry>();
        audit.scan(AuditQuery.all(), e -> {
            if (e.record().action().equals(ConfigReload.ACTION)) {
                entries.add(e);
            }
        });
        return entries;
    }

    String scrape() {
        return new String(metrics.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void changedContentIsPutInForceForEveryReaderAndAuditedWithWhatChanged() throws IOException {
        var reload = reload(audit);
        var catalog = (java.util.function.Supplier<io.harbormaster.engine.policy.ServiceCatalog>) live::catalog;
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
        assertThat(reloads()).isEmpty();

        Files.writeString(file, ADDED);
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);

        assertThat(catalog.get().service("search")).isPresent();
        assertThat(live.policyVersion()).isEqualTo(HarbormasterConfig.policyVersionOf(ADDED));
        assertThat(reloads()).singleElement().satisfies(e -> {
            var r = e.record();
            assertThat(r.actor()).isEqualTo("engine");
            assertThat(r.decision()).isEqualTo("reloaded");
            assertThat(r.policyVersion()).isEqualTo(HarbormasterConfig.policyVersionOf(ADDED));
            assertThat(r.reasoningJson())
                    .contains("\"from\":\"" + HarbormasterConfig.policyVersionOf(BEFORE) + "\"")
                    .contains("\"to\":\"" + HarbormasterConfig.policyVersionOf(ADDED) + "\"")
                    .contains("\"services_added\":[\"search\"]", "\"services_removed\":[]")
                    .contains("\"restart_only_changed\":[]")
                    .contains("\"replica\":\"replica-a\"");
        });
        assertThat(log.toString())
                .contains("reloaded", "services added: search")
                .doesNotContain("warning");
        assertThat(scrape()).contains("harbormaster_config_reloads_total{outcome=\"applied\"} 1.0");

        // the same content again (as every later look finds it): nothing happens
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
        assertThat(reloads()).hasSize(1);

        // a service removed and another changed are named
        Files.writeString(
                file,
                ADDED.replace("  checkout: {namespace: shop, approvers: ops}\n", "")
                        .replace("search: {namespace: shop", "search: {namespace: search"));
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);
        assertThat(reloads().getLast().record().reasoningJson())
                .contains("\"services_removed\":[\"checkout\"]", "\"services_changed\":[\"search\"]");
        assertThat(live.catalog().service("checkout")).isEmpty();
    }

    @Test
    void anInvalidFileKeepsTheConfigurationInForceAndIsReportedOnceUntilItChangesAgain() throws IOException {
        var reload = reload(audit);
        var running = live.current();
        Files.writeString(file, BEFORE + "  search: {namespace: shop, approvers: nobody}\n");

        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.INVALID);
        assertThat(live.current()).isSameAs(running);
        assertThat(log.toString())
                .contains(file + ":5") // file and line, as config check prints them
                .contains("nobody")
                .contains("changed but cannot be used (1 problem); serve goes on")
                .contains("serve goes on with policy version " + running.policyVersion());
        assertThat(scrape())
                .contains("harbormaster_config_reloads_total{outcome=\"invalid\"} 1.0")
                .contains("harbormaster_config_reload_failed 1.0");

        var once = log.toString();
        for (int i = 0; i < 3; i++) {
            assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
        }
        assertThat(log.toString()).isEqualTo(once);
        assertThat(scrape()).contains("harbormaster_config_reloads_total{outcome=\"invalid\"} 1.0");
        assertThat(reloads()).isEmpty();

        // another wrong edit is reported again
        Files.writeString(file, BEFORE + "  search: {namespace: shop, approvers: nobody-else}\n");
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.INVALID);
        assertThat(log.toString()).contains("nobody-else");
        assertThat(scrape()).contains("harbormaster_config_reloads_total{outcome=\"invalid\"} 2.0");

        // back to the file in force: nothing to reload, and nothing failing any more
        Files.writeString(file, BEFORE);
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
        assertThat(scrape()).contains("harbormaster_config_reload_failed 0.0");
        assertThat(live.current()).isSameAs(running);
    }

    @Test
    void aRestartOnlySettingThatChangedIsNamedInAWarningAndKeptAsItWas() throws IOException {
        var reload = reload(audit);
        Files.writeString(file, """
                defaults:
                  approval_timeout: 1h
                  environment: staging
                """ + ADDED);

        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);

        assertThat(log.toString())
                .containsOnlyOnce("warning:")
                .contains("defaults.environment, defaults.approval_timeout", "take effect at the next restart");
        assertThat(live.started().approvalTimeout()).isEqualTo(Duration.ofHours(4));
        assertThat(live.started().environment()).isEqualTo("production");
        assertThat(live.catalog().service("search")).isPresent();
        assertThat(reloads().getLast().record().reasoningJson())
                .contains("\"restart_only_changed\":[\"defaults.environment\",\"defaults.approval_timeout\"]");
    }

    @Test
    void aRestartOnlySettingIsWarnedOfOnceForEachVersionOfTheFileNotAtEveryLook() throws Exception {
        var staging = "defaults:\n  environment: staging\n" + ADDED;
        try (var reload = reload(audit)) {
            reload.start(Duration.ofMillis(10));
            Files.writeString(file, staging);
            io.harbormaster.bot.Await.value("the reload", Duration.ofSeconds(10), () -> live.catalog()
                    .service("search")
                    .orElse(null));
            Thread.sleep(300); // some thirty more looks at the same file
        }
        assertThat(log.toString()).containsOnlyOnce("warning:").contains("changes defaults.environment, which");

        // another version of the file: its reload says again what still waits for a restart, naming each setting
        var reload = reload(audit);
        Files.writeString(file, staging.replace("defaults:\n", "defaults:\n  approval_timeout: 1h\n"));
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);
        for (int i = 0; i < 3; i++) {
            assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
        }
        assertThat(log.toString().split("warning:", -1)).hasSize(3);
        assertThat(log.toString().substring(log.toString().lastIndexOf("warning:")))
                .contains("changes defaults.environment, defaults.approval_timeout, which take effect at the next"
                        + " restart");

        // back to the file serve started with: nothing waits for a restart, nothing to warn of
        Files.writeString(file, BEFORE);
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);
        assertThat(log.toString().split("warning:", -1)).hasSize(3);
    }

    @Test
    void theAuditEntryIsWrittenBeforeTheNewCatalogTakesEffectAndAFailedOneLeavesTheOldInForce() throws IOException {
        var seenByTheLog = new ArrayList<String>();
        var failing = new boolean[] {true};
        var reload = reload(new Delegating(audit, record -> {
            seenByTheLog.add(live.policyVersion());
            if (failing[0]) {
                throw new IllegalStateException("the database is down");
            }
        }));
        Files.writeString(file, ADDED);

        assertThatThrownBy(reload::check).hasMessageContaining("the database is down");
        assertThat(live.catalog().service("search")).isEmpty();

        failing[0] = false;
        assertThat(reload.check()).isEqualTo(ConfigReload.Outcome.APPLIED);
        assertThat(seenByTheLog)
                .containsExactly(
                        HarbormasterConfig.policyVersionOf(BEFORE), HarbormasterConfig.policyVersionOf(BEFORE));
        assertThat(live.catalog().service("search")).isPresent();
        assertThat(reloads()).hasSize(1);
    }

    @Test
    void theTimerLooksAtTheFileUntilClosed() throws Exception {
        try (var reload = reload(audit)) {
            reload.start(Duration.ofMillis(50));
            Files.writeString(file, ADDED);
            io.harbormaster.bot.Await.value("the reload", Duration.ofSeconds(10), () -> live.catalog()
                    .service("search")
                    .orElse(null));
        }
    }

    /** An audit log that runs {@code before} on each append, then appends to {@code log}. */
    record Delegating(AuditLog log, Consumer<AuditRecord> before) implements AuditLog {
        @Override
        public AuditEntry append(AuditRecord record) {
            before.accept(record);
            return log.append(record);
        }

        @Override
        public void scan(AuditQuery query, Consumer<AuditEntry> sink) {
            log.scan(query, sink);
        }

        @Override
        public AuditSummary summarize(AuditQuery query, int newest) {
            return log.summarize(query, newest);
        }

        @Override
        public List<String> distinct(AuditField field, int limit) {
            return log.distinct(field, limit);
        }

        @Override
        public void checkpoint() {
            log.checkpoint();
        }

        @Override
        public VerifyReport verify() {
            return log.verify();
        }
    }
}
