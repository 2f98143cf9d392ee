package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a transaction committed on the embedded H2 database is still there after the process is killed (kill -9, an
 * OOM kill, a crash) right after the commit returned: a deploy announced in Slack, an entry of the tamper-evident
 * audit log. H2 used to write its changes to the file up to half a second after the commit (its WRITE_DELAY), so the
 * last half-second of work vanished with the process.
 */
class CommitsSurviveAKillTest {
    /** Audit entries and deploys the child reports committed before it is killed. */
    static final int COMMITS = 60;

    @TempDir
    Path dir;

    @Test
    void auditEntriesAndDeploysCommittedJustBeforeAKillAreThereAfterwards() throws Exception {
        var url = "jdbc:h2:file:" + dir.resolve("harbormaster").toAbsolutePath();
        var java = ProcessHandle.current().info().command().orElse("java");
        var reported = dir.resolve("out.txt");
        var child = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), CommitsUntilKilled.class.getName(), url)
                .redirectOutput(reported.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        var audited = new LinkedHashMap<Long, String>(); // seq -> hash
        var deploys = new LinkedHashSet<Long>();
        try {
            // killed at once, while it is still committing (the pipe to a child is closed when it is destroyed, so
            // its lines go to a file, where what it printed up to the kill is read afterwards)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!read(reported, audited, deploys) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS))
                .as("the child JVM ended")
                .isTrue();
        read(reported, audited, deploys);
        assertThat(audited)
                .as("entries the child reported (stderr: %s)", Files.readString(dir.resolve("err.txt")))
                .hasSizeGreaterThanOrEqualTo(COMMITS);
        assertThat(deploys).hasSizeGreaterThanOrEqualTo(COMMITS);

        try (var db = Database.open(DatabaseConfig.of(url))) {
            var stored = new LinkedHashMap<Long, String>();
            db.dsl()
                    .resultQuery("select seq, hash from audit_entry")
                    .fetch()
                    .forEach(r -> stored.put(
                            r.get(0, Long.class), r.get(1, String.class).strip()));
            var missing = new LinkedHashSet<>(audited.keySet());
            missing.removeAll(stored.keySet());
            assertThat(missing)
                    .as("audit entries (seq) committed before the kill but gone after it")
                    .isEmpty();
            audited.forEach((seq, hash) ->
                    assertThat(stored.get(seq)).as("entry " + seq).isEqualTo(hash));

            var storedDeploys = new LinkedHashSet<>(db.dsl().fetchValues("select id from deploy", Long.class));
            var lostDeploys = new LinkedHashSet<>(deploys);
            lostDeploys.removeAll(storedDeploys);
            assertThat(lostDeploys)
                    .as("deploys committed before the kill but gone after it")
                    .isEmpty();

            var report = JooqAuditLog.reader(db, Optional.empty()).verify();
            assertThat(report.valid()).as(report.toString()).isTrue();
            assertThat(report.entries()).isGreaterThanOrEqualTo(audited.size());
        }
    }

    /**
     * Takes the child's complete lines (a line cut short by the kill is left out) and says whether it reported
     * {@link #COMMITS} of each kind yet.
     */
    private static boolean read(Path reported, Map<Long, String> audited, Set<Long> deploys) throws IOException {
        var text = Files.readString(reported);
        for (var line : text.substring(0, text.lastIndexOf('\n') + 1).lines().toList()) {
            var parts = line.split(" ");
            switch (parts[0]) {
                case "audit" -> audited.put(Long.parseLong(parts[1]), parts[2]);
                case "deploy" -> deploys.add(Long.parseLong(parts[1]));
                default -> {}
            }
        }
        return audited.size() >= COMMITS && deploys.size() >= COMMITS;
    }

    /**
     * The child: appends audit entries on one thread and takes deploy requests on another, each in its own
     * transactions, and prints a line as soon as each commit returned, until it is killed.
     */
    public static final class CommitsUntilKilled {
        public static void main(String[] args) {
            var db = Database.open(DatabaseConfig.of(args[0]));
            var log = new JooqAuditLog(db, CheckpointSigner.generate(), 10, Clock.systemUTC(), Optional.empty());
            var store = new JooqDeployStore(db);
            var deployer = new Thread(() -> {
                for (int i = 1; ; i++) {
                    var deploy = store.intake(new DeployRequest(
                                    "kill:" + i,
                                    RequestSource.SLACK,
                                    "checkout",
                                    "1.0." + i,
                                    "production",
                                    "U123",
                                    false,
                                    "{}",
                                    Instant.now()))
                            .deploy();
                    report("deploy " + deploy.id());
                }
            });
            deployer.setDaemon(true);
            deployer.start();
            for (int i = 1; ; i++) {
                var entry = log.append(new AuditRecord(
                        Instant.now(),
                        "engine",
                        "deploy.requested",
                        "d-" + i,
                        "checkout",
                        "1.0." + i,
                        "auto",
                        "{\"i\": " + i + "}",
                        "engine-1",
                        "policy-1"));
                report("audit " + entry.seq() + " " + entry.hash());
            }
        }

        private static synchronized void report(String line) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
