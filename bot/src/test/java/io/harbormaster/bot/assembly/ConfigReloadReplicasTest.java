package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.ConfigReloadTest.ADDED;
import static io.harbormaster.bot.assembly.ConfigReloadTest.BEFORE;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.config.LiveConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqPolicyVersionChanges;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replicas of serve on one database, each reading harbormaster.yml from its own node's copy of the ConfigMap (which
 * kubelet updates on each node at its own moment): every replica puts a change in force, and the audit log has one
 * {@code config.reloaded} entry for it.
 */
class ConfigReloadReplicasTest {
    static final String THIRD = ADDED.replace("search: {namespace: shop", "search: {namespace: search");

    final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    /** One replica of serve: its node's copy of the file, its own view of the configuration, its reloads. */
    final class Replica {
        final String name;
        final Path file;
        final LiveConfig live;
        final StringWriter log = new StringWriter();
        final ConfigReload reload;

        Replica(String name, Database db) throws IOException {
            this.name = name;
            file = Files.writeString(dir.resolve(name + ".yml"), BEFORE);
            live = new LiveConfig(ConfigLoader.load(file));
            reload = new ConfigReload(
                    file,
                    live,
                    new JooqAuditLog(db, CheckpointSigner.generate(), 1000, clock, Optional.empty()),
                    new JooqPolicyVersionChanges(db),
                    new BotMetrics(),
                    clock,
                    "harbormaster-test",
                    name,
                    new PrintWriter(log, true));
        }

        /** Kubelet updates this node's copy of the ConfigMap, and the replica looks at it. */
        ConfigReload.Outcome sees(String text) throws IOException {
            Files.writeString(file, text);
            return reload.check();
        }
    }

    static List<AuditRecord> reloads(Database db) {
        var out = new ArrayList<AuditRecord>();
        JooqAuditLog.reader(db, Optional.empty()).scan(AuditQuery.all(), e -> {
            if (e.record().action().equals(ConfigReload.ACTION)) {
                out.add(e.record());
            }
        });
        return out;
    }

    static String change(AuditRecord r) {
        var json = r.reasoningJson();
        return field(json, "replica") + ": " + field(json, "from") + " -> " + field(json, "to");
    }

    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return json.substring(at, json.indexOf('"', at));
    }

    static String v(String text) {
        return HarbormasterConfig.policyVersionOf(text);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void eachChangeIsAuditedOnceByTheReplicaThatSawItFirstAndARevertIsAChangeOfItsOwn(Database.Vendor vendor)
            throws IOException {
        // before: each replica wrote its own config.reloaded entry, two for each change here
        try (var db = TestDatabases.open(vendor)) {
            var a = new Replica("replica-a", db);
            var b = new Replica("replica-b", db);

            assertThat(a.sees(ADDED)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(b.sees(ADDED)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(b.live.catalog().service("search"))
                    .as("in force on b, which wrote nothing")
                    .isPresent();
            assertThat(b.log.toString()).contains("audited by replica replica-a");

            // the edit is reverted; b's node sees it first this time
            assertThat(b.sees(BEFORE)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(a.sees(BEFORE)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(a.live.catalog().service("search")).isEmpty();

            // ... and made again: a third change
            assertThat(a.sees(ADDED)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(b.sees(ADDED)).isEqualTo(ConfigReload.Outcome.APPLIED);

            // later looks at the same file change nothing
            assertThat(a.reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);
            assertThat(b.reload.check()).isEqualTo(ConfigReload.Outcome.UNCHANGED);

            assertThat(reloads(db))
                    .extracting(ConfigReloadReplicasTest::change)
                    .containsExactly(
                            "replica-a: " + v(BEFORE) + " -> " + v(ADDED),
                            "replica-b: " + v(ADDED) + " -> " + v(BEFORE),
                            "replica-a: " + v(BEFORE) + " -> " + v(ADDED));
            assertThat(reloads(db))
                    .extracting(AuditRecord::policyVersion)
                    .containsExactly(v(ADDED), v(BEFORE), v(ADDED));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aReplicaWhoseNodeLagsFindsTheChangesTheOtherAuditedEvenAfterARevert(Database.Vendor vendor)
            throws IOException {
        try (var db = TestDatabases.open(vendor)) {
            var a = new Replica("replica-a", db);
            var b = new Replica("replica-b", db);

            // a's node gets an edit and its revert before b's node gets either
            a.sees(ADDED);
            a.sees(BEFORE);
            // b sees the edit only now, then the revert
            assertThat(b.sees(ADDED)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(b.sees(BEFORE)).isEqualTo(ConfigReload.Outcome.APPLIED);
            assertThat(reloads(db)).hasSize(2);

            // a replica that starts now knows of those changes; a change seen first by it is audited by it
            var c = new Replica("replica-c", db);
            assertThat(c.sees(THIRD)).isEqualTo(ConfigReload.Outcome.APPLIED);
            a.sees(THIRD);
            b.sees(THIRD);
            assertThat(reloads(db))
                    .extracting(ConfigReloadReplicasTest::change)
                    .containsExactly(
                            "replica-a: " + v(BEFORE) + " -> " + v(ADDED),
                            "replica-a: " + v(ADDED) + " -> " + v(BEFORE),
                            "replica-c: " + v(BEFORE) + " -> " + v(THIRD));
            assertThat(List.of(a, b, c))
                    .allSatisfy(r -> assertThat(r.live.policyVersion()).isEqualTo(v(THIRD)));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void replicasSeeingAChangeAtTheSameMomentAuditItOnce(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var replicas = new ArrayList<Replica>();
            for (var name : List.of("replica-a", "replica-b", "replica-c")) {
                replicas.add(new Replica(name, db));
            }
            var pool = Executors.newFixedThreadPool(replicas.size());
            try {
                lookAtOnce(replicas, pool);
            } finally {
                pool.shutdownNow();
            }
            assertThat(reloads(db))
                    .extracting(AuditRecord::policyVersion)
                    .containsExactly(v(ADDED), v(BEFORE), v(THIRD), v(ADDED));
        }
    }

    /** Each of the files, one after another, reaches every replica's node at once, and every replica looks. */
    private static void lookAtOnce(List<Replica> replicas, ExecutorService pool) throws Exception {
        for (var text : List.of(ADDED, BEFORE, THIRD, ADDED)) {
            var start = new CountDownLatch(1);
            var looks = new ArrayList<CompletableFuture<ConfigReload.Outcome>>();
            for (var r : replicas) {
                looks.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                start.await();
                                return r.sees(text);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            start.countDown();
            for (var look : looks) {
                assertThat(look.get()).isEqualTo(ConfigReload.Outcome.APPLIED);
            }
        }
    }
}
