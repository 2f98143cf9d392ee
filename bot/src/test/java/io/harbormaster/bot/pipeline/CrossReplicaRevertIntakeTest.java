package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.Revert;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, audit log and connection pool, over one database: {@code /deploy rollback
 * checkout} on one at the same moment as another request on the other. A revert is stored in the service's intake
 * step as every request is (see {@link CrossReplicaIntakeTest}), so of a revert and a deploy of the version it puts
 * back one starts and the other is answered with it; two reverts of one promotion make one; and a deploy of another
 * version asked for beside a revert either waits its turn behind it or, stored first, is what the revert is refused
 * for.
 */
class CrossReplicaRevertIntakeTest {
    static final String CONFIG = CrossReplicaIntakeTest.CONFIG;

    @TempDir
    Path dir;

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

    /** How the two requests of a round reach the intake. */
    enum Hold {
        /** As they come. */
        NONE,
        /** Together: whichever is stored first is the race's. */
        TOGETHER,
        /** Together, then the revert is stored first and the other request only after it. */
        REVERT_FIRST,
        /** Together, then the other request is stored first and the revert only after it. */
        REVERT_LAST;

        /** The hold of round {@code i}: each in turn. */
        static Hold of(int i) {
            return values()[i % values().length];
        }
    }

    /**
     * The two requests of one held round: both have looked at what is in flight and found nothing in the way when they
     * reach the step that stores them.
     */
    static final class Round {
        final Hold hold;
        final CountDownLatch arrived = new CountDownLatch(2);
        final CountDownLatch firstStored = new CountDownLatch(1);
        final Set<Thread> seen = ConcurrentHashMap.newKeySet();

        Round(Hold hold) {
            this.hold = hold;
        }

        /** Whether a request, a revert's or not, is the one stored first in this round; empty when they race. */
        Optional<Boolean> first(boolean revert) {
            return switch (hold) {
                case REVERT_FIRST -> Optional.of(revert);
                case REVERT_LAST -> Optional.of(!revert);
                default -> Optional.empty();
            };
        }
    }

    final AtomicReference<Round> round = new AtomicReference<>();

    /** One replica: its own pool, stores, audit log and pipeline. */
    static final class Replica implements AutoCloseable {
        final Database db;
        final PipelineFixture f;
        final DeployPipeline engine;

