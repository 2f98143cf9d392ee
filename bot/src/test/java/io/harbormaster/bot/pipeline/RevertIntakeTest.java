package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A revert ({@code /deploy rollback} after a promotion) is taken in through the service's intake step as every request
 * is: a revert and an ordinary request for the version it puts back never both start, and a request for another
 * version waits its turn behind a revert as behind any deploy. One replica on H2; {@link CrossReplicaRevertIntakeTest}
 * races them across two. Every service runs 1.0.0 to begin with, and checkout 1.1.0 is promoted over it.
 */
class RevertIntakeTest {
    static final AtomicInteger DB = new AtomicInteger();
    static final String BEFORE = "registry.example/checkout:1.0.0";
    Database db;
    PipelineFixture f;
    DeployPipeline engine;
    Deploy latest;

    @BeforeEach
    void open() {
        db = Database.open(
                DatabaseConfig.of("jdbc:h2:mem:revert-intake-" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
        engine = f.engine("engine-a");
        f.announce("checkout", "1.0.0", PipelineFixture.SMALL_CHANGE);
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        latest = f.runUntilDone(
                engine,
                PipelineFixture.acceptedId(
                        engine, PipelineFixture.slackRequest("slack:1.1.0", "checkout", "1.1.0", "U0DEV")),
                Duration.ofMinutes(20));
        assertThat(latest.state()).isEqualTo(DeployState.PROMOTED);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static Deploy created(Submission s) {
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        var a = (Submission.Accepted) s;
        assertThat(a.duplicate()).as("a new deploy").isFalse();
        return a.deploy();
    }

    static Deploy repeated(Submission s) {
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        var a = (Submission.Accepted) s;
        assertThat(a.duplicate()).as("answered with a deploy that exists").isTrue();
        return a.deploy();
    }

    static Submission.Refused refused(Submission s) {
        assertThat(s).isInstanceOf(Submission.Refused.class);
        return (Submission.Refused) s;
    }

    List<AuditRecord> entries(Predicate<AuditRecord> which) {
        var out = new ArrayList<AuditRecord>();
        f.audit.scan(AuditQuery.all(), e -> {
            if (which.test(e.record())) {
                out.add(e.record());
            }
        });
        return out;
    }

    /** Slack's desk over {@code pipeline}, the replica {@code name}'s. */
    io.harbormaster.bot.slack.PipelineDesk desk(DeployPipeline pipeline, String name) {
        return new io.harbormaster.bot.slack.PipelineDesk(
                pipeline,
                f.deploys,
                f.policies,
                f.audit,
                new io.harbormaster.bot.slack.DeployThreads(new io.harbormaster.storage.slack.JooqSlackThreads(f.db)),
                PipelineSettings.defaults(name),
                deployId -> {},
                f.clock);
    }

    @Test
    void aRefusedRollbackDeliveredAgainIsRefusedWithTheSameAnswerAndAuditedOnce() {
        var desk = desk(engine, "engine-a");
        var rollback = new io.harbormaster.bot.slack.commands.DeployCommand.Rollback("payments");
        var ops = new io.harbormaster.bot.slack.SlackUser("U0OPS", "ops");

        var first = desk.rollback(rollback, ops, "C0DEPLOYS", "slack:p1");
        var again = desk.rollback(rollback, ops, "C0DEPLOYS", "slack:p1");

        assertThat(first).isInstanceOf(io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Refused.class);
        assertThat(again).as("not 'already taken': nothing was").isEqualTo(first);
        assertThat(entries("rollback.refused")).hasSize(1);
        // another request (another key) is refused, and audited, on its own
        assertThat(desk.rollback(rollback, ops, "C0DEPLOYS", "slack:p2")).isEqualTo(first);
        assertThat(entries("rollback.refused")).hasSize(2);
    }

    List<AuditRecord> entries(String action) {
        return entries(r -> r.action().equals(action));
    }

    long acceptedNotices() {
        return f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Accepted)
                .count();
    }

    /**
     * {@code store}, except that {@code first} runs once, just before the first intake of a revert reaches it: a request
     * that arrives between the revert's own look at what is in flight and the moment it is stored.
     */
    static DeployStore beforeTheRevertIsStored(DeployStore store, Runnable first) {
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("intake")
                            && ((DeployRequest) args[0]).idempotencyKey().startsWith("revert:")
                            && done.compareAndSet(false, true)) {
                        first.run();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aRequestForTheVersionARevertPutsBackIsAnsweredWithTheRevertWhileItRunsEmergencyOrNot() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        assertThat(revert.version()).isEqualTo("1.0.0");
        var requests = f.db.dsl().fetchCount(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST);

        // requested, not started yet: it goes to the cluster at once without approval, so nothing an emergency skips
        // could stop it, and an emergency request for its version repeats it too
        assertThat(repeated(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.0.0", "U0DEV")))
                        .id())
                .isEqualTo(revert.id());
        assertThat(repeated(engine.submit(PipelineFixture.slackRequest("slack:o2", "checkout", "1.0.0", "U0DEV", true)))
                        .id())
                .isEqualTo(revert.id());

        // on its way to the cluster (its pods not ready yet): the same
        f.cluster.crash(BEFORE, true);
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        assertThat(repeated(engine.submit(PipelineFixture.slackRequest("slack:o3", "checkout", "1.0.0", "U0ANN", true)))
                        .id())
                .isEqualTo(revert.id());

        assertThat(f.deploys.inFlight("checkout")).extracting(Deploy::id).containsExactly(revert.id());
        assertThat(f.db.dsl().fetchCount(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST))
                .as("the repeats are not stored")
                .isEqualTo(requests);
        assertThat(entries("deploy.requested"))
                .as("the repeats start nothing to audit")
                .extracting(AuditRecord::version)
                .containsExactly("1.1.0");
        assertThat(entries("deploy.refused")).isEmpty();
    }

    @Test
    void aRevertStoredJustAfterAnOrdinaryRequestForItsVersionIsRefusedNamingThatDeploy() {
        var ordinary = new AtomicReference<Submission>();
        var other = f.engine("engine-b");
        // the revert found nothing in flight, then /deploy checkout 1.0.0 (on another replica) was stored first
        var reverting = f.engine(
                PipelineSettings.defaults("engine-a"),
                beforeTheRevertIsStored(
                        f.deploys,
                        () -> ordinary.set(
                                other.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.0.0", "U0DEV")))));

        var answer = reverting.rollbackRequested("checkout", "U0OPS", "slack:r1");

        var deploy = created(ordinary.get());
        assertThat(f.deploys.inFlight("checkout"))
                .as("one deploy of 1.0.0, not two")
                .extracting(Deploy::id)
                .containsExactly(deploy.id());
        var refusal = refused(answer);
        assertThat(refusal.reason())
                .contains(
                        "deploy #" + deploy.id() + " (checkout 1.0.0, asked by U0DEV) is already on its way to 1.0.0,"
                                + " the version a revert would put back",
                        "requested",
                        "Nothing was rolled back",
                        "/deploy status checkout",
                        "stop that deploy",
                        "then run /deploy rollback checkout again");
        assertThat(refusal.people()).containsExactly("U0DEV");
        // audited once each: the deploy that started, and the rollback that did not
        assertThat(f.audited(deploy.id(), "deploy.requested")).hasSize(1);
        assertThat(entries("rollback.refused")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("U0OPS");
            assertThat(e.reasoningJson()).contains("deploy #" + deploy.id());
        });
        assertThat(entries("deploy.revert")).isEmpty();
        assertThat(acceptedNotices())
                .as("the promotion's and the ordinary deploy's")
                .isEqualTo(2);

        // asked for in order, the answer is the same
        var again = refused(engine.rollbackRequested("checkout", "U0OPS", "slack:r2"));
        assertThat(again.reason()).isEqualTo(refusal.reason());
        assertThat(again.people()).containsExactly("U0DEV");
    }

    @Test
    void aRevertStoredJustAfterARequestForAnotherVersionIsRefusedAsItIsWhenAskedInOrder() {
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        var ordinary = new AtomicReference<Submission>();
        var other = f.engine("engine-b");
        var reverting = f.engine(
                PipelineSettings.defaults("engine-a"),
                beforeTheRevertIsStored(
                        f.deploys,
                        () -> ordinary.set(
                                other.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.2.0", "U0DEV")))));

        var refusal = refused(reverting.rollbackRequested("checkout", "U0OPS", "slack:r1"));

        var deploy = created(ordinary.get());
        assertThat(f.deploys.inFlight("checkout")).extracting(Deploy::id).containsExactly(deploy.id());
        assertThat(refusal.reason())
                .isEqualTo("deploy #" + deploy.id() + " (checkout 1.2.0) is requested right now: nothing was rolled"
                        + " back. Run /deploy rollback checkout again in a moment: it stops a deploy in preflight,"
                        + " awaiting approval or in its canary, and with nothing in flight it reverts the latest"
                        + " promotion");
        assertThat(refused(engine.rollbackRequested("checkout", "U0OPS", "slack:r2"))
                        .reason())
                .isEqualTo(refusal.reason());
        assertThat(entries("rollback.refused")).hasSize(2);
    }

    @Test
    void aRequestForAnotherVersionWhileARevertRunsIsAcceptedAndWaitsItsTurnBehindIt() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);

        // asked for after the revert, and advanced before it (on another replica, say): it waits, as behind any deploy
        var next = created(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.2.0", "U0DEV")));
        var waiting = engine.advance(next.id()).orElseThrow();

        assertThat(waiting.state()).isEqualTo(DeployState.PREFLIGHT);
        assertThat(f.deploys.transitions(next.id()).getLast().reason())
                .isEqualTo("waiting for its turn: in flight: checkout 1.0.0 (revert of 1.1.0, requested)");
        assertThat(f.cluster.workloads(f.target("checkout"))).containsOnlyKeys(Track.STABLE);

        // the revert goes first, and is done; then the deploy asked for after it takes its turn, against 1.0.0
        var done = engine.advance(revert.id()).orElseThrow();
        assertThat(done.state())
                .as(f.deploys.transitions(revert.id()).getLast().reason())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(engine.advance(next.id()).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        assertThat(f.cluster.workloads(f.target("checkout")).get(Track.BASELINE).image())
                .isEqualTo(BEFORE);
        assertThat(f.notices)
                .filteredOn(
                        n -> n instanceof DeployNotice.Waiting w && w.deploy().id() == next.id())
                .hasSize(1);
    }

    @Test
    void aRequestForAnotherVersionWhileARevertWaitsForItsPodsWaitsItsTurnBehindIt() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        f.cluster.crash(BEFORE, true);
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);

        var next = created(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.2.0", "U0DEV")));

        assertThat(engine.advance(next.id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);
        assertThat(f.deploys.transitions(next.id()).getLast().reason())
                .isEqualTo("waiting for its turn: in flight: checkout 1.0.0 (revert of 1.1.0, promoting)");
        f.cluster.crash(BEFORE, false);
        f.cluster.install(f.target("checkout"), BEFORE, 10); // its pods got ready after all
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(engine.advance(next.id()).orElseThrow().state()).isEqualTo(DeployState.CANARY);
    }

    @Test
    void aSecondRollbackWhileARevertRunsIsAnsweredWithTheRevertAndStopsNothingQueuedBehindIt() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        var next = created(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.2.0", "U0DEV")));
        assertThat(engine.advance(next.id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);
        var waiting = f.deploys.find(next.id()).orElseThrow();

        // before: it stopped the deploy waiting in preflight behind the revert, as if it were the one to roll back
        var second = repeated(engine.rollbackRequested("checkout", "U0ANN", "slack:r2"));

        assertThat(second.id()).isEqualTo(revert.id());
        // and again once the revert has started and waits for its pods
        f.cluster.crash(BEFORE, true);
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        assertThat(repeated(engine.rollbackRequested("checkout", "U0BOB", "slack:r3"))
                        .id())
                .isEqualTo(revert.id());
        assertThat(f.deploys.find(next.id())).contains(waiting);
        assertThat(entries("rollback.requested")).isEmpty();
        assertThat(entries("rollback.refused")).isEmpty();
        assertThat(f.notices).noneMatch(n -> n instanceof DeployNotice.Stopped);
        assertThat(f.deploys.inFlight("checkout")).extracting(Deploy::id).containsExactly(revert.id(), next.id());

        // the revert is done, then the deploy behind it takes its turn
        f.cluster.crash(BEFORE, false);
        f.cluster.install(f.target("checkout"), BEFORE, 10);
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(engine.advance(next.id()).orElseThrow().state()).isEqualTo(DeployState.CANARY);
    }

    @Test
    void slackTellsASecondRollbackWhichRevertIsInProgressWhoAskedWhenAndThatTheDeployBehindItWasNotStopped() {
        var desk = desk(engine, "engine-a");
        var rollback = new io.harbormaster.bot.slack.commands.DeployCommand.Rollback("checkout");
        f.clock.advance(Duration.ofMinutes(3));
        var asked = io.harbormaster.engine.text.Times.words(f.clock.instant());
        assertThat(desk.rollback(rollback, new io.harbormaster.bot.slack.SlackUser("U0OPS", "ops"), "C0DEPLOYS", "s:1"))
                .isInstanceOf(io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Started.class);
        var revert = f.deploys.inFlight("checkout").getFirst();
        var ann = new io.harbormaster.bot.slack.SlackUser("U0ANN", "ann");
        var alone = "A revert of checkout is already in progress: revert #" + revert.id() + " (back to `1.0.0`"
                + " from `1.1.0`, undoing deploy #" + latest.id() + "), asked for by U0OPS at " + asked
                + ", is requested right now. Nothing new was started and nothing was stopped; follow it in its thread"
                + " or with /deploy status checkout.";

        assertThat(desk.rollback(rollback, ann, "C0DEPLOYS", "s:2"))
                .isEqualTo(new io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Duplicate(alone, List.of("U0OPS")));

        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        var next = created(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.2.0", "U0DEV")));
        engine.advance(next.id());
        f.clock.advance(Duration.ofSeconds(20));

        assertThat(desk.rollback(rollback, ann, "C0DEPLOYS", "s:3"))
                .isEqualTo(new io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Duplicate(
                        alone + " Deploy #" + next.id() + " (checkout `1.2.0`, asked by U0DEV) waits its turn behind"
                                + " it and goes ahead once the revert is done; to stop it, run /deploy rollback"
                                + " checkout again then.",
                        List.of("U0OPS", "U0DEV")));
        assertThat(f.deploys.find(next.id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);

        // done, and nothing behind it any more: the first request delivered again (to a replica that did not see it)
        // says so, and how to go further back
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        var queued = f.deploys.find(next.id()).orElseThrow();
        f.deploys.transition(
                queued.id(), queued.revision(), DeployState.FAILED, 0, "engine", "ended", f.clock.instant());
        var otherDesk = desk(f.engine("engine-b"), "engine-b");
        assertThat(otherDesk.rollback(
                        rollback, new io.harbormaster.bot.slack.SlackUser("U0OPS", "ops"), "C0DEPLOYS", "s:1"))
                .isEqualTo(new io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Duplicate(
                        "checkout is already back on `1.0.0`: revert #" + revert.id() + " (back to `1.0.0` from"
                                + " `1.1.0`, undoing deploy #" + latest.id() + "), asked for by U0OPS at " + asked
                                + ", is done. Nothing new was started; to go further back, deploy the version you"
                                + " want: /deploy checkout <version>",
                        List.of("U0OPS")));
    }

    @Test
    void aRequestForTheVersionARevertTakesTheServiceOffIsRefusedSayingARevertIsUnderWay() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));

        var refusal = refused(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.1.0", "U0DEV")));

        assertThat(refusal.reason())
                .isEqualTo("checkout 1.1.0 is live, but deploy #" + revert.id() + " (asked by U0OPS) is reverting it"
                        + " to 1.0.0 right now: nothing was started. Once that revert is done, deploy 1.1.0 again if"
                        + " you want it back (/deploy checkout 1.1.0): it then gets a canary against 1.0.0");
        assertThat(refusal.people()).containsExactly("U0OPS");
        assertThat(entries("deploy.refused")).singleElement().satisfies(e -> assertThat(e.reasoningJson())
                .contains("reverting it to 1.0.0"));
        assertThat(f.deploys.inFlight("checkout")).extracting(Deploy::id).containsExactly(revert.id());
    }

    @Test
    void onceARevertIsDoneARequestForItsVersionIsAlreadyLiveAndNotSentToRollBackAgain() {
        var revert = created(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);

        var refusal = refused(engine.submit(PipelineFixture.slackRequest("slack:o1", "checkout", "1.0.0", "U0DEV")));

        assertThat(refusal.reason())
                .startsWith("checkout 1.0.0 is already live: deploy #" + revert.id() + " put it back ")
                .contains(
                        "(a revert of deploy #" + latest.id() + ", 1.1.0)",
                        "Nothing was started",
                        "/deploy checkout <version>",
                        "(the cluster runs registry.example/checkout:1.0.0)")
                .doesNotContain("/deploy rollback");
        // as it says: a rollback now would not revert the revert
        assertThat(refused(engine.rollbackRequested("checkout", "U0OPS", "slack:r2"))
                        .reason())
                .contains("latest promotion is a revert already");
    }

    @Test
    void slackSaysTheDeployAskedForIsARevertThatPutsItsVersionBackAndWhoAskedForIt() {
        var desk = desk(engine, "engine-a");
        var ops = new io.harbormaster.bot.slack.SlackUser("U0OPS", "ops");
        var dev = new io.harbormaster.bot.slack.SlackUser("U0DEV", "dev");
        var rollback = new io.harbormaster.bot.slack.commands.DeployCommand.Rollback("checkout");
        var started = desk.rollback(rollback, ops, "C0DEPLOYS", "slack:r1");
        assertThat(started).isInstanceOf(io.harbormaster.bot.slack.DeployDesk.ActionOutcome.Started.class);
        var revert = f.deploys.inFlight("checkout").getFirst();

        var outcome = desk.requestDeploy(
                new io.harbormaster.bot.slack.commands.DeployCommand.Deploy(
                        "checkout", "1.0.0", java.util.Optional.empty(), false),
                dev,
                "C0DEPLOYS",
                "slack:o1");

        assertThat(outcome)
                .isInstanceOfSatisfying(io.harbormaster.bot.slack.DeployDesk.RequestOutcome.Duplicate.class, d -> {
                    assertThat(d.deploy().deployId()).isEqualTo(revert.id());
                    assertThat(io.harbormaster.bot.slack.messages.DeployMessages.alreadyRequested(
                                    d.deploy(), dev.id(), java.util.Optional.empty(), d.revert()))
                            .isEqualTo("Already in flight: deploy #" + revert.id() + " (checkout `1.0.0`, requested),"
                                    + " a revert of `1.1.0` that puts `1.0.0` back without a canary, requested by"
                                    + " <@U0OPS>. Nothing new was started.");
                });
    }
}
