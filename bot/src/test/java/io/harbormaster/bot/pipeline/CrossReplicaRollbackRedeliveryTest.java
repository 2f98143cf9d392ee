package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.pipeline.CrossReplicaRace.Answer;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Replica;
import io.harbormaster.bot.pipeline.CrossReplicaRace.Storage;
import io.harbormaster.bot.slack.DeployDesk.ActionOutcome;
import io.harbormaster.bot.slack.SlackUser;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Submission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, desk, audit log and connection pool, over one database: Slack delivers
 * one {@code /deploy rollback} twice (a retry, a redelivery), and the second delivery reaches the other replica, at
 * the same moment or long after. It is answered with what the first did, the revert it started or the deploy it
 * stopped, and does nothing more: not stopping a deploy asked for since, not reverting a later promotion, not refused
 * for the stop the first delivery made.
 */
class CrossReplicaRollbackRedeliveryTest {
    static final String CONFIG = CrossReplicaIntakeTest.CONFIG;
    static final SlackUser OPS = new SlackUser("U0OPS", "ops");
    static final DeployCommand.Rollback ROLLBACK = new DeployCommand.Rollback("checkout");
    static final String CHANNEL = "C0DEPLOYS";

    @TempDir
    Path dir;

    /** In a held round, each delivery's look at what of the service is in flight waits for the other's. */
    final CrossReplicaRace replicas = new CrossReplicaRace(
            CONFIG, (method, args) -> method.equals("inFlight") && args != null && args.length == 1);

