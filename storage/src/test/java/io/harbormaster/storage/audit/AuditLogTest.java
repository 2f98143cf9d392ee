package io.harbormaster.storage.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.audit.AuditChain;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditField;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The audit log's guarantees, on H2 and on a real PostgreSQL. */
class AuditLogTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");
    final CheckpointSigner signer = CheckpointSigner.generate();

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static AuditRecord record(int i, String service, String decision) {
        return new AuditRecord(
                T0.plusSeconds(i),
                "engine",
                "risk.scored",
                "d-" + i,
                service,
                "1.0." + i,
                decision,
                "{\"score\": " + i + ", \"factors\": [{\"name\": \"la\", \"contribution\": 0.5}], \"a\": true}",
                "engine-1",
                "policy-1");
    }

    JooqAuditLog log(Database db, int checkpointEvery) {
        return new JooqAuditLog(db, signer, checkpointEvery, Clock.fixed(T0, ZoneOffset.UTC), Optional.empty());
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void appendedEntriesFormOneChainThatVerifies(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 5);
            var entries = new ArrayList<AuditEntry>();
            for (int i = 1; i <= 12; i++) {
                entries.add(log.append(record(i, "checkout", i % 3 == 0 ? "escalate" : "auto")));
            }
            assertThat(entries)
                    .extracting(AuditEntry::seq)
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 12).mapToObj(i -> (long) i).toList());
            assertThat(entries.getFirst().prevHash()).isEqualTo(AuditChain.GENESIS);
            for (int i = 1; i < entries.size(); i++) {
                assertThat(entries.get(i).prevHash())
                        .isEqualTo(entries.get(i - 1).hash());
            }
            assertThat(log.checkpoints()).extracting(c -> c.seq()).containsExactly(5L, 10L);

            var report = log.verify();
            assertThat(report.valid()).isTrue();
            assertThat(report.entries()).isEqualTo(12);
            assertThat(report.signedThrough()).isEqualTo(10);
            assertThat(report.firstInvalid()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void entriesReadBackHashExactlyAsWrittenIncludingTimeAndReasoning(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 100);
            var written = log.append(record(1, "checkout", "auto"));
            var read = new ArrayList<AuditEntry>();
            log.scan(AuditQuery.all(), read::add);
            assertThat(read).containsExactly(written);
            assertThat(read.getFirst().hashMatches()).isTrue();
            // stored canonically: keys sorted, no spaces
            assertThat(read.getFirst().record().reasoningJson())
                    .isEqualTo("{\"a\":true,\"factors\":[{\"contribution\":0.5,\"name\":\"la\"}],\"score\":1}");
            assertThat(read.getFirst().record().time()).isEqualTo(Instant.parse("2026-11-23T10:00:01.123456Z"));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theDatabaseRefusesUpdateDeleteAndTruncateOnTheLog(Database.Vendor vendor) throws SQLException {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1);
            log.append(record(1, "checkout", "auto"));
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(true);
                for (var sql : List.of(
                        "UPDATE audit_entry SET decision = 'x' WHERE seq = 1",
                        "DELETE FROM audit_entry WHERE seq = 1",
                        "TRUNCATE TABLE audit_entry",
                        "UPDATE audit_checkpoint SET signature = 'x'",
                        "DELETE FROM audit_checkpoint",
                        "TRUNCATE TABLE audit_checkpoint",
                        "DELETE FROM audit_key",
                        "TRUNCATE TABLE audit_key")) {
                    assertThatThrownBy(() -> c.createStatement().execute(sql))
                            .as(sql)
                            .isInstanceOf(SQLException.class);
                }
            }
            assertThat(log.verify().valid()).isTrue();
            assertThat(log.verify().entries()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void concurrentAppendersNeverForkTheChain(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 20);
            int threads = 8;
            int each = 40;
            var pool = Executors.newFixedThreadPool(threads);
            try {
                var tasks = new ArrayList<Callable<Void>>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    tasks.add(() -> {
                        for (int i = 0; i < each; i++) {
                            var given = record(thread * 1000 + i, "svc-" + thread, "auto");
                            // group commit writes several callers' records at once: each gets its own entry back
                            assertThat(log.append(given).record()).isEqualTo(given.canonical());
                        }
                        return null;
                    });
                }
                for (var f : pool.invokeAll(tasks)) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(log.appendedEntries()).isEqualTo(threads * each);
            assertThat(log.appendTransactions()).isBetween(1L, (long) threads * each);
            var seqs = new ArrayList<Long>();
            log.scan(AuditQuery.all(), e -> seqs.add(e.seq()));
            assertThat(seqs).hasSize(threads * each);
            assertThat(seqs)
                    .isEqualTo(LongStream.rangeClosed(1, threads * each).boxed().toList());
            var report = log.verify();
            assertThat(report.valid()).as(report.reason()).isTrue();
            assertThat(report.signedThrough()).isEqualTo(threads * each);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aRecordTheDatabaseRefusesFailsOnlyItsOwnCallerWhileOthersAppendBesideIt(Database.Vendor vendor)
            throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 20);
            int threads = 6;
            int each = 30;
            var refused = new java.util.concurrent.atomic.AtomicInteger();
            var pool = Executors.newFixedThreadPool(threads + 2);
            try {
                var tasks = new ArrayList<Callable<Void>>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    tasks.add(() -> {
                        for (int i = 0; i < each; i++) {
                            log.append(record(thread * 1000 + i, "svc-" + thread, "auto"));
                        }
                        return null;
                    });
                }
                // one caller whose actor is longer than the column (255), appending among the others
                tasks.add(() -> {
                    for (int i = 0; i < each; i++) {
                        var r = record(9000 + i, "svc-bad", "auto");
                        var tooLong = new AuditRecord(
                                r.time(),
                                "u".repeat(300),
                                r.action(),
                                r.deployId(),
                                r.service(),
                                r.version(),
                                r.decision(),
                                r.reasoningJson(),
                                r.engineVersion(),
                                r.policyVersion());
                        assertThatThrownBy(() -> log.append(tooLong)).isInstanceOf(DataAccessException.class);
                        refused.incrementAndGet();
                    }
                    return null;
                });
                // and a batch writer, which takes the writer lock outside any group
                tasks.add(() -> {
                    for (int i = 0; i < 5; i++) {
                        log.appendAll(List.of(
                                record(8000 + 2 * i, "svc-batch", "auto"), record(8001 + 2 * i, "svc-batch", "auto")));
                    }
                    return null;
                });
                for (var f : pool.invokeAll(tasks)) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(refused).hasValue(each);
            var services = new ArrayList<String>();
            log.scan(AuditQuery.all(), e -> services.add(e.record().service()));
            assertThat(services).hasSize(threads * each + 10).doesNotContain("svc-bad");
            var report = log.verify();
            assertThat(report.valid()).as(report.reason()).isTrue();
        }
    }

    /**
     * A clock that the log reads while it writes a checkpoint, inside the append's transaction: it can hold that write
     * until released (so that other appenders queue up behind it as one group) and then fail the writes that follow.
     */
    static final class ScriptedClock extends Clock {
        private final java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        private volatile java.util.concurrent.CountDownLatch hold;
        private final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);

        /** The next read waits until {@link #release}; the reads after it throw {@code failures}, one each, in order. */
        void holdNextThenFail(Throwable... failures) {
            this.failures.addAll(List.of(failures));
            hold = new java.util.concurrent.CountDownLatch(1);
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }

        void release() {
            hold.countDown();
        }

        int reads() {
            return reads.get();
        }

        @Override
        public Instant instant() {
            var h = hold;
            if (h != null && held.getCount() > 0) {
                held.countDown();
                try {
                    h.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return T0;
            }
            reads.incrementAndGet();
            var failure = failures.poll();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return T0;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /**
     * Three appenders queued behind a held write, so that the next leader writes their records as one group; answers
     * each one's outcome (its entry, or what it threw), waiting at most 20 s for each.
     */
    static List<Object> appendAsOneGroupBehindAHeldWrite(JooqAuditLog log, ScriptedClock clock, Throwable... failures)
            throws Exception {
        // daemon threads: an appender left waiting for ever must not keep the test JVM from ending
        var pool = Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().factory());
        try {
            clock.holdNextThenFail(failures);
            var first = pool.submit(() -> log.append(record(1, "svc-first", "auto")));
            clock.awaitHeld();
            var threads = new java.util.concurrent.ConcurrentLinkedQueue<Thread>();
            var group = new ArrayList<java.util.concurrent.Future<Object>>();
            for (int i = 2; i <= 4; i++) {
                int n = i;
                group.add(pool.submit(() -> {
                    threads.add(Thread.currentThread());
                    try {
                        return log.append(record(n, "svc-group", "auto"));
                    } catch (Throwable t) {
                        return t;
                    }
                }));
            }
            // each has queued its record once it waits for the held write
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (threads.size() < 3 || threads.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
                assertThat(System.nanoTime()).as("the appenders queue up").isLessThan(deadline);
                Thread.sleep(5);
            }
            clock.release();
            assertThat(first.get(20, java.util.concurrent.TimeUnit.SECONDS).seq())
                    .isEqualTo(1);
            var outcomes = new ArrayList<Object>();
            for (var f : group) {
                outcomes.add(f.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anErrorWhileAFailedGroupIsWrittenAgainFailsEveryCallerOfTheGroupInsteadOfLeavingThemWaiting(
            Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var clock = new ScriptedClock();
            var log = new JooqAuditLog(db, signer, 1, clock, Optional.empty());
            var refused = new DataAccessException("value too long", new SQLException("value too long", "22001"));
            var error = new AssertionError("the writer broke");

            // the group fails on a value too long and is written again one record at a time; the first of those
            // writes meets an Error: the others of the group were taken from the queue, so nobody else would write them
            var outcomes = appendAsOneGroupBehindAHeldWrite(log, clock, refused, error);

            assertThat(outcomes).hasSize(3).allSatisfy(o -> assertThat(o).isInstanceOf(Throwable.class));
            assertThat(outcomes).allSatisfy(o -> assertThat((Throwable) o)
                    .satisfiesAnyOf(t -> assertThat(t).isSameAs(error), t -> assertThat(t)
                            .hasRootCause(error)));
            // and the log goes on
            assertThat(log.append(record(5, "svc-after", "auto")).seq()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aGroupThatFailsForWantOfTheDatabaseIsNotWrittenAgainOneRecordAtATime(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var clock = new ScriptedClock();
            var log = new JooqAuditLog(db, signer, 1, clock, Optional.empty());
            var down = new DataAccessException(
                    "connection refused", new SQLException("Connection to localhost refused", "08001"));
            int readsBefore = clock.reads();

            // in an outage each attempt waits for the pool's connection timeout: a group of N written again one by
            // one would keep its callers, and every appender behind them, waiting N + 1 of those
            var outcomes = appendAsOneGroupBehindAHeldWrite(log, clock, down);

            assertThat(outcomes).hasSize(3).allSatisfy(o -> assertThat(o).isSameAs(down));
            assertThat(clock.reads() - readsBefore)
                    .as("one attempt at the group")
                    .isEqualTo(1);
            var services = new ArrayList<String>();
            log.scan(AuditQuery.all(), e -> services.add(e.record().service()));
            assertThat(services).containsExactly("svc-first");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void twoReplicasAppendingToOneDatabaseKeepOneChain(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var replicaA = log(db, 10);
            var replicaB = new JooqAuditLog(
                    db, CheckpointSigner.generate(), 10, Clock.fixed(T0, ZoneOffset.UTC), Optional.empty());
            var pool = Executors.newFixedThreadPool(4);
            try {
                var tasks = new ArrayList<Callable<Void>>();
                for (int t = 0; t < 4; t++) {
                    var log = t % 2 == 0 ? replicaA : replicaB;
                    int thread = t;
                    tasks.add(() -> {
                        for (int i = 0; i < 50; i++) {
                            log.append(record(thread * 1000 + i, "svc", "auto"));
                        }
                        return null;
                    });
                }
                for (var f : pool.invokeAll(tasks)) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            var report = replicaA.verify();
            assertThat(report.valid()).as(report.reason()).isTrue();
            assertThat(report.entries()).isEqualTo(200);
            assertThat(replicaA.publicKeys()).hasSize(2); // each replica's key verifies its own checkpoints
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aForkAtTheSamePlaceIsRefusedByTheDatabaseItself(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 100);
            var first = log.append(record(1, "checkout", "auto"));
            // A second writer that bypassed the head lock and linked another entry to the same predecessor.
            var fork = AuditChain.link(0, AuditChain.GENESIS, record(2, "checkout", "auto"));
            assertThatThrownBy(() -> db.dsl()
                            .execute(
                                    "INSERT INTO audit_entry (seq, recorded_at, actor, action, deploy_id, service, version,"
                                            + " decision, reasoning, engine_version, policy_version, prev_hash, hash)"
                                            + " VALUES (?, CURRENT_TIMESTAMP, 'x', 'x', '', '', '', '', '{}', '', '', ?, ?)",
                                    2L,
                                    fork.prevHash(),
                                    fork.hash()))
                    .isInstanceOf(DataAccessException.class);
            assertThat(first.seq()).isEqualTo(1);
            assertThat(log.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aSuperusersDirectEditOfOneEntrysReasoningIsFoundByVerify(Database.Vendor vendor) throws SQLException {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 4);
            for (int i = 1; i <= 10; i++) {
                log.append(record(i, "checkout", "auto"));
            }
            bypassTriggersAndRun(db, "UPDATE audit_entry SET reasoning = '{\"score\":1}' WHERE seq = 7");

            var report = log.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(7);
            assertThat(report.reason()).contains("entry 7").contains("changed");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void rewritingAnEntryAndItsHashIsFoundByTheNextLinkAndRewritingTheTailByTheCheckpoint(Database.Vendor vendor)
            throws SQLException {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 5);
            var entries = new ArrayList<AuditEntry>();
            for (int i = 1; i <= 10; i++) {
                entries.add(log.append(record(i, "checkout", "auto")));
            }
            // Rewrite entry 10 consistently (new reasoning, recomputed hash): its predecessor still links, but the
            // signed checkpoint at 10 names the old hash.
            var e10 = entries.get(9);
            var forged = AuditChain.link(
                    9, e10.prevHash(), record(10, "checkout", "escalate").canonical());
            bypassTriggersAndRun(
                    db, "UPDATE audit_entry SET decision = 'escalate', hash = '" + forged.hash() + "' WHERE seq = 10");
            var report = log.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(10);
            assertThat(report.reason()).contains("checkpoint");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void entriesRemovedFromTheEndAreFoundThroughTheSignedCheckpoint(Database.Vendor vendor) throws SQLException {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 3);
            for (int i = 1; i <= 6; i++) {
                log.append(record(i, "checkout", "auto"));
            }
            bypassTriggersAndRun(db, "DELETE FROM audit_entry WHERE seq = 5");
            var report = log.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(6);
            assertThat(report.reason()).contains("missing");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aCheckpointSignedByAKeyThatIsNotPinnedDoesNotVerify(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            log(db, 2).append(record(1, "checkout", "auto"));
            log(db, 2).append(record(2, "checkout", "auto"));
            var pinned = CheckpointSigner.generate();
            var pinnedLog =
                    new JooqAuditLog(db, pinned, 2, Clock.fixed(T0, ZoneOffset.UTC), Optional.of(pinned.publicKey()));
            var report = pinnedLog.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(2);
            assertThat(report.reason()).contains("unknown key");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void summariesAndScansFilterByServiceTimeAndDecision(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1000);
            for (int i = 1; i <= 30; i++) {
                log.append(record(i, i % 2 == 0 ? "checkout" : "search", i % 5 == 0 ? "rollback" : "auto"));
            }
            var q = AuditQuery.all()
                    .withService("checkout")
                    .withSince(T0.plusSeconds(10))
                    .withUntil(T0.plusSeconds(21));
            var summary = log.summarize(q, 3);
            // checkout entries are the even i; in [10, 21) that is 10,12,...,20: six, of which 10 and 20 roll back
            assertThat(summary.matched()).isEqualTo(6);
            assertThat(summary.byDecision()).containsEntry("rollback", 2L).containsEntry("auto", 4L);
            assertThat(summary.newest()).extracting(e -> e.seq()).containsExactly(20L, 18L, 16L);

            var rollbacks = new ArrayList<Long>();
            log.scan(AuditQuery.all().withDecision("rollback"), e -> rollbacks.add(e.seq()));
            assertThat(rollbacks).containsExactly(5L, 10L, 15L, 20L, 25L, 30L);

            // what a filter can match: each value once, in order, the empty decision of an entry without one left out
            log.append(record(31, "cart", ""));
            assertThat(log.distinct(AuditField.SERVICE, 10)).containsExactly("cart", "checkout", "search");
            assertThat(log.distinct(AuditField.SERVICE, 2)).containsExactly("cart", "checkout");
            assertThat(log.distinct(AuditField.DECISION, 10)).containsExactly("auto", "rollback");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aScanLongerThanOnePageReadsEveryMatchingEntryOnceInOrder(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1000);
            int n = 2 * JooqAuditLog.H2_PAGE + 17; // H2 reads pages of H2_PAGE rows; PostgreSQL one cursor
            for (int from = 1; from <= n; from += 1000) {
                var batch = new ArrayList<AuditRecord>();
                for (int i = from; i < Math.min(from + 1000, n + 1); i++) {
                    batch.add(record(i, i % 3 == 0 ? "checkout" : "search", "auto"));
                }
                log.appendAll(batch);
            }
            var all = new ArrayList<Long>();
            log.scan(AuditQuery.all(), e -> all.add(e.seq()));
            assertThat(all).hasSize(n).isSorted().doesNotHaveDuplicates();
            assertThat(all.getLast() - all.getFirst()).isEqualTo(n - 1);

            var checkout = new ArrayList<Long>();
            log.scan(AuditQuery.all().withService("checkout"), e -> checkout.add(e.seq()));
            assertThat(checkout).hasSize(n / 3).isSorted().doesNotHaveDuplicates();

            // a limit that ends inside the second page
            var limited = new ArrayList<Long>();
            log.scan(AuditQuery.all().withLimit(JooqAuditLog.H2_PAGE + 3), e -> limited.add(e.seq()));
            assertThat(limited).isEqualTo(all.subList(0, JooqAuditLog.H2_PAGE + 3));

            var verified = log.verify();
            assertThat(verified.valid()).isTrue();
            assertThat(verified.entries()).isEqualTo(n);
        }
    }

    /** Appends {@code n} entries in batches of 1,000, as the benchmark fills its log. */
    static void fill(JooqAuditLog log, int n) {
        for (int from = 1; from <= n; from += 1000) {
            var batch = new ArrayList<AuditRecord>();
            for (int i = from; i < Math.min(from + 1000, n + 1); i++) {
                batch.add(record(i, "checkout", "auto"));
            }
            log.appendAll(batch);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void verifyFindsAChangedOrUnreadableEntryPastTheFirstPageAndStopsThere(Database.Vendor vendor) throws SQLException {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1000);
            int n = 2 * JooqAuditLog.H2_PAGE + 17;
            fill(log, n);
            long changed = JooqAuditLog.H2_PAGE + 123;
            long unreadable = JooqAuditLog.H2_PAGE + 200;
            bypassTriggersAndRun(db, "UPDATE audit_entry SET actor = '' WHERE seq = " + unreadable);
            bypassTriggersAndRun(db, "UPDATE audit_entry SET reasoning = '{\"score\":1}' WHERE seq = " + changed);

            var report = log.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(changed);
            assertThat(report.reason())
                    .isEqualTo(
                            "entry " + changed + " was changed after it was written: its fields do not give its hash");
            assertThat(report.entries())
                    .as("entries read up to the first problem")
                    .isEqualTo(changed);
            assertThat(report.signedThrough()).isEqualTo(JooqAuditLog.H2_PAGE);

            // put the reasoning back: the next problem is the entry whose actor was emptied
            var original = record((int) changed, "checkout", "auto").canonical().reasoningJson();
            bypassTriggersAndRun(db, "UPDATE audit_entry SET reasoning = '" + original + "' WHERE seq = " + changed);
            report = log.verify();
            assertThat(report.valid()).isFalse();
            assertThat(report.firstInvalid()).hasValue(unreadable);
            assertThat(report.reason())
                    .isEqualTo("entry " + unreadable + " cannot be read: audit record needs a non-empty actor");
            assertThat(report.entries()).isEqualTo(unreadable);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aScanThatItsCallerStopsEndsThereAndLeavesNoReaderBehind(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1000);
            fill(log, 3 * JooqAuditLog.H2_PAGE);
            var stop = new IllegalStateException("enough");
            var seen = new ArrayList<Long>();
            assertThatThrownBy(() -> log.scan(AuditQuery.all(), e -> {
                        seen.add(e.seq());
                        if (e.seq() == 10) {
                            throw stop;
                        }
                    }))
                    .isSameAs(stop);
            assertThat(seen).hasSize(10);
            assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .doesNotContain("audit-scan-reader");

            // a limit of exactly one page, and of exactly the log, read what they ask for
            var onePage = new ArrayList<Long>();
            log.scan(AuditQuery.all().withLimit(JooqAuditLog.H2_PAGE), e -> onePage.add(e.seq()));
            assertThat(onePage)
                    .isEqualTo(LongStream.rangeClosed(1, JooqAuditLog.H2_PAGE)
                            .boxed()
                            .toList());
            var all = new ArrayList<Long>();
            log.scan(AuditQuery.all().withLimit(3 * JooqAuditLog.H2_PAGE), e -> all.add(e.seq()));
            assertThat(all)
                    .isEqualTo(LongStream.rangeClosed(1, 3 * JooqAuditLog.H2_PAGE)
                            .boxed()
                            .toList());
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anExplicitCheckpointSignsTheHeadOnce(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var log = log(db, 1000);
            log.checkpoint(); // nothing to sign yet
            assertThat(log.checkpoints()).isEmpty();
            log.append(record(1, "checkout", "auto"));
            log.append(record(2, "checkout", "auto"));
            log.checkpoint();
            log.checkpoint();
            assertThat(log.checkpoints()).extracting(c -> c.seq()).containsExactly(2L);
            assertThat(log.verify().signedThrough()).isEqualTo(2);
        }
    }

    @org.junit.jupiter.api.Test
    void anH2ScansReaderWaitsAPageAheadSoEntriesAppendedMeanwhileAreRead() throws InterruptedException {
        try (var db = TestDatabases.open(Database.Vendor.H2)) {
            var log = log(db, 1000);
            int n = (2 + JooqAuditLog.PAGES_AHEAD) * JooqAuditLog.H2_PAGE;
            fill(log, n);
            var seen = new ArrayList<Long>();
            log.scan(AuditQuery.all(), e -> {
                if (e.seq() == 1) {
                    // the reader has read what it may ahead of this first page and waits to hand it over
                    awaitReaderWaiting();
                    log.appendAll(List.of(record(n + 1, "checkout", "auto"), record(n + 2, "checkout", "auto")));
                }
                seen.add(e.seq());
            });
            assertThat(seen).isEqualTo(LongStream.rangeClosed(1, n + 2).boxed().toList());
        }
    }

    private static void awaitReaderWaiting() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (var t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("audit-scan-reader") && t.getState() == Thread.State.TIMED_WAITING) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        throw new AssertionError("the scan's reader never waited for its caller");
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLogWrittenBeforeTheHashIndexWasDroppedKeepsVerifyingAndGrowing(Database.Vendor vendor) throws SQLException {
        var url = TestDatabases.url(vendor);
        var folder = vendor == Database.Vendor.H2 ? "h2" : "postgresql";
        org.flywaydb.core.Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration/common", "classpath:db/migration/" + folder)
                .target("11")
                .load()
                .migrate();
        var written = new ArrayList<AuditEntry>();
        try (var c = java.sql.DriverManager.getConnection(url);
                var insert = c.prepareStatement("INSERT INTO audit_entry (seq, recorded_at, actor, action, deploy_id,"
                        + " service, version, decision, reasoning, engine_version, policy_version, prev_hash, hash)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            assertThat(hashConstraints(c)).isEqualTo(1);
            long seq = 0;
            String prev = AuditChain.GENESIS;
            for (int i = 1; i <= 3; i++) {
                var e = AuditChain.link(seq, prev, record(i, "checkout", "auto").canonical());
                var r = e.record();
                insert.setLong(1, e.seq());
                insert.setObject(2, r.time().atOffset(ZoneOffset.UTC));
                var values = List.of(
                        r.actor(),
                        r.action(),
                        r.deployId(),
                        r.service(),
                        r.version(),
                        r.decision(),
                        r.reasoningJson(),
                        r.engineVersion(),
                        r.policyVersion(),
                        e.prevHash(),
                        e.hash());
                for (int v = 0; v < values.size(); v++) {
                    insert.setString(3 + v, values.get(v));
                }
                insert.executeUpdate();
                written.add(e);
                seq = e.seq();
                prev = e.hash();
            }
        }
        try (var db = Database.open(io.harbormaster.storage.DatabaseConfig.of(url))) {
            try (var c = db.dataSource().getConnection()) {
                assertThat(hashConstraints(c)).isZero();
            }
            var log = log(db, 1000);
            var read = new ArrayList<AuditEntry>();
            log.scan(AuditQuery.all(), read::add);
            assertThat(read).isEqualTo(written);
            assertThat(log.append(record(4, "checkout", "auto")).prevHash())
                    .isEqualTo(written.getLast().hash());
            var report = log.verify();
            assertThat(report.valid()).as(report.reason()).isTrue();
            assertThat(report.entries()).isEqualTo(4);
            // the chain still cannot fork: a second entry after entry 3 is refused
            var fork = AuditChain.link(4, written.getLast().hash(), record(5, "checkout", "auto"));
            assertThatThrownBy(() -> db.dsl()
                            .execute(
                                    "INSERT INTO audit_entry (seq, recorded_at, actor, action, deploy_id, service, version,"
                                            + " decision, reasoning, engine_version, policy_version, prev_hash, hash)"
                                            + " VALUES (?, CURRENT_TIMESTAMP, 'x', 'x', '', '', '', '', '{}', '', '', ?, ?)",
                                    fork.seq(),
                                    fork.prevHash(),
                                    fork.hash()))
                    .isInstanceOf(DataAccessException.class);
        }
    }

    private static int hashConstraints(Connection c) throws SQLException {
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.table_constraints"
                        + " WHERE UPPER(constraint_name) = 'UQ_AUDIT_HASH'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Changes the log the way a superuser could: with the guard triggers out of the way. */
    static void bypassTriggersAndRun(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                var st = c.createStatement()) {
            c.setAutoCommit(true);
            switch (db.vendor()) {
                case POSTGRESQL -> {
                    st.execute("SET session_replication_role = replica"); // superuser: triggers do not fire
                    st.execute(sql);
                    st.execute("SET session_replication_role = DEFAULT");
                }
                case H2 -> {
                    st.execute("DROP TRIGGER IF EXISTS audit_entry_append_only");
                    st.execute("ALTER TABLE audit_checkpoint SET REFERENTIAL_INTEGRITY FALSE");
                    st.execute(sql);
                }
            }
        }
    }
}
