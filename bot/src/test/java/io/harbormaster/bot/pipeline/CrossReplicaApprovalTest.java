package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.DeployDesk.DecisionOutcome;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.bot.slack.SlackUser;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, desk, audit log and connection pool, over one database: the two requests
 * of a double click (or two approvers' clicks) reach different replicas at the same moment. Whatever the timing, a
 * decision is recorded, audited and acted on once, and no click is answered with an error.
 */
class CrossReplicaApprovalTest {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout: {namespace: shop, approvers: shop-approvers}
              payments: {namespace: shop, approvers: shop-approvers, approvals: 2}
            """;
    static final int ROUNDS = 50;
    static final SlackUser ANN = new SlackUser("U0ANN", "ann");
    static final SlackUser BOB = new SlackUser("U0BOB", "bob");

    @TempDir
    Path dir;

    /** One click's answer, or what it threw. */
    record Click(DecisionOutcome outcome, Throwable error) {}

    /** The two clicks of one round, and whether they were held to look at the approvals at the same moment. */
    static final class Round {
        final CountDownLatch looked = new CountDownLatch(2);
        final Set<Thread> arrived = ConcurrentHashMap.newKeySet();
    }

    /** One replica: its own pool, stores, audit log, pipeline and desk. */
    static final class Replica implements AutoCloseable {
        final Database db;
        final PipelineFixture f;
        final DeployPipeline engine;
        final PipelineDesk desk;

        Replica(String url, String owner, AtomicReference<Round> round) {
            db = Database.open(DatabaseConfig.of(url));
            f = new PipelineFixture(db, CONFIG);
            var store = heldTogether(f.deploys, round);
            var settings = PipelineSettings.defaults(owner);
            engine = f.engine(settings, store);
            desk = new PipelineDesk(
                    engine,
                    store,
                    f.policies,
                    f.audit,
                    new DeployThreads(new JooqSlackThreads(db)),
                    settings,
                    id -> {},
                    f.clock);
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /**
     * The store, except that in a held round each click's first look at the approvals waits (up to a second) for the
     * other click's, on the other replica: both then see the approvals as they were before either click.
     */
    static DeployStore heldTogether(DeployStore store, AtomicReference<Round> round) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    var r = round.get();
                    if (r != null && method.getName().equals("approvals") && r.arrived.add(Thread.currentThread())) {
                        r.looked.countDown();
                        r.looked.await(1, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    enum Storage {
        H2_FILE,
        POSTGRESQL
    }

    String url(Storage storage) {
        return switch (storage) {
            case H2_FILE -> "jdbc:h2:file:" + dir.resolve("harbormaster");
            case POSTGRESQL -> TestDatabases.url(Database.Vendor.POSTGRESQL);
        };
    }

    final AtomicReference<Round> round = new AtomicReference<>();
    int versions;

    /** A new escalated deploy of {@code service}, waiting for approval. */
    long awaitingApproval(Replica a, String service) {
        var version = "1.3." + versions++;
        a.f.announce(service, version, PipelineFixture.MIGRATION);
        var request = new io.harbormaster.engine.rollout.DeployRequest(
                "slack:" + service + ":" + version,
                RequestSource.SLACK,
                service,
                version,
                "production",
                "U0DEV",
                false,
                "{}",
                Instant.parse("2026-11-24T10:00:00Z"));
        long id = PipelineFixture.acceptedId(a.engine, request);
        assertThat(a.engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        return id;
    }

    /** Both clicks released at once, one on each replica; {@code held}: made to look at the approvals together. */
    List<Click> race(
            boolean held,
            Replica a,
            SlackUser onA,
            Approval.Decision choiceA,
            Replica b,
            SlackUser onB,
            Approval.Decision choiceB,
            long id)
            throws Exception {
        round.set(held ? new Round() : null);
        var go = new CountDownLatch(1);
        var clicks = new ArrayList<Click>();
        try (var pool = Executors.newFixedThreadPool(2)) {
            var first = pool.submit(() -> {
                go.await();
                return a.desk.decide(id, onA, choiceA, "key-a");
            });
            var second = pool.submit(() -> {
                go.await();
                return b.desk.decide(id, onB, choiceB, "key-b");
            });
            go.countDown();
            for (var click : List.of(first, second)) {
                try {
                    clicks.add(new Click(click.get(60, TimeUnit.SECONDS), null));
                } catch (ExecutionException e) {
                    clicks.add(new Click(null, e.getCause()));
                }
            }
        } finally {
            round.set(null);
        }
        return clicks;
    }

    static List<String> approvalAudit(Replica r, long id) {
        var actions = new ArrayList<String>();
        r.f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
            if (e.record().action().startsWith("approval.")) {
                actions.add(e.record().action() + " " + e.record().actor());
            }
        });
        return actions;
    }

    static long settled(Replica r, long id) {
        return r.f.deploys.transitions(id).stream()
                .filter(t -> t.from() == DeployState.AWAITING_APPROVAL)
                .count();
    }

    static long countedNotices(Replica a, Replica b, long id) {
        return java.util.stream.Stream.concat(a.f.notices.stream(), b.f.notices.stream())
                .filter(n -> n instanceof DeployNotice.ApprovalCounted c
                        && c.deploy().id() == id)
                .count();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aDoubleClickOnTwoReplicasIsCountedAuditedAndActedOnOnceAndTheSecondClickIsToldItCameBefore(Storage storage)
            throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < ROUNDS; i++) {
                boolean held = i % 2 == 0;
                var choice = (i / 2) % 2 == 0 ? Approval.Decision.APPROVE : Approval.Decision.REJECT;
                long id = awaitingApproval(a, "checkout");
                var clicks = race(held, a, ANN, choice, b, ANN, choice, id);
                var what = "round " + i + " (" + choice + (held ? ", held together" : "") + "): " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Click::outcome).toList();
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Settled s && s.decision() == choice)
                        .hasSize(1);
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Duplicate)
                        .singleElement()
                        .asString()
                        .contains("You already " + (choice == Approval.Decision.APPROVE ? "approved" : "rejected"))
                        .contains("your first decision stands");
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(1);
                assertThat(approvalAudit(a, id)).as(what).containsExactly("approval.counted U0ANN");
                assertThat(settled(a, id))
                        .as(what + ": the deploy was settled once")
                        .isEqualTo(1);
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(1);
                var state = a.f.deploys.find(id).orElseThrow().state();
                if (choice == Approval.Decision.REJECT) {
                    assertThat(state).as(what).isEqualTo(DeployState.REJECTED);
                } else {
                    assertThat(state).as(what).isNotIn(DeployState.AWAITING_APPROVAL, DeployState.REJECTED);
                }
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void twoApproversOnTwoReplicasAtOnceApproveADeployThatNeedsTwoOnce(Storage storage) throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = awaitingApproval(a, "payments");
                var clicks = race(i % 2 == 0, a, ANN, Approval.Decision.APPROVE, b, BOB, Approval.Decision.APPROVE, id);
                var what = "round " + i + ": " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Click::outcome).toList();
                // one click is counted as the first of two, the other completes the approval: never both first
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Recorded)
                        .hasSize(1);
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o ->
                                o instanceof DecisionOutcome.Settled s && s.decision() == Approval.Decision.APPROVE)
                        .hasSize(1);
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(2);
                assertThat(approvalAudit(a, id))
                        .as(what)
                        .containsExactlyInAnyOrder("approval.counted U0ANN", "approval.counted U0BOB");
                assertThat(settled(a, id)).as(what).isEqualTo(1);
                assertThat(a.f.deploys.transitions(id))
                        .as(what)
                        .filteredOn(t -> t.to() == DeployState.APPROVED)
                        .singleElement()
                        .extracting(io.harbormaster.engine.rollout.Transition::reason)
                        .isEqualTo("2 approvals of 2 needed");
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(2);
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void anApprovalAndARejectionOnTwoReplicasAtOnceSettleTheDeployOnce(Storage storage) throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = awaitingApproval(a, "checkout");
                var clicks = race(i % 2 == 0, a, ANN, Approval.Decision.APPROVE, b, BOB, Approval.Decision.REJECT, id);
                var what = "round " + i + ": " + clicks;

                assertThat(clicks).as(what).allMatch(c -> c.error() == null);
                var outcomes = clicks.stream().map(Click::outcome).toList();
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Settled)
                        .hasSize(1);
                // the click that came second finds the deploy decided: it is told so, and nothing of it is kept
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof DecisionOutcome.Refused)
                        .singleElement()
                        .asString()
                        .contains("no longer waiting for a decision");
                assertThat(a.f.deploys.approvals(id)).as(what).hasSize(1);
                var winner = a.f.deploys.approvals(id).getFirst();
                assertThat(approvalAudit(a, id)).as(what).containsExactly("approval.counted " + winner.approver());
                assertThat(settled(a, id)).as(what).isEqualTo(1);
                var state = a.f.deploys.find(id).orElseThrow().state();
                if (winner.decision() == Approval.Decision.REJECT) {
                    assertThat(state).as(what).isEqualTo(DeployState.REJECTED);
                } else {
                    assertThat(state).as(what).isNotIn(DeployState.AWAITING_APPROVAL, DeployState.REJECTED);
                }
                assertThat(countedNotices(a, b, id)).as(what).isEqualTo(1);
            }
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }
}