    /**
     * Checkout's latest promotion is {@code version}.1, over {@code version}.0 (both announced, promoted as by an
     * earlier Harbormaster that did not record the stable image): a revert puts {@code version}.0 back.
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

    /** A deploy of checkout {@code version} (a migration: it waits for approval), asked for on {@code r}. */
    static long awaitingApproval(Replica r, String key, String version) {
        r.f.announce("checkout", version, PipelineFixture.MIGRATION);
        long id = PipelineFixture.acceptedId(r.engine, PipelineFixture.slackRequest(key, "checkout", version, "U0DEV"));
        assertThat(r.engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        return id;
    }

    /** Moves {@code later}'s clock to {@code earlier}'s, plus {@code by}: each replica has a clock of its own. */
    static void catchUp(Replica later, Replica earlier, Duration by) {
        var behind = Duration.between(later.f.clock.instant(), earlier.f.clock.instant());
        later.f.clock.advance((behind.isNegative() ? Duration.ZERO : behind).plus(by));
    }

    static long entries(Replica r, String action) {
        var n = new AtomicLong();
        r.f.audit.scan(AuditQuery.all(), e -> {
            if (e.record().action().equals(action)) {
                n.incrementAndGet();
            }
        });
        return n.get();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aRollbackDeliveredAgainToAnotherReplicaAfterItsRevertFinishedIsAnsweredWithTheRevertAndDoesNothingMore(
            Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            promotedOver(a, "3");
            var started = a.desk.rollback(ROLLBACK, OPS, CHANNEL, "slack:rb-1");
            assertThat(started).isInstanceOf(ActionOutcome.Started.class);
            var revert = a.f.deploys.inFlight("checkout").getFirst();
            assertThat(a.engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
            // then someone asks for 3.7, which waits for approval
            catchUp(b, a, Duration.ofMinutes(5));
            long waiting = awaitingApproval(b, "slack:d-1", "3.7");
            var before = b.f.deploys.find(waiting).orElseThrow();

            // before: the retry, on the replica that had not seen the request, stopped 3.7
            var again = b.desk.rollback(ROLLBACK, OPS, CHANNEL, "slack:rb-1");

            assertThat(again).isInstanceOfSatisfying(ActionOutcome.Duplicate.class, d -> assertThat(d.note())
                    .startsWith("checkout is already back on `3.0`: revert #" + revert.id()));
            assertThat(b.f.deploys.find(waiting)).as("not stopped").contains(before);
            assertThat(entries(a, "rollback.requested")).isZero();
            assertThat(CrossReplicaRace.notices(a, b)).noneMatch(n -> n instanceof DeployNotice.Stopped);

            // 3.7 goes ahead and is promoted; the request delivered once more, by the pipeline of a third replica
            // that never saw it, still does not revert it
            b.f.deploys.transition(
                    before.id(),
                    before.revision(),
                    DeployState.PROMOTED,
                    3,
                    "engine",
                    "3.7 is live",
                    b.f.clock.instant());
            b.f.deploys.releaseRollout("checkout", before.id());
            var third = b.f.engine(io.harbormaster.engine.rollout.PipelineSettings.defaults("engine-c"), b.f.deploys);
            assertThat(third.rollbackRequested("checkout", "U0OPS", "slack:rb-1"))
                    .isEqualTo(new Submission.Accepted(
                            b.f.deploys.find(revert.id()).orElseThrow(), true));
            assertThat(b.f.deploys.inFlight("checkout")).isEmpty();
            assertThat(entries(a, "deploy.revert")).isEqualTo(1);
            assertThat(entries(a, "rollback.refused")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aRollbackThatStoppedADeployDeliveredAgainToAnotherReplicaIsAnsweredWithThatStopAndRevertsNothing(
            Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            var latest = promotedOver(a, "4");
            long waiting = awaitingApproval(a, "slack:d-2", "4.7");
            assertThat(a.desk.rollback(ROLLBACK, OPS, CHANNEL, "slack:rb-2")).isInstanceOf(ActionOutcome.Done.class);
            var stopped = a.f.deploys.find(waiting).orElseThrow();
            assertThat(stopped.state()).isEqualTo(DeployState.FAILED);

            // moments later: before, refused for the stop it made itself ("was stopped by U0OPS ... moments before")
            catchUp(b, a, Duration.ofSeconds(2));
            assertThat(b.engine.rollbackRequested("checkout", "U0OPS", "slack:rb-2"))
                    .isEqualTo(new Submission.Accepted(stopped, true));
            // past the 30 s in which a stop refuses a revert: before, it reverted 4.1 to 4.0
            catchUp(b, a, DeployPipeline.JUST_STOPPED.plusMinutes(1));
            var again = b.desk.rollback(ROLLBACK, OPS, CHANNEL, "slack:rb-2");

            assertThat(again)
                    .isEqualTo(new ActionOutcome.Duplicate("That rollback of checkout was already taken: deploy #"
                            + waiting + " (checkout 4.7) stopped before it reached the cluster."));
            assertThat(a.f.deploys.inFlight("checkout")).isEmpty();
            assertThat(a.f.deploys.promoted("checkout", 1))
                    .extracting(Deploy::id)
                    .containsExactly(latest.id());
            assertThat(entries(a, "deploy.revert")).isZero();
            assertThat(entries(a, "rollback.refused")).isZero();
            assertThat(entries(a, "rollback.requested")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void oneRollbackDeliveredTwiceAtOnceToTwoReplicasStopsTheDeployOnceAndBothAreAnsweredWithIt(Storage storage)
            throws Exception {
        var url = storage.url(dir);
        try (var a = replicas.open(url, "engine-a");
                var b = replicas.open(url, "engine-b")) {
            promotedOver(a, "5");
            catchUp(b, a, Duration.ZERO);
            for (int i = 0; i < 10; i++) {
                boolean held = i % 2 == 0;
                var key = "slack:rb-at-once-" + i;
                long waiting = awaitingApproval(a, "slack:d-at-once-" + i, "5.7." + i);
                var answers = replicas.race(
                        held,
                        () -> a.desk.rollback(ROLLBACK, OPS, CHANNEL, key),
                        () -> b.desk.rollback(ROLLBACK, OPS, CHANNEL, key));
                var what = "round " + i + (held ? ", held together" : "") + ": " + answers;

                // before: the second delivery failed (the deploy moved under it) or was refused for the first's stop
                assertThat(answers).as(what).allMatch(x -> x.error() == null);
                var outcomes = answers.stream().map(Answer::value).toList();
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof ActionOutcome.Done)
                        .hasSize(1);
                assertThat(outcomes)
                        .as(what)
                        .filteredOn(o -> o instanceof ActionOutcome.Duplicate)
                        .singleElement()
                        .isEqualTo(new ActionOutcome.Duplicate("That rollback of checkout was already taken: deploy #"
                                + waiting + " (checkout 5.7." + i + ") stopped before it reached the cluster."));
                assertThat(a.f.deploys.find(waiting).orElseThrow().state())
                        .as(what)
                        .isEqualTo(DeployState.FAILED);
                assertThat(a.f.deploys.transitions(waiting).stream()
                                .filter(t -> t.to() == DeployState.FAILED)
                                .count())
                        .as(what + ": stopped once")
                        .isEqualTo(1);
                assertThat(a.f.deploys.inFlight("checkout")).as(what).isEmpty();
                assertThat(entries(a, "rollback.requested")).as(what).isEqualTo(i + 1);
                assertThat(CrossReplicaRace.notices(a, b)
                                .filter(n -> n instanceof DeployNotice.Stopped s
                                        && s.deploy().id() == waiting)
                                .count())
                        .as(what)
                        .isEqualTo(1);
            }
            assertThat(entries(a, "deploy.revert")).isZero();
            assertThat(entries(a, "rollback.refused")).isZero();
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }
}
