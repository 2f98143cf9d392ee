package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.ClusterRefused;
import io.harbormaster.engine.rollout.ClusterUnavailable;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Revert;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.engine.rollout.Transition;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /deploy rollback} with nothing of the service in flight: a revert of its latest promotion, on H2 and the
 * simulated cluster. Every service runs 1.0.0 on 10 replicas to begin with.
 */
class RevertTest {
    static final AtomicInteger DB = new AtomicInteger();
    static final String BEFORE = "registry.example/checkout:1.0.0";
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:revert-test-" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A small change to checkout at {@code version}, requested from Slack and run until it is promoted. */
    Deploy promoted(DeployPipeline engine, String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var done = f.runUntilDone(
                engine,
                PipelineFixture.acceptedId(
                        engine, PipelineFixture.slackRequest("slack:" + version, "checkout", version, "U0DEV")),
                Duration.ofMinutes(20));
        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        return done;
    }

    /** A small change to checkout at {@code version}, requested from Slack and run into its canary. */
    long canaryOf(DeployPipeline engine, String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:c-" + version, "checkout", version, "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    static Deploy accepted(Submission s) {
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        var a = (Submission.Accepted) s;
        assertThat(a.duplicate()).as("a new deploy").isFalse();
        return a.deploy();
    }

    String refused(Submission s) {
        assertThat(s).isInstanceOf(Submission.Refused.class);
        return ((Submission.Refused) s).reason();
    }

    String stableImage() {
        return f.cluster.workloads(f.target("checkout")).get(Track.STABLE).image();
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

    List<AuditRecord> reverts() {
        return entries(r -> r.action().equals("deploy.revert"));
    }

    long promotes(String image) {
        return f.cluster.operations().stream()
                .filter(o -> o.equals("promote " + image))
                .count();
    }

    @Test
    void aRollbackWithNothingInFlightPutsBackWhatRanBeforeTheLatestPromotionAtOnceWithoutACanary() {
        var engine = f.engine("engine-a");
        var latest = promoted(engine, "1.1.0");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.1.0");
        var asked = f.clock.instant();

        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        assertThat(revert.version()).isEqualTo("1.0.0");
        assertThat(revert.state()).isEqualTo(DeployState.REQUESTED);
        var done = engine.advance(revert.id()).orElseThrow();

        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(f.clock.instant()).as("no canary ran").isEqualTo(asked);
        assertThat(f.cluster.workloads(f.target("checkout")))
                .containsOnlyKeys(Track.STABLE)
                .hasEntrySatisfying(Track.STABLE, w -> {
                    assertThat(w.image()).isEqualTo(BEFORE);
                    assertThat(w.replicas()).isEqualTo(10);
                });
        assertThat(f.deploys.transitions(done.id()))
                .extracting(Transition::to, Transition::actor)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(DeployState.PROMOTING, "U0OPS"),
                        org.assertj.core.groups.Tuple.tuple(DeployState.PROMOTED, "engine"));
        assertThat(f.deploys.transitions(done.id()).getFirst().reason())
                .contains("revert of deploy #" + latest.id(), "from 1.1.0 back to 1.0.0", "without a canary");
        assertThat(f.events)
                .filteredOn(e -> e.deployId() == done.id())
                .extracting(e -> e.to())
                .containsExactly(DeployState.REQUESTED, DeployState.PROMOTING, DeployState.PROMOTED);
        // skipped: no risk score, approval, preflight or canary entry; the revert's own entry says who, why, from what
        var own = entries(r -> r.deployId().equals(Long.toString(done.id())));
        assertThat(own).extracting(AuditRecord::action).containsExactly("deploy.revert");
        assertThat(own.getFirst().actor()).isEqualTo("U0OPS");
        assertThat(own.getFirst().version()).isEqualTo("1.0.0");
        assertThat(own.getFirst().reasoningJson())
                .contains(
                        "\"reverts_deploy\":" + latest.id(),
                        "\"from_version\":\"1.1.0\"",
                        "\"to_version\":\"1.0.0\"",
                        "\"to_image\":\"" + BEFORE + "\"",
                        "\"running_image\":\"registry.example/checkout:1.1.0\"",
                        "\"request_key\":\"slack:r1\"",
                        "/deploy rollback checkout");
        // CI may not push 1.1.0 again for an hour
        var block = f.policies.autoDeployBlock("checkout", f.clock.instant()).orElseThrow();
        assertThat(block.until()).isEqualTo(asked.plus(Duration.ofHours(1)));
        assertThat(block.deployId()).isEqualTo(OptionalLong.of(latest.id()));
        assertThat(block.reason()).contains("revert of 1.1.0");
        assertThat(f.notices)
                .filteredOn(n -> n.deploy().id() == done.id())
                .extracting(n -> n.getClass().getSimpleName())
                .containsExactly("Accepted", "Reverting", "Reverted");
        var reverted = (DeployNotice.Reverted) f.notices.getLast();
        assertThat(reverted.requester()).isEqualTo("U0OPS");
        assertThat(reverted.revert().reverts()).isEqualTo(latest.id());
        assertThat(f.deploys.promoted("checkout", 1)).extracting(Deploy::id).containsExactly(done.id());
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void aCiMessageThatCarriesARevertsFieldsIsAnOrdinaryDeployNotARevert() {
        var engine = f.engine("engine-a");
        var latest = promoted(engine, "1.1.0");
        // CI's message is kept as it arrived, as the request's payload: fields shaped like a revert's must not let it
        // skip risk scoring, approval and the canary, nor put an image of its choosing in place
        var evil = "registry.example/checkout:6.6.6-evil";
        f.announce("checkout", "6.6.6", PipelineFixture.SMALL_CHANGE);
        var ci = new io.harbormaster.engine.rollout.DeployRequest(
                "ci:checkout/production/build-666",
                io.harbormaster.engine.rollout.RequestSource.HTTP,
                "checkout",
                "6.6.6",
                "production",
                "ci",
                false,
                "{\"service\":\"checkout\",\"version\":\"6.6.6\",\"revert\":{\"reverts_deploy\":" + latest.id()
                        + ",\"from_version\":\"1.1.0\",\"to_image\":\"" + evil + "\",\"to_image_from\":\"ci\","
                        + "\"request_key\":\"x\"}}",
                f.clock.instant());
        var d = accepted(engine.submit(ci));

        var after = engine.advance(d.id()).orElseThrow();

        assertThat(promotes(evil)).isZero();
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.1.0");
        assertThat(after.state()).isNotEqualTo(DeployState.PROMOTED);
        assertThat(reverts()).isEmpty();
        assertThat(f.deploys.request(d.id()).flatMap(Revert::of)).isEmpty();
        assertThat(f.audited(d.id(), "risk.scored"))
                .as("scored like any deploy")
                .hasSize(1);
    }

    @Test
    void aRouteThatCouldNotDivideACanarysTrafficDoesNotStopARevert() {
        var latest = promoted(f.engine("engine-a"), "1.1.0");
        // as Fabric8Cluster refuses a new canary while the service's HTTPRoute is missing or not ready for weights:
        // a revert divides no traffic, so it reads what runs without that check
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("stable")) {
                throw new ClusterRefused("There is no HTTPRoute shop/checkout to divide the traffic of Deployment"
                        + " shop/checkout by");
            }
        });
        var engine = f.engine("engine-b");

        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:route"));
        var done = engine.advance(revert.id()).orElseThrow();

