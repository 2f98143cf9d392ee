package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.jooq.Tables.CANARY_NOISE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.ApprovalOutcome;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.Intake;
import io.harbormaster.engine.rollout.KeptNoise;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Settlement;
import io.harbormaster.engine.rollout.StaleRevision;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Deploy intake, transitions and approvals, on H2 and on a real PostgreSQL. */
class DeployStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static DeployRequest request(String key, String service) {
        return request(key, service, "1.4.2");
    }

    static DeployRequest request(String key, String service, String version) {
        return new DeployRequest(
                key, RequestSource.SLACK, service, version, "production", "U123", false, "{\"text\":\"x\"}", T0);
    }

    static int count(Database db, String table) {
        return db.dsl().fetchCount(org.jooq.impl.DSL.table(table));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void storingTheSameKeyTwiceReturnsTheFirstDeployAndCreatesNothingNew(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var first = store.intake(request("slack:req-1", "checkout"));
            var again = store.intake(request("slack:req-1", "checkout"));
            assertThat(first).isInstanceOf(Intake.Created.class);
            assertThat(again).isInstanceOf(Intake.Duplicate.class);
            assertThat(again.deploy()).isEqualTo(first.deploy());
            assertThat(count(db, "deploy_request")).isEqualTo(1);
            assertThat(count(db, "deploy")).isEqualTo(1);

            var other = store.intake(request("slack:req-2", "checkout"));
            assertThat(other).isInstanceOf(Intake.Created.class);
            assertThat(other.deploy().id()).isNotEqualTo(first.deploy().id());
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anAuditedTransitionRunsItsAuditOnlyWhenTheDeployMoves(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = store.intake(request("slack:audited", "checkout")).deploy();
            var audited = new java.util.ArrayList<String>();

            var moved = store.transition(
                    d.id(), d.revision(), DeployState.PREFLIGHT, 0, "U0ANN", "go", T0, () -> audited.add("first"));
            assertThat(moved.state()).isEqualTo(DeployState.PREFLIGHT);
            assertThat(audited).containsExactly("first");

            // read before the move: nothing is audited, nothing moves
            assertThatThrownBy(() -> store.transition(
                            d.id(),
                            d.revision(),
                            DeployState.FAILED,
                            0,
                            "U0BOB",
                            "stop",
                            T0,
                            () -> audited.add("late")))
                    .isInstanceOf(StaleRevision.class);
            // an audit that fails stops the move
            assertThatThrownBy(() -> store.transition(
                            d.id(), moved.revision(), DeployState.FAILED, 0, "U0BOB", "stop", T0, () -> {
                                throw new IllegalStateException("audit log down");
                            }))
                    .hasMessageContaining("audit log down");
            assertThat(audited).containsExactly("first");
            assertThat(store.find(d.id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);
            assertThat(store.transitions(d.id())).hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aRollbackRequestsAnswerIsTheFirstOneRecordedForItsKey(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var revert = store.intake(request("revert:1:1", "checkout")).deploy();
            var other =
                    store.intake(request("slack:other", "checkout", "1.5.0")).deploy();
            assertThat(store.rollbackAnswer("slack:rb-1")).isEmpty();

            store.recordRollbackAnswer("slack:rb-1", revert.id(), "U0OPS", T0);
            store.recordRollbackAnswer("slack:rb-1", other.id(), "U0OPS", T0.plusSeconds(1));

            assertThat(store.rollbackAnswer("slack:rb-1")).contains(revert);
            assertThat(store.rollbackAnswer("slack:rb-2")).isEmpty();
            // the deploy as it is now, not as it was when the answer was recorded
            var moved = store.transition(revert.id(), revert.revision(), DeployState.PROMOTING, 0, "U0OPS", "go", T0);
            assertThat(store.rollbackAnswer("slack:rb-1")).contains(moved);
            assertThatThrownBy(() -> store.recordRollbackAnswer("slack:rb-3", 999_999, "U0OPS", T0))
                    .isInstanceOf(NoSuchElementException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aStopForARollbackRequestRecordsItsAnswerWithTheMoveAndOnlyOnce(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var waiting = store.intake(request("slack:a", "checkout")).deploy();
            var later = store.intake(request("slack:b", "payments")).deploy();
            var audited = new ArrayList<String>();

            var stopped = store.stopForRollback(
                    "slack:rb-1",
                    waiting.id(),
                    waiting.revision(),
                    DeployState.FAILED,
                    0,
                    "U0OPS",
                    "stopped by U0OPS",
                    T0,
                    () -> audited.add("stop"));
            assertThat(stopped.state()).isEqualTo(DeployState.FAILED);
            assertThat(store.rollbackAnswer("slack:rb-1")).contains(stopped);

            // the same request again, stopping another deploy: nothing audited, moved or recorded
            assertThatThrownBy(() -> store.stopForRollback(
                            "slack:rb-1",
                            later.id(),
                            later.revision(),
                            DeployState.FAILED,
                            0,
                            "U0OPS",
                            "stopped by U0OPS",
                            T0,
                            () -> audited.add("again")))
                    .isInstanceOf(StaleRevision.class);
            assertThat(store.find(later.id())).contains(later);
            // a stale read of the deploy records no answer
            assertThatThrownBy(() -> store.stopForRollback(
                            "slack:rb-2",
                            waiting.id(),
                            waiting.revision(),
                            DeployState.FAILED,
                            0,
                            "U0ANN",
                            "stopped by U0ANN",
                            T0,
                            () -> audited.add("stale")))
                    .isInstanceOf(StaleRevision.class);
            assertThat(store.rollbackAnswer("slack:rb-2")).isEmpty();
            // an audit that fails stops the move and records nothing
            assertThatThrownBy(() -> store.stopForRollback(
                            "slack:rb-3",
                            later.id(),
                            later.revision(),
                            DeployState.FAILED,
                            0,
                            "U0ANN",
                            "stopped by U0ANN",
                            T0,
                            () -> {
                                throw new IllegalStateException("audit log down");
                            }))
                    .hasMessageContaining("audit log down");
            assertThat(store.rollbackAnswer("slack:rb-3")).isEmpty();
            assertThat(audited).containsExactly("stop");
            assertThat(count(db, "rollback_request")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void concurrentDeliveriesOfOneRequestCreateExactlyOneDeploy(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            int attempts = 8;
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(attempts);
            try {
                var tasks = new ArrayList<Callable<Intake>>();
                for (int i = 0; i < attempts; i++) {
                    tasks.add(() -> {
                        start.await();
                        return store.intake(request("kafka:build-77", "payments"));
                    });
                }
                var futures = tasks.stream().map(pool::submit).toList();
                start.countDown();
                var results = new ArrayList<Intake>();
                for (var f : futures) {
                    results.add(f.get());
                }
                assertThat(results).filteredOn(r -> r instanceof Intake.Created).hasSize(1);
                assertThat(results)
                        .extracting(r -> r.deploy().id())
                        .containsOnly(results.getFirst().deploy().id());
            } finally {
                pool.shutdown();
            }
            assertThat(count(db, "deploy")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void transitionsAreRecordedInOrderAndAStaleWriterIsRefused(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = store.intake(request("k1", "checkout")).deploy();
            var scored = store.recordRisk(d.id(), d.revision(), 23.5, false, T0.plusSeconds(1));
            var preflight = store.transition(
                    d.id(), scored.revision(), DeployState.PREFLIGHT, 0, "engine", "low risk", T0.plusSeconds(2));
            var canary = store.transition(
                    d.id(),
                    preflight.revision(),
                    DeployState.CANARY,
                    1,
                    "engine",
                    "preflight passed",
                    T0.plusSeconds(3));

            assertThat(canary.state()).isEqualTo(DeployState.CANARY);
            assertThat(canary.step()).isEqualTo(1);
            assertThat(canary.riskScore()).hasValue(23.5);
            assertThat(store.transitions(d.id()))
                    .extracting(t -> t.from() + "->" + t.to())
                    .containsExactly("REQUESTED->PREFLIGHT", "PREFLIGHT->CANARY");
            assertThat(store.inFlight()).extracting(x -> x.id()).containsExactly(d.id());
            var other = store.intake(request("k2", "payments")).deploy();
            assertThat(store.inFlight("checkout")).extracting(x -> x.id()).containsExactly(d.id());
            assertThat(store.inFlight("payments")).extracting(x -> x.id()).containsExactly(other.id());
            assertThat(store.inFlight("search")).isEmpty();
            store.transition(
                    other.id(),
                    other.revision(),
                    DeployState.FAILED,
                    0,
                    "engine",
                    "blocked by preflight: no lock: locked by U0ANN",
                    List.of("U0ANN"),
                    T0);
            // who a reason names is kept with it; a reason that names no one keeps no one
            assertThat(store.transitions(other.id()).getLast().people()).containsExactly("U0ANN");
            assertThat(store.transitions(d.id()))
                    .allSatisfy(t -> assertThat(t.people()).isEmpty());

            // A second engine that read the deploy before the last change cannot overwrite it.
            assertThatThrownBy(() -> store.transition(
                            d.id(), preflight.revision(), DeployState.ROLLING_BACK, 1, "engine-b", "x", T0))
                    .isInstanceOf(StaleRevision.class);
            assertThat(store.find(d.id()).orElseThrow().state()).isEqualTo(DeployState.CANARY);

            store.transition(d.id(), canary.revision(), DeployState.PROMOTED, 4, "engine", "all steps passed", T0);
            assertThat(store.inFlight()).isEmpty();
            assertThat(store.request(d.id()).orElseThrow().idempotencyKey()).isEqualTo("k1");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void onlyOneEngineHoldsADeploysLeaseUntilItRunsOutOrIsReleased(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = store.intake(request("k1", "checkout")).deploy();
            var minute = T0.plusSeconds(60);
            assertThat(store.tryLease(d.id(), "engine-a", T0, minute)).isTrue();
            assertThat(store.tryLease(d.id(), "engine-b", T0.plusSeconds(10), minute))
                    .isFalse();
            assertThat(store.tryLease(d.id(), "engine-a", T0.plusSeconds(10), minute.plusSeconds(10)))
                    .isTrue();
            // engine-a stops renewing: after its lease runs out, engine-b takes over
            assertThat(store.tryLease(d.id(), "engine-b", minute.plusSeconds(11), minute.plusSeconds(71)))
                    .isTrue();
            assertThat(store.tryLease(d.id(), "engine-a", minute.plusSeconds(12), minute.plusSeconds(72)))
                    .isFalse();
            store.releaseLease(d.id(), "engine-a"); // not the holder: nothing happens
            assertThat(store.tryLease(d.id(), "engine-a", minute.plusSeconds(13), minute.plusSeconds(73)))
                    .isFalse();
            store.releaseLease(d.id(), "engine-b");
            assertThat(store.tryLease(d.id(), "engine-a", minute.plusSeconds(14), minute.plusSeconds(74)))
                    .isTrue();
        }
    }

    /** A deploy of {@code service} waiting for approval. */
    static long awaiting(JooqDeployStore store, String key) {
        var d = store.intake(request(key, "checkout")).deploy();
        return store.transition(d.id(), d.revision(), DeployState.AWAITING_APPROVAL, 0, "engine", "escalated", T0)
                .id();
    }

    /** Settles at {@code required} approvals, or at the first rejection. */
    static Function<List<Approval>, Optional<Settlement>> settleAt(int required) {
        return all -> all.stream().anyMatch(a -> a.decision() == Approval.Decision.REJECT)
                ? Optional.of(new Settlement(DeployState.REJECTED, "rejected"))
                : all.size() >= required
                        ? Optional.of(new Settlement(DeployState.APPROVED, all.size() + " approvals"))
                        : Optional.empty();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aSecondDecisionByTheSameApproverKeepsTheFirstAndIsNotAudited(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = awaiting(store, "k1");
            var audited = new ArrayList<String>();
            var approve = new Approval(id, "U-alice", Approval.Decision.APPROVE, "looks fine", T0);
            var first = store.recordDecision(approve, settleAt(3), () -> audited.add("alice"));
            assertThat(first).isInstanceOf(ApprovalOutcome.Recorded.class);
            assertThat(((ApprovalOutcome.Recorded) first).settled()).isEmpty();
            assertThat(((ApprovalOutcome.Recorded) first).deploy().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

            var again = store.recordDecision(
                    new Approval(id, "U-alice", Approval.Decision.REJECT, "", T0),
                    settleAt(3),
                    () -> audited.add("alice again"));
            assertThat(again).isEqualTo(new ApprovalOutcome.AlreadyDecided(approve));

            var bob = store.recordDecision(
                    new Approval(id, "U-bob", Approval.Decision.APPROVE, "", T0),
                    settleAt(3),
                    () -> audited.add("bob"));
            assertThat(((ApprovalOutcome.Recorded) bob).approvals())
                    .extracting(Approval::approver)
                    .containsExactly("U-alice", "U-bob");
            assertThat(store.approvals(id)).extracting(Approval::approver).containsExactly("U-alice", "U-bob");
            assertThat(audited).containsExactly("alice", "bob");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theDecisionThatAddsUpMovesTheDeployInTheSameStepAndLaterOnesRecordNothing(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = awaiting(store, "k1");
            var audited = new ArrayList<String>();
            var t1 = T0.plusSeconds(60);
            var outcome = (ApprovalOutcome.Recorded) store.recordDecision(
                    new Approval(id, "U-alice", Approval.Decision.REJECT, "not on a Friday", t1),
                    settleAt(2),
                    () -> audited.add("alice"));
            assertThat(outcome.deploy().state()).isEqualTo(DeployState.REJECTED);
            assertThat(outcome.deploy().revision()).isEqualTo(2);
            assertThat(outcome.settled()).hasValueSatisfying(t -> {
                assertThat(t.from()).isEqualTo(DeployState.AWAITING_APPROVAL);
                assertThat(t.to()).isEqualTo(DeployState.REJECTED);
                assertThat(t.actor()).isEqualTo("U-alice");
                assertThat(t.reason()).isEqualTo("rejected");
                assertThat(t.at()).isEqualTo(t1);
            });
            assertThat(store.transitions(id).getLast())
                    .isEqualTo(outcome.settled().get());

            var late = store.recordDecision(
                    new Approval(id, "U-bob", Approval.Decision.APPROVE, "", t1),
                    settleAt(2),
                    () -> audited.add("bob"));
            assertThat(late).isInstanceOf(ApprovalOutcome.NotWaiting.class);
            assertThat(((ApprovalOutcome.NotWaiting) late).deploy().state()).isEqualTo(DeployState.REJECTED);
            assertThat(store.approvals(id)).extracting(Approval::approver).containsExactly("U-alice");
            assertThat(audited).containsExactly("alice");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDecisionWhoseAuditEntryFailsRecordsNothing(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = awaiting(store, "k1");
            assertThatThrownBy(() -> store.recordDecision(
                            new Approval(id, "U-alice", Approval.Decision.APPROVE, "", T0), settleAt(1), () -> {
                                throw new IllegalStateException("audit log unavailable");
                            }))
                    .hasMessage("audit log unavailable");
            assertThat(store.approvals(id)).isEmpty();
            assertThat(store.find(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
            assertThat(store.transitions(id)).hasSize(1);
        }
    }

    /**
     * Eight approvers click at once, half through each of two stores with pools of their own (two replicas) over one
     * database, on a deploy that needs three: three are recorded and audited, the deploy moves once, the rest are told
     * it no longer waits.
     */
    @ParameterizedTest
    @MethodSource("vendors")
    void simultaneousDecisionsThroughTwoPoolsAreTakenOneAtATime(Database.Vendor vendor) throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var stores = List.of(new JooqDeployStore(one), new JooqDeployStore(two));
            for (int round = 0; round < 10; round++) {
                long id = awaiting(stores.getFirst(), "k" + round);
                var audited = Collections.synchronizedList(new ArrayList<String>());
                var start = new CountDownLatch(1);
                var outcomes = new ArrayList<java.util.concurrent.Future<ApprovalOutcome>>();
                try (var pool = Executors.newFixedThreadPool(8)) {
                    for (int i = 0; i < 8; i++) {
                        var store = stores.get(i % 2);
                        var approver = "U-" + i;
                        outcomes.add(pool.submit(() -> {
                            start.await();
                            return store.recordDecision(
                                    new Approval(id, approver, Approval.Decision.APPROVE, "", T0),
                                    settleAt(3),
                                    () -> audited.add(approver));
                        }));
                    }
                    start.countDown();
                }
                var results = new ArrayList<ApprovalOutcome>();
                for (var f : outcomes) {
                    results.add(f.get());
                }
                assertThat(results)
                        .filteredOn(o -> o instanceof ApprovalOutcome.Recorded)
                        .hasSize(3);
                assertThat(results)
                        .filteredOn(o -> o instanceof ApprovalOutcome.NotWaiting)
                        .hasSize(5);
                assertThat(results)
                        .filteredOn(o -> o instanceof ApprovalOutcome.Recorded r
                                && r.settled().isPresent())
                        .hasSize(1);
                assertThat(stores.getLast().approvals(id))
                        .extracting(Approval::approver)
                        .containsExactlyInAnyOrderElementsOf(audited);
                assertThat(audited).hasSize(3);
                assertThat(stores.getLast().transitions(id))
                        .extracting(io.harbormaster.engine.rollout.Transition::to)
                        .containsExactly(DeployState.AWAITING_APPROVAL, DeployState.APPROVED);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aMetricsOutageIsRecordedOnceUntilTheMetricsAnswerAgain(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = store.intake(request("slack:req-7", "checkout")).deploy();
            var other = store.intake(request("slack:req-8", "payments")).deploy();
            assertThat(store.metricsDownSince(d.id(), T0)).isEqualTo(T0);
            // later failures, by this engine or another one, keep the first moment
            assertThat(store.metricsDownSince(d.id(), T0.plusSeconds(30))).isEqualTo(T0);
            assertThat(new JooqDeployStore(db).metricsDownSince(d.id(), T0.plusSeconds(60)))
                    .isEqualTo(T0);
            assertThat(store.metricsDownSince(other.id(), T0.plusSeconds(40))).isEqualTo(T0.plusSeconds(40));

            assertThat(store.metricsBack(d.id())).isTrue();
            assertThat(store.metricsBack(d.id())).as("nothing left to forget").isFalse();
            assertThat(store.metricsDownSince(d.id(), T0.plusSeconds(90)))
                    .as("a new outage counts from its own start")
                    .isEqualTo(T0.plusSeconds(90));
            assertThat(store.metricsDownSince(other.id(), T0.plusSeconds(95))).isEqualTo(T0.plusSeconds(40));
            assertThat(count(db, "metrics_outage")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void lastFinishedIsPerServiceTheDeployThatEndedLatestWhateverItsOutcome(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var promoted = end(store, "k1", "checkout", DeployState.PROMOTED, T0.plusSeconds(3600));
            var rolledBack = end(store, "k2", "checkout", DeployState.ROLLED_BACK, T0.plusSeconds(7200));
            store.intake(request("k3", "checkout")); // in flight: not finished
            var failed = end(store, "k4", "payments", DeployState.FAILED, T0.plusSeconds(1800));
            end(store, "k5", "payments", DeployState.EXPIRED, T0.plusSeconds(600)); // newer deploy, ended earlier
            store.intake(request("k6", "search")); // never finished

            assertThat(store.lastFinished())
                    .extracting(d -> d.id(), d -> d.state())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(rolledBack, DeployState.ROLLED_BACK),
                            org.assertj.core.groups.Tuple.tuple(failed, DeployState.FAILED));
            assertThat(store.find(promoted).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
            assertThat(store.lastFinished().getFirst().updatedAt()).isEqualTo(T0.plusSeconds(7200));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void lastFinishedOfOneServiceIsThatServicesDeployThatEndedLatestAndNoneForAServiceThatNeverFinishedOne(
            Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            end(store, "k1", "checkout", DeployState.PROMOTED, T0.plusSeconds(3600));
            var rolledBack = end(store, "k2", "checkout", DeployState.ROLLED_BACK, T0.plusSeconds(7200));
            store.intake(request("k3", "checkout")); // in flight: not finished
            var failed = end(store, "k4", "payments", DeployState.FAILED, T0.plusSeconds(1800));
            end(store, "k5", "payments", DeployState.EXPIRED, T0.plusSeconds(600)); // newer deploy, ended earlier
            end(store, "k6", "payments-eu", DeployState.PROMOTED, T0.plusSeconds(9000)); // a name that starts alike
            store.intake(request("k7", "search")); // never finished
            // two that ended at the same moment: the larger id is the later, as lastFinished() has it
            end(store, "k8", "cart", DeployState.PROMOTED, T0.plusSeconds(500));
            var tie = end(store, "k9", "cart", DeployState.FAILED, T0.plusSeconds(500));

            assertThat(store.lastFinished("checkout")).map(d -> d.id()).contains(rolledBack);
            assertThat(store.lastFinished("checkout").orElseThrow().updatedAt()).isEqualTo(T0.plusSeconds(7200));
            assertThat(store.lastFinished("payments")).map(d -> d.state()).contains(DeployState.FAILED);
            assertThat(store.lastFinished("payments")).map(d -> d.id()).contains(failed);
            assertThat(store.lastFinished("cart")).map(d -> d.id()).contains(tie);
            assertThat(store.lastFinished("search")).isEmpty();
            assertThat(store.lastFinished("unknown")).isEmpty();
            // the same answer as the all-services query, for every service it names
            for (var last : store.lastFinished()) {
                assertThat(store.lastFinished(last.service())).contains(last);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void promotedListsAServicesPromotedDeploysNewestPromotionFirstAndNothingElse(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var first = end(store, "k1", "checkout", DeployState.PROMOTED, T0.plusSeconds(600));
            // created before the next one but promoted after it: the promotion's time orders them, not the id
            var created = store.intake(request("k2", "checkout")).deploy();
            var second = end(store, "k3", "checkout", DeployState.PROMOTED, T0.plusSeconds(1200));
            var latest = store.transition(
                            created.id(),
                            created.revision(),
                            DeployState.PROMOTED,
                            0,
                            "engine",
                            "ended",
                            T0.plusSeconds(1800))
                    .id();
            end(store, "k4", "checkout", DeployState.ROLLED_BACK, T0.plusSeconds(2400)); // not a promotion
            end(store, "k5", "checkout", DeployState.FAILED, T0.plusSeconds(3000));
            store.intake(request("k6", "checkout")); // in flight
            var payments = end(store, "k7", "payments", DeployState.PROMOTED, T0.plusSeconds(3600));
            // two promoted at the same moment: the larger id first
            var tieA = end(store, "k8", "search", DeployState.PROMOTED, T0.plusSeconds(60));
            var tieB = end(store, "k9", "search", DeployState.PROMOTED, T0.plusSeconds(60));

            assertThat(store.promoted("checkout", 2)).extracting(d -> d.id()).containsExactly(latest, second);
            assertThat(store.promoted("checkout", 10)).extracting(d -> d.id()).containsExactly(latest, second, first);
            assertThat(store.promoted("checkout", 1).getFirst().updatedAt()).isEqualTo(T0.plusSeconds(1800));
            assertThat(store.promoted("payments", 5)).extracting(d -> d.id()).containsExactly(payments);
            assertThat(store.promoted("search", 5)).extracting(d -> d.id()).containsExactly(tieB, tieA);
            assertThat(store.promoted("orders", 5)).isEmpty();
            assertThat(store.promoted("checkout", 0)).isEmpty();
        }
    }

    static CanaryNoise noise(int p50Values, double p50Sum, int p99Values, double p99Sum) {
        // the spread's sum is derived from the others so that every record's is different and not a round number
        return new CanaryNoise(
                new CanaryNoise.Reading(p50Values, p50Sum),
                new CanaryNoise.Reading(p99Values, p99Sum),
                new CanaryNoise.Spread(p99Values + 1, p99Sum / 3 + p50Sum),
                new CanaryNoise.Bursts(p50Sum - p99Sum, p99Sum / 7, p50Sum / 11));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void latencyNoiseIsAServicesLatestRecordsNewestFirstWithExactValues(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long d1 = store.intake(request("k1", "checkout")).deploy().id();
            long d2 = store.intake(request("k2", "checkout")).deploy().id();
            long d3 = store.intake(request("k3", "checkout")).deploy().id();
            long p1 = store.intake(request("k4", "payments")).deploy().id();
            // sums no short decimal or float32 represents: they must come back bit for bit
            var n1 = noise(40, 0.1 + 0.2, 40, 1.0 / 3);
            var n2 = noise(12, Math.PI * 1e-7, 9, 123456.78901234567);
            var n3 = noise(1, Math.nextUp(1.0), 0, 0);
            var other = noise(7, 2.5, 7, 9.75);
            // recorded out of id order: the newest record is not the largest id, nor the last one written
            store.recordCanaryNoise(d3, n3, T0.plusSeconds(300));
            store.recordCanaryNoise(d1, n1, T0.plusSeconds(200));
            store.recordCanaryNoise(d2, n2, T0.plusSeconds(100));
            store.recordCanaryNoise(p1, other, T0.plusSeconds(400)); // newest, another service

            assertThat(store.canaryNoise("checkout", 2)).containsExactly(n3, n1);
            assertThat(store.canaryNoise("checkout", 10)).containsExactly(n3, n1, n2);
            var read = store.canaryNoise("checkout", 3);
            assertThat(Double.doubleToRawLongBits(read.get(1).p50().sumSquares()))
                    .isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));
            assertThat(read.get(2).p99().sumSquares()).isEqualTo(123456.78901234567);
            assertThat(read.get(0).p50().sumSquares()).isEqualTo(Math.nextUp(1.0));
            assertThat(store.canaryNoise("payments", 2)).containsExactly(other);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void latencyNoiseRecordedAtTheSameMomentComesLargerDeployFirst(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long older = store.intake(request("k1", "checkout")).deploy().id();
            long newer = store.intake(request("k2", "checkout")).deploy().id();
            var a = noise(3, 1.5, 3, 4.5);
            var b = noise(5, 2.5, 5, 7.5);
            store.recordCanaryNoise(newer, b, T0);
            store.recordCanaryNoise(older, a, T0);
            assertThat(store.canaryNoise("checkout", 2)).containsExactly(b, a);
            assertThat(store.canaryNoise("checkout", 1)).containsExactly(b);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void recordingADeploysLatencyNoiseAgainKeepsTheFirst(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long d = store.intake(request("k1", "checkout")).deploy().id();
            var first = noise(40, 12.25, 40, 80.5);
            store.recordCanaryNoise(d, first, T0);
            store.recordCanaryNoise(d, noise(2, 1, 2, 1), T0.plusSeconds(60));
            new JooqDeployStore(db).recordCanaryNoise(d, noise(9, 3, 9, 3), T0.plusSeconds(120));
            assertThat(store.canaryNoise("checkout", 5)).containsExactly(first);
            assertThat(count(db, "canary_noise")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void concurrentRecordsOfOneDeploysLatencyNoiseLeaveExactlyOne(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long d = store.intake(request("k1", "checkout")).deploy().id();
            int attempts = 8;
            var written = new ArrayList<CanaryNoise>();
            for (int i = 0; i < attempts; i++) {
                written.add(noise(i + 1, i + 0.5, i + 1, i + 0.25));
            }
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(attempts);
            try {
                var futures = written.stream()
                        .map(n -> pool.submit(() -> {
                            start.await();
                            store.recordCanaryNoise(d, n, T0);
                            return null;
                        }))
                        .toList();
                start.countDown();
                for (var f : futures) {
                    f.get(); // none of the losers fails
                }
            } finally {
                pool.shutdown();
            }
            var kept = store.canaryNoise("checkout", attempts);
            assertThat(kept).hasSize(1);
            assertThat(written).contains(kept.getFirst());
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void latencyNoiseOfNoRecordsOrNoLimitIsEmptyAndAServiceIsRequired(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long d = store.intake(request("k1", "checkout")).deploy().id();
            store.recordCanaryNoise(d, noise(4, 2, 4, 2), T0);
            assertThat(store.canaryNoise("checkout", 0)).isEmpty();
            assertThat(store.canaryNoise("checkout", -1)).isEmpty();
            assertThat(store.canaryNoise("search", 5)).isEmpty();
            assertThat(store.canaryNoise("checkout", 5)).hasSize(1);

            assertThat(store.keptNoise("checkout", 0)).isEmpty();
            assertThat(store.keptNoise("search", 5)).isEmpty();

            for (var bad : new String[] {null, "", "  "}) {
                assertThatThrownBy(() -> store.canaryNoise(bad, 5))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("service");
                assertThatThrownBy(() -> store.keptNoise(bad, 5))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("service");
            }
            // a deploy that does not exist is an error, not a silently kept first record
            assertThatThrownBy(() -> store.recordCanaryNoise(d + 1000, noise(1, 1, 1, 1), T0))
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("no deploy " + (d + 1000));
            assertThat(count(db, "canary_noise")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDeploysNoiseIsKeptUnderItsOwnServiceWithTheDeployItsVersionAndWhenItWasKept(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long c1 = store.intake(request("k1", "checkout", "2.0.0")).deploy().id();
            long p1 = store.intake(request("k2", "payments", "7.1.3")).deploy().id();
            long c2 = store.intake(request("k3", "checkout", "2.1.0-rc.1"))
                    .deploy()
                    .id();
            var a = noise(3, 1.5, 3, 4.5);
            var b = noise(5, 2.5, 5, 7.5);
            var c = noise(8, 0.1 + 0.2, 6, 1.0 / 3);
            store.recordCanaryNoise(c1, a, T0.plusSeconds(10));
            store.recordCanaryNoise(p1, b, T0.plusSeconds(20));
            store.recordCanaryNoise(c2, c, T0.plusSeconds(30));

            // the service comes from the deploy: payments' deploy is payments' noise, never checkout's
            assertThat(store.keptNoise("checkout", 5))
                    .containsExactly(
                            new KeptNoise(c2, "2.1.0-rc.1", T0.plusSeconds(30), c),
                            new KeptNoise(c1, "2.0.0", T0.plusSeconds(10), a));
            assertThat(store.keptNoise("payments", 5))
                    .containsExactly(new KeptNoise(p1, "7.1.3", T0.plusSeconds(20), b));
            assertThat(store.keptNoise("checkout", 1))
                    .extracting(KeptNoise::deployId)
                    .containsExactly(c2);
            assertThat(store.canaryNoise("checkout", 5)).containsExactly(c, a);
            assertThat(db.dsl().fetch("select deploy_id, service from canary_noise order by deploy_id"))
                    .extracting(r -> r.get(0, Long.class) + ":" + r.get(1, String.class))
                    .containsExactly(c1 + ":checkout", p1 + ":payments", c2 + ":checkout");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void recordingPrunesAServiceToItsLatestKeptNoiseAndNeverWhatTheNextCanaryReads(Database.Vendor vendor) {
        int kept = DeployStore.NOISE_KEPT_PER_SERVICE;
        assertThat(kept).isGreaterThanOrEqualTo(CanaryNoise.CANARIES);
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            // payments' records are older than every one of checkout's: a prune that ignored the service would take
            // them
            var payments = new ArrayList<KeptNoise>();
            for (int i = 0; i < 3; i++) {
                long id = store.intake(request("p" + i, "payments")).deploy().id();
                var n = noise(i + 1, i + 0.75, i + 1, i + 0.5);
                store.recordCanaryNoise(id, n, T0.minusSeconds(3600 - i));
                payments.add(new KeptNoise(id, "1.4.2", T0.minusSeconds(3600 - i), n));
            }
            // three times as many checkout records as are kept, recorded in a shuffled order; two by two at the same
            // moment, so that the deploy id decides between them
            int total = 3 * kept + 1;
            var checkout = new ArrayList<KeptNoise>();
            for (int i = 0; i < total; i++) {
                long id = store.intake(request("c" + i, "checkout")).deploy().id();
                checkout.add(
                        new KeptNoise(id, "1.4.2", T0.plusSeconds(60L * (i / 2)), noise(i + 1, i + 0.5, i, i * 0.25)));
            }
            Collections.shuffle(checkout, new Random(7));
            var newestFirst = Comparator.comparing(KeptNoise::keptAt)
                    .thenComparingLong(KeptNoise::deployId)
                    .reversed();
            var recorded = new ArrayList<KeptNoise>();
            for (var k : checkout) {
                store.recordCanaryNoise(k.deployId(), k.noise(), k.keptAt());
                recorded.add(k);
                var expected = recorded.stream().sorted(newestFirst).limit(kept).toList();
                assertThat(store.keptNoise("checkout", total))
                        .as("after %d records", recorded.size())
                        .containsExactlyElementsOf(expected);
                // what the next canary reads is there whatever was pruned
                assertThat(store.canaryNoise("checkout", CanaryNoise.CANARIES))
                        .containsExactlyElementsOf(expected.stream()
                                .limit(CanaryNoise.CANARIES)
                                .map(KeptNoise::noise)
                                .toList());
            }
            assertThat(db.dsl().fetchCount(CANARY_NOISE, CANARY_NOISE.SERVICE.eq("checkout")))
                    .isEqualTo(kept);
            List<KeptNoise> newest =
                    checkout.stream().sorted(newestFirst).limit(kept).toList();
            assertThat(store.keptNoise("checkout", total)).containsExactlyElementsOf(newest);
            assertThat(newest.getLast().keptAt())
                    .as("the oldest kept is from the last %d deploys' moments", kept)
                    .isEqualTo(T0.plusSeconds(60L * ((total - kept) / 2)));
            assertThat(store.keptNoise("payments", 10)).containsExactlyElementsOf(payments.reversed());
            assertThat(count(db, "canary_noise")).isEqualTo(kept + payments.size());

            // a pruned deploy recorded again (a late retry) is older than every kept one: it is pruned again at once
            var pruned = checkout.stream().sorted(newestFirst).toList().getLast();
            store.recordCanaryNoise(pruned.deployId(), pruned.noise(), pruned.keptAt());
            assertThat(store.keptNoise("checkout", total)).containsExactlyElementsOf(newest);
        }
    }

    /** A deploy of {@code service} taken straight to the terminal state {@code to} at {@code at}; its id. */
    static long end(JooqDeployStore store, String key, String service, DeployState to, Instant at) {
        var d = store.intake(request(key, service)).deploy();
        return store.transition(d.id(), d.revision(), to, 0, "engine", "ended", at)
                .id();
    }
}