        Replica(String url, String owner, AtomicReference<Round> round) {
            db = Database.open(DatabaseConfig.of(url));
            f = new PipelineFixture(db, CONFIG);
            engine = f.engine(PipelineSettings.defaults(owner), heldAtIntake(f.deploys, round));
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /**
     * The store, except that in a held round each request's intake waits, up to a second, for the other's: both have
     * looked at what is in flight, found nothing in the way, and reach the step that stores them together; in an
     * ordered round, the one to be stored second then waits until the first is stored.
     */
    static DeployStore heldAtIntake(DeployStore store, AtomicReference<Round> round) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    var r = round.get();
                    var first = Optional.<Boolean>empty();
                    if (r != null && method.getName().equals("intake") && r.seen.add(Thread.currentThread())) {
                        r.arrived.countDown();
                        r.arrived.await(1, TimeUnit.SECONDS);
                        first = r.first(
                                ((DeployRequest) args[0]).idempotencyKey().startsWith("revert:"));
                        if (first.equals(Optional.of(false))) {
                            r.firstStored.await(5, TimeUnit.SECONDS);
                        }
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (first.equals(Optional.of(true))) {
                            r.firstStored.countDown();
                        }
                    }
                });
    }

    /** Both asked at once, one on each replica, held at the intake as {@code hold} says. */
    List<Submission> race(Hold hold, Callable<Submission> onA, Callable<Submission> onB) throws Exception {
        round.set(hold == Hold.NONE ? null : new Round(hold));
        var go = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(2)) {
            var first = pool.submit(() -> {
                go.await();
                return onA.call();
            });
            var second = pool.submit(() -> {
                go.await();
                return onB.call();
            });
            go.countDown();
            return List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
        } finally {
            round.set(null);
        }
    }

    /**
     * Checkout's latest promotion is {@code version}.1, over {@code version}.0 (both announced, as if promoted by a
     * Harbormaster from before the stable image was recorded): a revert puts {@code version}.0 back. Returns the
     * latest promotion.
     */
    static Deploy promotedOver(Replica r, String version) {
        promoted(r, version + ".0");
        return promoted(r, version + ".1");
    }

    static Deploy promoted(Replica r, String version) {
        r.f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        r.f.clock.advance(Duration.ofMinutes(1));
        var d = r.f.deploys
                .intake(PipelineFixture.slackRequest("ci:" + version, "checkout", version, "U0DEV"))
                .deploy();
        return r.f.deploys.transition(
                d.id(), d.revision(), DeployState.PROMOTED, 3, "engine", version + " is live", r.f.clock.instant());
    }

    /** Ends whatever of checkout is still in flight, so that the next round starts from nothing in flight. */
    static void endRound(Replica r) {
        for (var d : r.f.deploys.inFlight("checkout")) {
            r.f.deploys.transition(
                    d.id(), d.revision(), DeployState.FAILED, d.step(), "test", "end of round", r.f.clock.instant());
            r.f.deploys.releaseRollout("checkout", d.id());
        }
    }

    static long entries(Replica r, String action) {
        var n = new java.util.concurrent.atomic.AtomicLong();
        r.f.audit.scan(AuditQuery.all(), e -> {
            if (e.record().action().equals(action)) {
                n.incrementAndGet();
            }
        });
        return n.get();
    }

    static long acceptedNotices(Replica a, Replica b, long deployId) {
        return java.util.stream.Stream.concat(a.f.notices.stream(), b.f.notices.stream())
                .filter(n ->
                        n instanceof DeployNotice.Accepted acc && acc.deploy().id() == deployId)
                .count();
    }

    static boolean isNew(Submission s) {
        return s instanceof Submission.Accepted a && !a.duplicate();
    }

    static boolean isRevert(Replica r, Deploy d) {
        return r.f.deploys.request(d.id()).flatMap(Revert::of).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aRevertAndADeployOfTheVersionItPutsBackAskedForAtOnceStartOneAndTheOtherIsAnsweredWithIt(Storage storage)
            throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            int refusedRollbacks = 0;
            for (int i = 0; i < 20; i++) {
                int n = i;
                var version = "3." + i;
                var latest = promotedOver(a, version);
                // the rollback typed on one replica while the deploy is typed (or CI asks for it) on the other; each
                // replica takes either part in turn
                boolean swap = i % 2 == 1;
                var reverting = swap ? b : a;
                var deploying = swap ? a : b;
                var hold = Hold.of(i);
                var answers = race(
                        hold,
                        () -> reverting.engine.rollbackRequested("checkout", "U0OPS", "slack:rb-" + n),
                        () -> deploying.engine.submit(
                                PipelineFixture.slackRequest("slack:d-" + n, "checkout", version + ".0", "U0DEV")));
                var what = "round " + i + ", " + hold + ": " + answers;

                var inFlight = a.f.deploys.inFlight("checkout");
                assertThat(inFlight)
                        .as(what + ": one deploy of " + version + ".0")
                        .hasSize(1);
                var started = inFlight.getFirst();
                assertThat(started.version()).as(what).isEqualTo(version + ".0");
                assertThat(answers).as(what).filteredOn(s -> isNew(s)).hasSize(1);
                var revertAnswer = answers.getFirst();
                var deployAnswer = answers.getLast();
                assertThat(hold).as(what).isNotEqualTo(isRevert(a, started) ? Hold.REVERT_LAST : Hold.REVERT_FIRST);
                if (isRevert(a, started)) {
                    // the deploy asked for is answered with the revert, which puts that version back
                    assertThat(isNew(revertAnswer)).as(what).isTrue();
                    assertThat(deployAnswer).as(what).isInstanceOfSatisfying(Submission.Accepted.class, d -> {
                        assertThat(d.duplicate()).isTrue();
                        assertThat(d.deploy().id()).isEqualTo(started.id());
                    });
                    assertThat(Revert.of(a.f.deploys.request(started.id()).orElseThrow())
                                    .orElseThrow()
                                    .reverts())
                            .isEqualTo(latest.id());
                } else {
                    refusedRollbacks++;
                    // the rollback is refused, naming the deploy that is on its way to that version
                    assertThat(isNew(deployAnswer)).as(what).isTrue();
                    assertThat(revertAnswer).as(what).isInstanceOf(Submission.Refused.class);
                    var refusal = (Submission.Refused) revertAnswer;
                    assertThat(refusal.reason())
                            .as(what)
                            .startsWith("deploy #" + started.id() + " (checkout " + version
                                    + ".0, asked by U0DEV) is already on its way to " + version + ".0");
                    assertThat(refusal.people()).as(what).containsExactly("U0DEV");
                    assertThat(a.f.audited(started.id(), "deploy.requested"))
                            .as(what)
                            .hasSize(1);
                }
                assertThat(entries(a, "rollback.refused")).as(what).isEqualTo(refusedRollbacks);
                assertThat(acceptedNotices(a, b, started.id()))
                        .as(what + ": one thread")
                        .isEqualTo(1);
                endRound(a);
            }
            assertThat(entries(a, "deploy.revert")).isZero();
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void twoRevertsOfOnePromotionAskedForAtOnceOnTwoReplicasMakeOne(Storage storage) throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < 12; i++) {
                var latest = promotedOver(a, "4." + i);
                // two people at once; every third round, one Slack request whose retry reached the other replica
                boolean retry = i % 3 == 2;
                var keyA = "slack:rb-" + i;
                var keyB = retry ? keyA : "slack:rb-" + i + "-again";
                var hold = i % 2 == 0 ? Hold.TOGETHER : Hold.NONE;
                var answers = race(
                        hold,
                        () -> a.engine.rollbackRequested("checkout", "U0OPS", keyA),
                        () -> b.engine.rollbackRequested("checkout", "U0ANN", keyB));
                var what = "round " + i + (retry ? " (a retry)" : "") + ", " + hold + ": " + answers;

                assertThat(answers).as(what).allMatch(s -> s instanceof Submission.Accepted);
                assertThat(answers).as(what).filteredOn(s -> isNew(s)).hasSize(1);
                var ids = answers.stream()
                        .map(s -> ((Submission.Accepted) s).deploy().id())
                        .distinct()
                        .toList();
                assertThat(ids).as(what + ": both answered with the one revert").hasSize(1);
                assertThat(a.f.deploys.inFlight("checkout"))
                        .as(what)
                        .extracting(Deploy::id)
                        .containsExactlyElementsOf(ids);
                assertThat(a.f.deploys.request(ids.getFirst()).orElseThrow().idempotencyKey())
                        .as(what)
                        .isEqualTo("revert:" + latest.id() + ":1");
                assertThat(acceptedNotices(a, b, ids.getFirst())).as(what).isEqualTo(1);
                endRound(a);
            }
            assertThat(entries(a, "rollback.refused")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aDeployOfAnotherVersionAskedForBesideARevertWaitsItsTurnBehindItOrIsWhatTheRevertIsRefusedFor(Storage storage)
            throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            int refused = 0;
            for (int i = 0; i < 12; i++) {
                int n = i;
                var version = "5." + i;
                promotedOver(a, version);
                var other = version + ".7";
                a.f.announce("checkout", other, PipelineFixture.SMALL_CHANGE);
                var hold = Hold.of(i);
                var answers = race(
                        hold,
                        () -> a.engine.rollbackRequested("checkout", "U0OPS", "slack:rb-" + n),
                        () -> b.engine.submit(
                                PipelineFixture.slackRequest("slack:d-" + n, "checkout", other, "U0DEV")));
                var what = "round " + i + ", " + hold + ": " + answers;

                assertThat(isNew(answers.getLast()))
                        .as(what + ": the deploy is taken either way")
                        .isTrue();
                var deploy = ((Submission.Accepted) answers.getLast()).deploy();
                assertThat(hold)
                        .as(what)
                        .isNotEqualTo(isNew(answers.getFirst()) ? Hold.REVERT_LAST : Hold.REVERT_FIRST);
                if (isNew(answers.getFirst())) {
                    var revert = ((Submission.Accepted) answers.getFirst()).deploy();
                    assertThat(revert.id()).as(what + ": asked for first").isLessThan(deploy.id());
                    // advanced first, on the other replica: it waits for the revert, and the cluster is not touched
                    var after = b.engine.advance(deploy.id()).orElseThrow();
                    assertThat(after.state()).as(what).isEqualTo(DeployState.PREFLIGHT);
                    assertThat(b.f.deploys.transitions(deploy.id()).getLast().reason())
                            .as(what)
                            .isEqualTo("waiting for its turn: in flight: checkout " + version + ".0 (revert of "
                                    + version + ".1, requested)");
                    assertThat(b.f.cluster.workloads(b.f.target("checkout")))
                            .as(what)
                            .containsOnlyKeys(Track.STABLE);
                } else {
                    refused++;
                    assertThat(((Submission.Refused) answers.getFirst()).reason())
                            .as(what)
                            .startsWith("deploy #" + deploy.id() + " (checkout " + other + ") is requested right now:"
                                    + " nothing was rolled back. Run /deploy rollback checkout again in a moment");
                    assertThat(a.f.deploys.inFlight("checkout"))
                            .as(what)
                            .extracting(Deploy::id)
                            .containsExactly(deploy.id());
                }
                endRound(a);
            }
            assertThat(entries(a, "rollback.refused")).isEqualTo(refused);
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void rollbacksOnBothReplicasWhileARevertRunsAreAnsweredWithItAndStopNothingQueuedBehindIt(Storage storage)
            throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < 6; i++) {
                int n = i;
                var version = "6." + i;
                promotedOver(a, version);
                var revert = ((Submission.Accepted) a.engine.rollbackRequested("checkout", "U0OPS", "slack:rb-" + n))
                        .deploy();
                var other = version + ".7";
                a.f.announce("checkout", other, PipelineFixture.SMALL_CHANGE);
                var queued = ((Submission.Accepted) b.engine.submit(
                                PipelineFixture.slackRequest("slack:d-" + n, "checkout", other, "U0DEV")))
                        .deploy();
                assertThat(b.engine.advance(queued.id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);
                var waiting = a.f.deploys.find(queued.id()).orElseThrow();

                // two more people press for the rollback at once, one on each replica
                var answers = race(
                        Hold.NONE,
                        () -> a.engine.rollbackRequested("checkout", "U0ANN", "slack:again-a-" + n),
                        () -> b.engine.rollbackRequested("checkout", "U0BOB", "slack:again-b-" + n));
                var what = "round " + i + ": " + answers;

                assertThat(answers).as(what).allSatisfy(s -> assertThat(s)
                        .isInstanceOfSatisfying(Submission.Accepted.class, acc -> {
                            assertThat(acc.duplicate()).isTrue();
                            assertThat(acc.deploy().id()).isEqualTo(revert.id());
                        }));
                assertThat(a.f.deploys.find(queued.id()))
                        .as(what + ": not stopped")
                        .contains(waiting);
                assertThat(a.f.deploys.inFlight("checkout"))
                        .as(what)
                        .extracting(Deploy::id)
                        .containsExactly(revert.id(), queued.id());
                assertThat(java.util.stream.Stream.concat(a.f.notices.stream(), b.f.notices.stream()))
                        .as(what)
                        .noneMatch(notice -> notice instanceof DeployNotice.Stopped);
                endRound(a);
            }
            assertThat(entries(a, "rollback.requested")).isZero();
            assertThat(entries(a, "rollback.refused")).isZero();
        }
    }
}