        assertThat(done.state())
                .as(f.deploys.transitions(done.id()).getLast().reason())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(stableImage()).isEqualTo(BEFORE);
        assertThat(reverts()).singleElement().satisfies(r -> assertThat(r.reasoningJson())
                .contains(
                        "\"reverts_deploy\":" + latest.id(), "\"running_image\":\"registry.example/checkout:1.1.0\""));
    }

    @Test
    void aRevertSendsARouteLeftDividingTheTrafficToTheStableServiceAloneOnceEvenWithNothingElseToUndo() {
        var target = f.target("checkout");
        f.cluster.divideByRouteWeights(target);
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        assertThat(f.cluster.trafficDivided(target))
                .as("the promotion sent it all to stable")
                .isFalse();
        // the image a person already put back, and a route a later rollout left dividing the traffic (its canary and
        // baseline deleted by hand): the stable Deployment itself has nothing to undo
        f.cluster.promote(target, BEFORE);
        f.cluster.leaveRouteDivided(target);
        var operations = f.cluster.operations().size();

        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:route-left"));
        var done = engine.advance(revert.id()).orElseThrow();

        assertThat(done.state())
                .as(f.deploys.transitions(done.id()).getLast().reason())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(f.cluster.trafficDivided(target)).isFalse();
        assertThat(stableImage()).isEqualTo(BEFORE);
        assertThat(f.cluster
                        .operations()
                        .subList(operations, f.cluster.operations().size()))
                .containsExactly("promote " + BEFORE);
        engine.advance(revert.id());
        assertThat(f.cluster.operations()).as("once").hasSize(operations + 1);
    }

    @Test
    void theCanaryStartRecordsTheStableImageThatARevertGoesBackTo() {
        // what ran before was not put there by Harbormaster: the revert goes back to it all the same
        f.cluster.install(f.target("checkout"), "registry.example/checkout:0.9.7@sha256:" + "ab".repeat(32), 10);
        var engine = f.engine("engine-a");
        var latest = promoted(engine, "1.1.0");
        var preflight =
                entries(r -> r.action().equals("preflight") && r.deployId().equals(Long.toString(latest.id())));
        assertThat(preflight).singleElement().satisfies(p -> assertThat(p.reasoningJson())
                .contains("\"stable_image\":\"registry.example/checkout:0.9.7@sha256:abab"));

        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r2"));
        assertThat(revert.version()).isEqualTo("0.9.7");
        engine.advance(revert.id());

        assertThat(stableImage()).isEqualTo("registry.example/checkout:0.9.7@sha256:" + "ab".repeat(32));
    }

    @Test
    void theRevertIsAuditedAndAutomaticDeploysBlockedBeforeTheClusterMoves() {
        var seen = new ArrayList<String>();
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("promote") && BEFORE.equals(args[1])) {
                seen.add("revert audited: " + !reverts().isEmpty() + ", blocked: "
                        + f.policies
                                .autoDeployBlock("checkout", f.clock.instant())
                                .isPresent());
            }
        });
        var refusing = new AtomicBoolean(true);
        f.auditLog = DeployPipelineTest.refusing(f.audit, "deploy.revert", refusing);
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        var operations = f.cluster.operations().size();
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r3"));

        assertThatThrownBy(() -> engine.advance(revert.id())).hasMessageContaining("refuses deploy.revert");
        assertThat(f.cluster.operations()).as("nothing moved on the cluster").hasSize(operations);
        assertThat(stableImage()).endsWith(":1.1.0");
        assertThat(f.deploys.find(revert.id()).orElseThrow().state()).isEqualTo(DeployState.REQUESTED);
        assertThat(f.policies.autoDeployBlock("checkout", f.clock.instant())).isEmpty();

        refusing.set(false);
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(seen).containsExactly("revert audited: true, blocked: true");
        assertThat(reverts()).hasSize(1);
        assertThat(stableImage()).isEqualTo(BEFORE);
    }

    @Test
    void withNothingToGoBackToTheRollbackIsRefusedSayingHowToDeployAVersionAndAudited() {
        var engine = f.engine("engine-a");

        var reason = refused(engine.rollbackRequested("checkout", "U0OPS", "slack:r4"));

        assertThat(reason).contains("nothing of checkout is in flight", "never promoted", "/deploy checkout <version>");
        assertThat(f.deploys.inFlight()).isEmpty();
        assertThat(f.cluster.operations()).isEmpty();
        var entry = entries(r -> r.action().equals("rollback.refused"));
        assertThat(entry).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("U0OPS");
            assertThat(e.service()).isEqualTo("checkout");
            assertThat(e.decision()).isEqualTo("refused");
            assertThat(e.reasoningJson()).contains("never promoted");
        });
    }

    /** A deploy of checkout promoted by a Harbormaster from before canary starts recorded the stable image. */
    Deploy promotedWithoutRecord(String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var d = f.deploys
                .intake(PipelineFixture.slackRequest("old:" + version, "checkout", version, "U0DEV"))
                .deploy();
        f.clock.advance(Duration.ofMinutes(10));
        f.cluster.promote(f.target("checkout"), "registry.example/checkout:" + version);
        return f.deploys.transition(
                d.id(), d.revision(), DeployState.PROMOTED, 3, "engine", version + " is live", f.clock.instant());
    }

    @Test
    void aPromotionFromBeforeTheStableImageWasRecordedGoesBackToThePromotionBeforeItOrIsRefusedWithoutOne() {
        var engine = f.engine("engine-a");
        var first = promotedWithoutRecord("1.1.0");

        assertThat(refused(engine.rollbackRequested("checkout", "U0OPS", "slack:r5")))
                .contains(
                        "no record of what checkout ran before 1.1.0",
                        "deploy #" + first.id(),
                        "/deploy checkout <version>");

        var second = promotedWithoutRecord("1.2.0");
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r6"));
        assertThat(revert.version()).isEqualTo("1.1.0");
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.1.0");
        assertThat(reverts().getFirst().reasoningJson())
                .contains("\"reverts_deploy\":" + second.id(), "promotion before it (deploy #" + first.id() + ")");
    }

    @Test
    void aDeployInFlightIsStillStoppedRatherThanAnEarlierPromotionReverted() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        // a canary of 1.2.0: its canary is rolled back, and the stable Deployment keeps 1.1.0
        long canary = canaryOf(engine, "1.2.0");

        var stopped = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r7"));

        assertThat(stopped.id()).isEqualTo(canary);
        assertThat(stopped.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.cluster.workloads(f.target("checkout"))).containsOnlyKeys(Track.STABLE);
        assertThat(stableImage()).endsWith(":1.1.0");
        // one awaiting approval is stopped before the cluster
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var waiting = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:c2", "checkout", "1.3.0", "U0BOB"));
        assertThat(engine.advance(waiting).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        assertThat(accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r8")))
                .satisfies(d -> assertThat(d.id()).isEqualTo(waiting))
                .satisfies(d -> assertThat(d.state()).isEqualTo(DeployState.FAILED));
        assertThat(reverts()).isEmpty();
        assertThat(entries(r -> r.action().equals("rollback.requested"))).hasSize(2);
        assertThat(stableImage()).endsWith(":1.1.0");
    }

    @Test
    void aRollbackMomentsAfterAPersonStoppedTheCanaryDoesNotAlsoRevertThePromotionBeforeIt() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        long canary = canaryOf(engine, "1.2.0");
        // two people press for a rollback of the bad canary at the same moment: the first stops it
        assertThat(accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"))
                        .state())
                .isEqualTo(DeployState.ROLLED_BACK);
        f.clock.advance(Duration.ofSeconds(2));

        // before: the second found nothing in flight and reverted 1.1.0 to 1.0.0
        var second = refused(engine.rollbackRequested("checkout", "U0ANN", "slack:r2"));

        assertThat(second)
                .contains("deploy #" + canary + " (checkout 1.2.0) was rolled back by U0OPS at")
                .contains("nothing more was rolled back")
                .contains("1.1.0 (deploy #")
                .contains("run /deploy rollback checkout again after");
        assertThat(reverts()).isEmpty();
        assertThat(stableImage()).endsWith(":1.1.0");
        assertThat(entries(r -> r.action().equals("rollback.refused"))).hasSize(1);

        // asked again once the stop is not news: the revert goes ahead
        f.clock.advance(DeployPipeline.JUST_STOPPED);
        var revert = accepted(engine.rollbackRequested("checkout", "U0ANN", "slack:r3"));
        assertThat(revert.version()).isEqualTo("1.0.0");
    }

    @Test
    void aRedeliveredRollbackMomentsAfterAPersonStoppedALaterDeployIsAnsweredWithTheRevertItMade() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        // 1.2.0 is deployed next, and someone stops its canary
        long canary = canaryOf(engine, "1.2.0");
        assertThat(accepted(engine.rollbackRequested("checkout", "U0ANN", "slack:r2"))
                        .id())
                .isEqualTo(canary);
        f.clock.advance(Duration.ofSeconds(2));

        // before: Slack's retry of the first request was refused, "deploy #... was rolled back by U0ANN moments
        // before this request"
        var again = engine.rollbackRequested("checkout", "U0OPS", "slack:r1");

        assertThat(again)
                .isEqualTo(new Submission.Accepted(f.deploys.find(revert.id()).orElseThrow(), true));
        assertThat(entries(r -> r.action().equals("rollback.refused"))).isEmpty();
        assertThat(reverts()).hasSize(1);
        assertThat(stableImage()).isEqualTo(BEFORE);
    }

    @Test
    void aRevertsOwnRequestDeliveredAgainIsRecognisedBeforeAPersonsStopEvenWithoutItsAnswerInTheStore() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"));
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        long canary = canaryOf(engine, "1.2.0");
        assertThat(accepted(engine.rollbackRequested("checkout", "U0ANN", "slack:r2"))
                        .id())
                .isEqualTo(canary);
        // a revert asked for before answers were stored (or whose answer an engine stopped before storing): the
        // revert's own request still names the request that made it
        db.dsl()
                .deleteFrom(io.harbormaster.storage.jooq.Tables.ROLLBACK_REQUEST)
                .execute();
        f.clock.advance(Duration.ofSeconds(2));

        // before: refused, the stop of 1.2.0 looked at before the revert's request
        var again = engine.rollbackRequested("checkout", "U0OPS", "slack:r1");

        assertThat(again)
                .isEqualTo(new Submission.Accepted(f.deploys.find(revert.id()).orElseThrow(), true));
        assertThat(entries(r -> r.action().equals("rollback.refused"))).isEmpty();
        // and anyone else's new request is still refused for the stop
        assertThat(refused(engine.rollbackRequested("checkout", "U0BOB", "slack:r3")))
                .contains("deploy #" + canary + " (checkout 1.2.0) was rolled back by U0ANN at");
    }

    @Test
    void aRollbackLooksForAPersonsStopInItsOwnServicesLastFinishedDeployOnlyNotInEveryServicesLatest() {
        var asked = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var store = (io.harbormaster.engine.rollout.DeployStore) java.lang.reflect.Proxy.newProxyInstance(
                io.harbormaster.engine.rollout.DeployStore.class.getClassLoader(),
                new Class<?>[] {io.harbormaster.engine.rollout.DeployStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("lastFinished")) {
                        asked.add(args == null ? "every service" : (String) args[0]);
                    }
                    try {
                        return method.invoke(f.deploys, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var engine = f.engine(io.harbormaster.engine.rollout.PipelineSettings.defaults("engine-a"), store);
        promoted(engine, "1.1.0");
        long canary = canaryOf(engine, "1.2.0");
        assertThat(accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r1"))
                        .state())
                .isEqualTo(DeployState.ROLLED_BACK);
        // payments' deploy, stopped by hand later still, is no reason to refuse a revert of checkout
        f.announce("payments", "2.0.0", PipelineFixture.SMALL_CHANGE);
        var payments = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:p1", "payments", "2.0.0", "U0DEV"));
        engine.advance(payments);
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(accepted(engine.rollbackRequested("payments", "U0CAT", "slack:r2"))
                        .id())
                .isEqualTo(payments);
        asked.clear();

        assertThat(refused(engine.rollbackRequested("checkout", "U0ANN", "slack:r3")))
                .contains("deploy #" + canary + " (checkout 1.2.0) was rolled back by U0OPS at");

        assertThat(asked)
                .as("before: lastFinished() of every service, to find checkout's")
                .containsOnly("checkout");
        f.clock.advance(DeployPipeline.JUST_STOPPED);
        assertThat(accepted(engine.rollbackRequested("checkout", "U0ANN", "slack:r4"))
                        .version())
                .isEqualTo("1.0.0");
        assertThat(asked).containsOnly("checkout");
    }

    @Test
    void twoRequestsAtOnceOnTwoReplicasRevertOnceAndALaterOneIsRefused() throws Exception {
        var a = f.engine("engine-a");
        var b = f.engine("engine-b");
        var latest = promoted(a, "1.1.0");
        var start = new CountDownLatch(1);
        List<Submission> answers;
        try (var pool = Executors.newFixedThreadPool(2)) {
            var first = pool.submit(() -> {
                start.await();
                return a.rollbackRequested("checkout", "U0OPS", "slack:twice-1");
            });
            var second = pool.submit(() -> {
                start.await();
                return b.rollbackRequested("checkout", "U0ANN", "slack:twice-2");
            });
            start.countDown();
            answers = List.of(first.get(), second.get());
        }

        assertThat(answers).allMatch(s -> s instanceof Submission.Accepted);
        var deploys = answers.stream()
                .map(s -> ((Submission.Accepted) s).deploy().id())
                .distinct()
                .toList();
        assertThat(deploys).as("one revert for both").hasSize(1);
        assertThat(answers)
                .filteredOn(s -> !((Submission.Accepted) s).duplicate())
                .hasSize(1);
        long id = deploys.getFirst();
        a.advance(id);
        b.advance(id);
        f.clock.advance(Duration.ofSeconds(40)); // past the first engine's lease
        b.advanceAll();

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(promotes(BEFORE)).isEqualTo(1);
        assertThat(reverts()).hasSize(1);
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.Reverted)
                .hasSize(1);

        // the winning request delivered again is the same revert; anyone's new one does not revert the revert
        var winner =
                Revert.of(f.deploys.request(id).orElseThrow()).orElseThrow().requestKey();
        assertThat(winner).isIn("slack:twice-1", "slack:twice-2");
        assertThat(a.rollbackRequested("checkout", "U0OPS", winner))
                .isEqualTo(new Submission.Accepted(f.deploys.find(id).orElseThrow(), true));
        var again = b.rollbackRequested("checkout", "U0CAT", "slack:later");
        assertThat(refused(again))
                .contains(
                        "latest promotion is a revert already",
                        "deploy #" + id,
                        "1.0.0 back in place of 1.1.0",
                        "/deploy checkout <version>");
        // who asked for the revert, for Slack to name as a mention
        var askedBy = f.deploys.request(id).orElseThrow().requestedBy();
        assertThat(((Submission.Refused) again).people()).containsExactly(askedBy);
        assertThat(refused(again)).contains("(asked by " + askedBy + ")");
        assertThat(stableImage()).isEqualTo(BEFORE);
        assertThat(f.deploys.promoted("checkout", 5)).extracting(Deploy::id).containsExactly(id, latest.id());
    }

    @Test
    void aRevertInterruptedAfterItsAuditIsFinishedByTheRestartedEngine() {
        var down = new AtomicBoolean(false);
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("promote") && down.get()) {
                throw new ClusterUnavailable("the API server does not answer", null);
            }
        });
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        down.set(true);
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r9"));

        assertThatThrownBy(() -> engine.advance(revert.id())).isInstanceOf(ClusterUnavailable.class);
        assertThat(f.deploys.find(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        assertThat(reverts()).hasSize(1);
        assertThat(stableImage()).endsWith(":1.1.0");

        down.set(false);
        var restarted = f.engine("engine-a"); // nothing in memory: it reads the revert from the store
        restarted.advanceAll();

        assertThat(f.deploys.find(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(stableImage()).isEqualTo(BEFORE);
        assertThat(reverts()).as("audited once").hasSize(1);
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.Reverted)
                .hasSize(1);
    }

    @Test
    void aRevertWhosePodsNeverGetReadyFailsAfterTheReadinessTimeoutAndAFailedRevertMayBeTriedAgain() {
        var engine = f.engine("engine-a");
        var latest = promoted(engine, "1.1.0");
        f.cluster.crash(BEFORE, true);
        var first = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r10"));
        assertThat(engine.advance(first.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        f.clock.advance(Duration.ofMinutes(4));
        assertThat(engine.advance(first.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);
        assertThat(engine.rollbackRequested("checkout", "U0ANN", "slack:r11"))
                .as("a second request while the first waits for its pods")
                .isInstanceOfSatisfying(Submission.Accepted.class, s -> assertThat(s.duplicate())
                        .isTrue());

        f.clock.advance(Duration.ofMinutes(2));
        var failed = engine.advance(first.id()).orElseThrow();

        assertThat(failed.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(first.id()).getLast().reason())
                .contains("runs " + BEFORE + " again, but its pods are not ready after 5 min", "crash-looping");
        assertThat(promotes(BEFORE)).as("the cluster was told once").isEqualTo(1);

        // the cause fixed, the next rollback is a new attempt at the same revert
        f.cluster.crash(BEFORE, false);
        f.cluster.promote(f.target("checkout"), "registry.example/checkout:1.1.0"); // what a person put back meanwhile
        var again = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r12"));
        assertThat(again.id()).isNotEqualTo(first.id());
        assertThat(f.deploys.request(again.id()).orElseThrow().idempotencyKey())
                .isEqualTo("revert:" + latest.id() + ":2");
        assertThat(engine.advance(again.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(stableImage()).isEqualTo(BEFORE);
    }

    @Test
    void aRevertTheClusterRefusesFailsAtOnce() {
        var refuse = new AtomicBoolean(false);
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("promote") && refuse.get()) {
                throw new ClusterRefused("the service account may not patch shop/checkout");
            }
        });
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        refuse.set(true);
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r13"));

        var failed = engine.advance(revert.id()).orElseThrow();

        assertThat(failed.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.notices).filteredOn(n -> n instanceof DeployNotice.Failed).hasSize(1);
        assertThat(f.deploys.inFlight()).isEmpty();
    }

    @Test
    void aLockStopsARevertUnlessTheLockHolderAsksWhileFreezesDoNot() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        f.policies.lock(new ServiceLock("checkout", "investigating the outage", "U0ANN", f.clock.instant()));
        f.policies.addFreeze(
                Optional.empty(),
                f.clock.instant().minus(Duration.ofHours(1)),
                f.clock.instant().plus(Duration.ofHours(1)),
                "holiday freeze",
                "U0CAT");

        var locked = engine.rollbackRequested("checkout", "U0OPS", "slack:r14");
        assertThat(refused(locked))
                .contains(
                        "checkout is locked by U0ANN (investigating the outage)",
                        "only U0ANN may revert it",
                        "/deploy unlock checkout");
        // who holds the lock, for Slack to name as a mention
        assertThat(((io.harbormaster.engine.rollout.Submission.Refused) locked).people())
                .containsExactly("U0ANN");
        assertThat(f.deploys.inFlight()).isEmpty();

        var revert = accepted(engine.rollbackRequested("checkout", "U0ANN", "slack:r15"));
        assertThat(engine.advance(revert.id()).orElseThrow().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(stableImage()).isEqualTo(BEFORE);
    }

    @Test
    void aRevertAskedForBeforeAnotherPromotionDoesNotUndoThatOne() {
        var engine = f.engine("engine-a");
        promoted(engine, "1.1.0");
        var revert = accepted(engine.rollbackRequested("checkout", "U0OPS", "slack:r16"));
        // the revert was not started yet (its engine went down, say). A deploy asked for after it waits its turn
        // behind it (RevertIntakeTest); one promoted past it all the same (by a replica of an earlier Harbormaster
        // during an upgrade, which does not wait for a revert that has not started) is not undone
        var later = promotedWithoutRecord("1.2.0");

        var failed = engine.advance(revert.id()).orElseThrow();

        assertThat(failed.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(revert.id()).getLast().reason())
                .contains("deploy #" + later.id() + " (1.2.0) was promoted after this revert was asked for");
        assertThat(stableImage()).endsWith(":1.2.0");
        assertThat(reverts()).isEmpty();
    }
}
