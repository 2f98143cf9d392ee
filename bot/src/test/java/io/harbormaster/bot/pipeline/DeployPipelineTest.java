package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.Decision;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RollbackCause;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pipeline end to end on H2, the simulated cluster and simulated metrics. */
class DeployPipelineTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:pipeline" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A small change to checkout, requested through {@code engine} and taken to its canary's first step. */
    long canaryOfASmallChange(DeployPipeline engine, String key) {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(engine, PipelineFixture.slackRequest(key, "checkout", "1.1.0", "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    /** The reasoning of each audit entry of one action of a deploy, in order. */
    java.util.List<String> reasonings(long deployId, String action) {
        var out = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withDeploy(Long.toString(deployId)), e -> {
            if (e.record().action().equals(action)) {
                out.add(e.record().reasoningJson());
            }
        });
        return out;
    }

    /** Each canary step's notice as "weight->share" (the step's weight, the share the canary was said to have). */
    java.util.List<String> stepShares() {
        return f.notices.stream()
                .filter(DeployNotice.CanaryProgress.class::isInstance)
                .map(n -> (DeployNotice.CanaryProgress) n)
                .map(c -> c.weightPercent() + "->" + c.plan().sharePercent())
                .toList();
    }

    java.util.List<String> auditActions(long deployId) {
        var actions = new ArrayList<String>();
        f.audit.scan(
                AuditQuery.all().withDeploy(Long.toString(deployId)),
                e -> actions.add(e.record().action()));
        return actions;
    }

    @Test
    void aLowRiskDeployGoesThroughEveryCanaryStepToPromotionWithoutAHuman() {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var accepted = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));

        var done = f.runUntilDone(engine, accepted.deploy().id(), Duration.ofMinutes(20));

        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(done.escalated()).contains(false);
        assertThat(f.cluster.workloads(f.target("checkout")))
                .containsOnlyKeys(Track.STABLE)
                .hasEntrySatisfying(
                        Track.STABLE, w -> assertThat(w.image()).isEqualTo("registry.example/checkout:1.1.0"));
        assertThat(f.deploys.transitions(done.id()))
                .extracting(t -> t.to().name())
                .containsSubsequence("SCORED", "PREFLIGHT", "CANARY", "CANARY", "CANARY", "PROMOTING", "PROMOTED");
        assertThat(f.events)
                .extracting(e -> e.to())
                .startsWith(DeployState.REQUESTED)
                .endsWith(DeployState.PROMOTED);
        assertThat(f.events).extracting(e -> e.sequence()).isSorted();
        assertThat(auditActions(done.id()))
                .containsSubsequence(
                        "deploy.requested",
                        "risk.scored",
                        "deploy.routed",
                        "preflight",
                        "canary.step",
                        "canary.promote");
        assertThat(f.audit.verify().valid()).isTrue();
        assertThat(f.notices).hasAtLeastOneElementOfType(DeployNotice.Promoted.class);
        // Traffic follows pods: checkout's 10 replicas cannot give the 5% and 25% steps, and the thread says what the
        // canary really gets, from the first step on
        assertThat(stepShares()).containsExactly("5->10", "25->30", "50->40");
        assertThat(f.deploys.transitions(done.id()))
                .extracting(t -> t.reason())
                .contains("preflight passed; canary starts on 1 of 10 pods (10% of traffic; the step asks for" + " 5%)")
                .contains("step 2: canary on 3 of 10 pods (30% of traffic; the step asks for 25%)");
        var steps = reasonings(done.id(), "canary.step");
        assertThat(steps.getFirst())
                .contains("\"traffic_share_percent\":30")
                .contains("\"traffic\":\"replica_ratio\"")
                .contains("\"pods\":{\"baseline\":3,\"canary\":3,\"stable\":4}");
        // the first step is on record too, with the entry that starts the canary
        assertThat(reasonings(done.id(), "preflight").getLast())
                .contains("\"canary_start\":{\"pods\":{\"baseline\":1,\"canary\":1,\"stable\":8},\"step\":1,"
                        + "\"traffic\":\"replica_ratio\",\"traffic_share_percent\":10,\"weight\":5}");
        // Every tick of the canary after its first interval is one timed evaluation (the /metrics histogram).
        assertThat(f.analysed).isNotEmpty().containsOnly("checkout");
    }

    @Test
    void aServiceDividedByRouteWeightsIsToldTheExactShareAtEveryStepAndKeepsItsStablePods() {
        f.cluster.divideByRouteWeights(f.target("checkout"));
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var accepted = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:w", "checkout", "1.1.0", "U0DEV"));

        var done = f.runUntilDone(engine, accepted.deploy().id(), Duration.ofMinutes(20));

        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        // checkout's 10 replicas give no 5% step by pods (10% at best), but the route's weights do
        assertThat(stepShares()).containsExactly("5->5", "25->25", "50->50");
        assertThat(f.deploys.transitions(done.id()))
                .extracting(t -> t.reason())
                .contains("preflight passed; canary starts at 5% of traffic")
                .contains("step 2: canary at 25% of traffic")
                .noneMatch(reason -> reason.contains(" pods ("))
                .noneMatch(reason -> reason.contains("about"));
        var steps = reasonings(done.id(), "canary.step");
        assertThat(steps.getFirst())
                .contains("\"traffic_share_percent\":25")
                .contains("\"traffic\":\"route_weights\"")
                .contains("\"pods\":{\"baseline\":3,\"canary\":3,\"stable\":10}");
        assertThat(f.cluster.operations()).noneMatch(op -> op.startsWith("scale stable"));
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theRiskScoredEntryNamesTheModelThatScoredItSoAnAuditorCanTieTheDecisionToIt() throws Exception {
        var engine = f.engine("engine-a");
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:m", "checkout", "1.1.0", "U0DEV"));
        engine.advance(id);

        var scored = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
            if (e.record().action().equals("risk.scored")) {
                scored.add(e.record().reasoningJson());
            }
        });
        assertThat(scored).hasSize(1);
        var model = JSON.readTree(scored.getFirst()).path("model");
        var expected = f.risk.modelId();
        assertThat(model.path("sha256").asText()).isEqualTo(expected.sha256()).hasSize(64);
        assertThat(model.path("source").asText()).isEqualTo(expected.source());
        assertThat(model.path("trained_on").asText()).isEqualTo("apachejit_train_2003_2016.csv");
    }

    /** The reasoning of the deploy's canary.promote audit entry. */
    String promoteReasoning(long deployId) {
        var reasoning = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withDeploy(Long.toString(deployId)), e -> {
            if (e.record().action().equals("canary.promote")) {
                reasoning.add(e.record().reasoningJson());
            }
        });
        assertThat(reasoning).hasSize(1);
        return reasoning.getFirst();
    }

    /** A small change to checkout at {@code version}, requested from Slack and run until it ends. */
    Deploy smallChangeToCheckout(DeployPipeline engine, String version, String key) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        return f.runUntilDone(
                engine,
                PipelineFixture.acceptedId(engine, PipelineFixture.slackRequest(key, "checkout", version, "U0DEV")),
                Duration.ofMinutes(20));
    }

    @Test
    void aPromotedCanaryKeepsItsLatencyNoiseAndTheServicesNextCanaryStartsFromIt() throws Exception {
        var engine = f.engine("engine-a");
        var first = smallChangeToCheckout(engine, "1.1.0", "slack:n1");
        assertThat(first.state()).isEqualTo(DeployState.PROMOTED);
        var kept = f.deploys.canaryNoise("checkout", 5);
        assertThat(kept).hasSize(1);
        assertThat(kept.getFirst().known()).isTrue();
        // the simulated latencies are lognormal with sigma 0.35: a log median's per-request variance of about 0.19
        assertThat(kept.getFirst().p50().variance()).isBetween(0.08, 0.5);
        // the service's first canary started from its stable track's noise, and says so
        assertThat(promoteReasoning(first.id()))
                .doesNotContain("noise level known from earlier canaries")
                .contains("noise level known from the stable track before the canary")
                .contains("\"from_stable_track\":{")
                .doesNotContain("from_deploys");

        var second = smallChangeToCheckout(engine, "1.2.0", "slack:n2");
        assertThat(second.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(promoteReasoning(second.id()))
                .contains("noise level known from earlier canaries")
                .doesNotContain("from_stable_track")
                .contains("\"noise_history\":{")
                .contains("\"latency_history_kept\":true")
                .contains("\"p50\":{\"values\":" + kept.getFirst().p50().values() + ",");
        // what the entry shows is the history the canary started from, read back as `analyze run --noise-history` does
        var shown = CanaryNoise.fromAuditFields((Map<?, ?>)
                JSON.readValue(promoteReasoning(second.id()), Map.class).get(CanaryNoise.AUDIT_KEY));
        var sources = JSON.readTree(promoteReasoning(second.id()))
                .get(CanaryNoise.AUDIT_KEY)
                .get("from_deploys");
        assertThat(sources.toString()).isEqualTo("[{\"deploy\":" + first.id() + ",\"version\":\"1.1.0\"}]");
        var started = kept.getFirst();
        assertThat(shown.p50().values()).isEqualTo(started.p50().values());
        assertThat(shown.p50().variance()).isCloseTo(started.p50().variance(), withPercentage(1e-9));
        assertThat(shown.p99().variance()).isCloseTo(started.p99().variance(), withPercentage(1e-9));
        assertThat(shown.spread().mean()).isEqualTo(started.spread().mean());
        assertThat(shown.bursts()).isEqualTo(started.bursts());
        assertThat(f.deploys.canaryNoise("checkout", 5)).hasSize(2);
        assertThat(f.deploys.canaryNoise("payments", 5)).isEmpty();
    }

    /** {@code log}, except that appending an entry of {@code action} fails while {@code refusing} is set. */
    static AuditLog refusing(AuditLog log, String action, AtomicBoolean refusing) {
        return (AuditLog) Proxy.newProxyInstance(
                AuditLog.class.getClassLoader(), new Class<?>[] {AuditLog.class}, (proxy, method, args) -> {
                    if (method.getName().equals("append")
                            && ((AuditRecord) args[0]).action().equals(action)
                            && refusing.get()) {
                        throw new IllegalStateException("the audit log refuses " + action);
                    }
                    try {
                        return method.invoke(log, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aCanaryStepIsAuditedBeforeTrafficMovesSoAStepTheAuditLogRefusesMovesNoPod() {
        var refusing = new AtomicBoolean(true);
        f.auditLog = refusing(f.audit, "canary.step", refusing);
        var engine = f.engine("engine-a");
        var id = canaryOfASmallChange(engine, "slack:step-audit");
        assertThat(f.deploys.find(id).orElseThrow().step()).isEqualTo(1);
        var atFirstStep = f.cluster.workloads(f.target("checkout"));
        var operations = f.cluster.operations().size();

        RuntimeException refused = null;
        for (int tick = 0; tick < 120 && refused == null; tick++) {
            f.clock.advance(Duration.ofSeconds(10));
            try {
                engine.advance(id);
            } catch (RuntimeException e) {
                refused = e;
            }
        }

        assertThat(refused).as("the canary reached its second step").isNotNull();
        assertThat(refused).hasMessageContaining("refuses canary.step");
        assertThat(f.cluster.operations()).as("cluster operations").hasSize(operations);
        assertThat(f.cluster.workloads(f.target("checkout"))).isEqualTo(atFirstStep);
        assertThat(f.deploys.find(id).orElseThrow().step()).isEqualTo(1);
        assertThat(auditActions(id)).doesNotContain("canary.step");

        refusing.set(false);
        var stepped = engine.advance(id).orElseThrow();

        assertThat(stepped.step()).isEqualTo(2);
        assertThat(auditActions(id)).containsOnlyOnce("canary.step");
        assertThat(f.cluster.workloads(f.target("checkout")).get(Track.CANARY).replicas())
                .isGreaterThan(atFirstStep.get(Track.CANARY).replicas());
    }

    @Test
    void aFaultyVersionIsRolledBackAutomaticallyWithAnIncidentAndABlockOnAutomaticDeploys() {
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        f.metrics.inject("checkout", "1.2.0", Fault.errors(0.10));
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:2", "checkout", "1.2.0", "U0DEV"));

        var done = f.runUntilDone(engine, id, Duration.ofMinutes(20));

        assertThat(done.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.deploys.canaryNoise("checkout", 5))
                .as("a rolled-back canary's noise is not kept")
                .isEmpty();
        assertThat(f.cluster.workloads(f.target("checkout")))
                .containsOnlyKeys(Track.STABLE)
                .hasEntrySatisfying(Track.STABLE, w -> assertThat(w.image()).endsWith(":1.0.0"));
        var notice = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.RolledBack)
                .map(n -> (DeployNotice.RolledBack) n)
                .findFirst()
                .orElseThrow();
        assertThat(notice.reason()).contains("error");
        assertThat(notice.cause()).isEqualTo(new RollbackCause.Analysis());
        assertThat(notice.evidence()).isNotEmpty();
        // the notice names the stretch of the canary judged, ending when the audited decision came
        var decidedAt = f.audited(id, "canary.rollback").getFirst().reasoningJson();
        assertThat(notice.judged())
                .hasValueSatisfying(w -> assertThat(decidedAt).contains("\"at_s\":" + w.toSeconds()));
        assertThat(f.incidents.recent("checkout", f.clock.instant().minus(Duration.ofHours(1))))
                .hasSize(1);
        assertThat(f.policies.autoDeployBlock("checkout", f.clock.instant())).isPresent();
        assertThat(auditActions(id)).containsSubsequence("canary.rollback", "incident.opened");
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void statusNamesTheVersionAServiceLastPromotedUnderItsRolledBackDeploy() {
        var engine = f.engine("engine-a");
        var promoted = smallChangeToCheckout(engine, "1.1.0", "slack:p1");
        assertThat(promoted.state()).isEqualTo(DeployState.PROMOTED);
        f.metrics.inject("checkout", "1.2.0", Fault.errors(0.10));
        assertThat(smallChangeToCheckout(engine, "1.2.0", "slack:p2").state()).isEqualTo(DeployState.ROLLED_BACK);
        var desk = new io.harbormaster.bot.slack.PipelineDesk(
                engine,
                f.deploys,
                f.policies,
                f.audit,
                new io.harbormaster.bot.slack.DeployThreads(new io.harbormaster.storage.slack.JooqSlackThreads(f.db)),
                PipelineSettings.defaults("engine-a"),
                deployId -> {},
                f.clock);

        var lastPromoted = desk.lastPromoted(java.util.Optional.empty());

        assertThat(lastPromoted).containsOnlyKeys("checkout");
        assertThat(lastPromoted.get("checkout").deployId()).isEqualTo(promoted.id());
        assertThat(desk.lastPromoted(java.util.Optional.of("payments"))).isEmpty();
        var status = io.harbormaster.bot.slack.messages.BlockKitLimits.json(
                io.harbormaster.bot.slack.messages.DeployMessages.status(
                                desk.status(java.util.Optional.of("checkout")),
                                java.util.List.of(),
                                java.util.List.of(),
                                0,
                                f.clock.instant(),
                                lastPromoted)
                        .blocks());
        assertThat(status).contains("`1.2.0`", "rolled back", "last promoted: `1.1.0`", "#" + promoted.id());
    }

    @Test
    void aSchemaMigrationWaitsForAnApproverWhoIsNeitherRequesterNorAuthor() {
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:3", "checkout", "1.3.0", "U0BOB"));
        var waiting = engine.advance(id).orElseThrow();
        assertThat(waiting.state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        assertThat(f.deploys.transitions(id).getLast().reason())
                .isEqualTo("waiting for 1 approval from shop-approvers");
        var escalation = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Escalated)
                .map(n -> (DeployNotice.Escalated) n)
                .findFirst()
                .orElseThrow();
        assertThat(escalation.assessment().reasoning())
                .anySatisfy(r -> assertThat(r).containsIgnoringCase("migration"));

        assertThat(engine.decide(id, "U0BOB", Approval.Decision.APPROVE, "")).isInstanceOf(Decision.Refused.class);
        assertThat(engine.decide(id, "U0CAT", Approval.Decision.APPROVE, ""))
                .asString()
                .contains("you wrote this change");
        assertThat(engine.decide(id, "U0ZED", Approval.Decision.APPROVE, ""))
                .asString()
                .contains("only members");
        var counted = (Decision.Counted) engine.decide(id, "U0ANN", Approval.Decision.APPROVE, "ran it on staging");
        assertThat(counted.deploy().state()).isEqualTo(DeployState.CANARY);
        // a click that comes too late is told what became of the request, in words
        assertThat(engine.decide(id, "U0ZED", Approval.Decision.REJECT, ""))
                .isEqualTo(new Decision.Refused("this deploy is no longer waiting for a decision: it was approved (1"
                        + " approval of 1 needed); it is running its canary"));

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
        assertThat(auditActions(id))
                .containsSubsequence(
                        "deploy.escalated",
                        "approval.refused",
                        "approval.refused",
                        "approval.refused",
                        "approval.counted");
    }

    /** Seconds from the deploy's entering its canary to its promotion starting. */
    long canarySeconds(long deployId) {
        var transitions = f.deploys.transitions(deployId);
        var entered = transitions.stream()
                .filter(t -> t.to() == DeployState.CANARY)
                .findFirst()
                .orElseThrow();
        var promoting = transitions.stream()
                .filter(t -> t.to() == DeployState.PROMOTING)
                .findFirst()
                .orElseThrow();
        return Duration.between(entered.at(), promoting.at()).toSeconds();
    }

    @Test
    void anEscalatedChangesCanaryIsJudgedByTheCautiousPolicyAndItsAuditSaysSo() {
        f.announce("checkout", "1.3.5", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:cautious", "checkout", "1.3.5", "U0BOB"));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        assertThat(engine.decide(id, "U0ANN", Approval.Decision.APPROVE, "")).isInstanceOf(Decision.Counted.class);

        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
        assertThat(f.deploys.transitions(id))
                .anySatisfy(t -> assertThat(t.reason()).contains("cautious canary of an escalated change"));
        assertThat(promoteReasoning(id)).contains("\"canary_policy\":\"escalated\"");
        // held to the cautious bake time of 300 s (the standard policy's is 210 s)
        assertThat(canarySeconds(id)).isGreaterThanOrEqualTo(300);

        var small = smallChangeToCheckout(engine, "1.3.6", "slack:standard");
        assertThat(small.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(promoteReasoning(small.id())).contains("\"canary_policy\":\"standard\"");
        assertThat(f.deploys.transitions(small.id()))
                .noneSatisfy(t -> assertThat(t.reason()).contains("cautious"));
        assertThat(canarySeconds(small.id())).isLessThan(300);
    }

    @Test
    void theEscalationShowsTheScoreThatWasRecordedEvenWithIncidentsOnRecord() {
        f.incidents.open(java.util.OptionalLong.empty(), "checkout", "1.0.0", "p99", "slow", "x", f.clock.instant());
        f.incidents.open(java.util.OptionalLong.empty(), "checkout", "1.0.0", "errors", "5xx", "x", f.clock.instant());
        f.announce("checkout", "1.3.2", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:esc", "checkout", "1.3.2", "U0BOB"));
        var waiting = engine.advance(id).orElseThrow();
        var escalation = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Escalated)
                .map(n -> (DeployNotice.Escalated) n)
                .findFirst()
                .orElseThrow();
        assertThat(escalation.assessment().score())
                .isEqualTo(waiting.riskScore().orElseThrow());
        // neither version's change is known (no build announced them): the latest are shown, as sharing nothing
        assertThat(escalation.pastIncidents()).hasSize(2).noneMatch(i -> i.similar());
    }

    @Test
    void theApprovalRequestShowsThePastIncidentsWhoseVersionsChangedWhatTheChangeChangesAndWhy() {
        // an old incident of a version that changed Order.java and a migration, then three newer ones of versions that
        // changed Cart.java only: the latest three would be those three
        f.announce("checkout", "1.2.0", """
                {"ns":1,"nd":2,"nf":2,"la":30,"ld":0,"files":["src/main/resources/db/migration/V6__carts.sql",\
                "src/Order.java"],"author":"U0CAT"}""");
        var old = f.incidents.open(
                java.util.OptionalLong.empty(), "checkout", "1.2.0", "p99", "p99 doubled", "", f.clock.instant());
        for (var v : java.util.List.of("1.2.1", "1.2.2", "1.2.3")) {
            f.clock.advance(Duration.ofMinutes(5));
            f.announce("checkout", v, PipelineFixture.SMALL_CHANGE);
            f.incidents.open(java.util.OptionalLong.empty(), "checkout", v, "errors", "5xx", "", f.clock.instant());
        }
        f.clock.advance(Duration.ofMinutes(5));
        f.announce("checkout", "1.3.2", PipelineFixture.MIGRATION); // changes V7__orders.sql and src/Order.java
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:esc", "checkout", "1.3.2", "U0BOB"));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        var escalation = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Escalated)
                .map(n -> (DeployNotice.Escalated) n)
                .findFirst()
                .orElseThrow();

        assertThat(escalation.pastIncidents()).singleElement().satisfies(i -> {
            assertThat(i.incident().id()).isEqualTo(old.id());
            assertThat(i.shared())
                    .containsExactly(
                            "also changed Order.java", "also changed files in src/main/resources/db/migration");
        });
    }

    @Test
    void anEscalatedDeployNobodyDecidesExpires() {
        f.announce("checkout", "1.3.1", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:4", "checkout", "1.3.1", "U0BOB"));
        engine.advance(id);
        f.clock.advance(Duration.ofHours(5));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.EXPIRED);
        assertThat(engine.decide(id, "U0ANN", Approval.Decision.APPROVE, ""))
                .asString()
                .contains("no longer waiting");
    }

    @Test
    void aMetricsOutageHoldsTheCanaryAtItsStepThenPausesForAHumanAndTheCanaryGoesOnWhenMetricsReturn() {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:9", "checkout", "1.1.0", "U0DEV"));
        var d = engine.advance(id).orElseThrow();
        for (int i = 0; i < 200 && d.step() < 2; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            d = engine.advance(id).orElseThrow();
        }
        assertThat(d.state()).isEqualTo(DeployState.CANARY);
        assertThat(d.step()).isEqualTo(2);
        int canaryReplicas =
                f.cluster.workloads(f.target("checkout")).get(Track.CANARY).replicas();

        f.metrics.outage("connection refused");
        for (int i = 0; i < 6; i++) { // a minute without metrics: shorter than the 120 s no-data limit
            f.clock.advance(Duration.ofSeconds(10));
            d = engine.advance(id).orElseThrow();
        }
        assertThat(d.state()).isEqualTo(DeployState.CANARY);
        assertThat(d.step()).as("no step forward or back while blind").isEqualTo(2);
        assertThat(f.cluster.workloads(f.target("checkout")).get(Track.CANARY).replicas())
                .isEqualTo(canaryReplicas);
        assertThat(f.notices).noneMatch(n -> n instanceof DeployNotice.Paused);

        for (int i = 0; i < 7; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            d = engine.advance(id).orElseThrow();
        }
        assertThat(d.state()).isEqualTo(DeployState.CANARY);
        assertThat(d.step()).isEqualTo(2);
        assertThat(f.deploys.transitions(id).getLast().reason())
                .startsWith("paused: no metrics for 2 min")
                .contains("connection refused")
                .contains("/deploy rollback checkout");
        assertThat(f.notices).filteredOn(n -> n instanceof DeployNotice.Paused).hasSize(1);
        assertThat(auditActions(id)).contains("canary.paused");

        f.metrics.outage(null);
        f.clock.advance(Duration.ofSeconds(10));
        d = engine.advance(id).orElseThrow();
        assertThat(f.deploys.transitions(id))
                .extracting(t -> t.reason())
                .contains("resumed: metrics are back; the analysis goes on");
        assertThat(f.notices).filteredOn(n -> n instanceof DeployNotice.Resumed).hasSize(1);
        var done = f.runUntilDone(engine, id, Duration.ofMinutes(20));
        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
    }

    @Test
    void anEngineRestartedDuringAMetricsOutageKeepsCountingFromItsStart() {
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:12");

        f.metrics.outage("connection refused");
        for (int i = 0; i < 7; i++) { // 70 s blind on the first engine
            f.clock.advance(Duration.ofSeconds(10));
            engine.advance(id);
        }
        var restarted = f.engine("engine-a"); // the same replica after a restart: it remembers nothing in memory
        for (int i = 0; i < 6; i++) { // 120 s since the first failed read, 50 s since the restart
            f.clock.advance(Duration.ofSeconds(10));
            restarted.advance(id);
        }
        assertThat(f.deploys.transitions(id).getLast().reason()).startsWith("paused: no metrics for 2 min");

        f.metrics.outage(null);
        f.clock.advance(Duration.ofSeconds(10));
        var third = f.engine("engine-a"); // restarted again, it learns of the outage from the store alone
        third.advance(id);
        assertThat(f.deploys.transitions(id))
                .extracting(t -> t.reason())
                .contains("resumed: metrics are back; the analysis goes on");
        assertThat(f.db.dsl().fetchCount(org.jooq.impl.DSL.table("metrics_outage")))
                .as("the outage ends on record when the metrics answer")
                .isZero();
    }

    @Test
    void canaryPodsThatStopBeingReadyDuringAMetricsOutageStillRollTheCanaryBack() {
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:11");

        f.metrics.outage("connection refused");
        f.cluster.crash("registry.example/checkout:1.1.0", true);
        var done = f.runUntilDone(engine, id, Duration.ofMinutes(10));

        assertThat(done.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.deploys.transitions(id))
                .extracting(t -> t.reason())
                .anyMatch(r -> r.startsWith("canary pods not ready after 5 min"));
        assertThat(rolledBack(id).cause()).isEqualTo(new RollbackCause.NotReady());
    }

    @Test
    void aCanaryWhosePodsNeverGetReadyIsRolledBackAtTheReadinessTimeoutNotPausedForItsMissingData() {
        f.cluster.crash("registry.example/checkout:1.1.0", true);
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:13");

        // no data from pods that never start: the analysis would pause for it long before the readiness timeout
        var done = f.runUntilDone(engine, id, Duration.ofMinutes(10));

        assertThat(done.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.deploys.transitions(id))
                .extracting(t -> t.reason())
                .noneMatch(r -> r.startsWith("paused"))
                .anyMatch(r -> r.startsWith("canary pods not ready after 5 min"));
        assertThat(rolledBack(id).cause()).isEqualTo(new RollbackCause.NotReady());
    }

    @Test
    void aDeployStoppedWhileItAwaitsApprovalIsToldAsStoppedByWhomAndALateClickSaysSo() {
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:31", "checkout", "1.3.0", "U0BOB"));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        engine.rollbackRequested("checkout", "U0DEV");

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.FAILED);
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.Stopped)
                .singleElement()
                .satisfies(n -> {
                    var stopped = (DeployNotice.Stopped) n;
                    assertThat(stopped.by()).isEqualTo("U0DEV");
                    assertThat(stopped.from()).isEqualTo(DeployState.AWAITING_APPROVAL);
                    assertThat(stopped.deploy().state()).isEqualTo(DeployState.FAILED);
                });
        assertThat(engine.decide(id, "U0ANN", Approval.Decision.APPROVE, ""))
                .isEqualTo(new Decision.Refused("this deploy is no longer waiting for a decision: it was stopped by"
                        + " U0DEV (/deploy rollback checkout)"));
    }

    @Test
    void aRollbackAPersonAsksForSaysWhoAskedAndCarriesNoEvidence() {
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:12");

        engine.rollbackRequested("checkout", "U0OPS");

        var notice = rolledBack(id);
        assertThat(notice.cause()).isEqualTo(new RollbackCause.Requested("U0OPS"));
        assertThat(notice.evidence()).isEmpty();
        assertThat(notice.reason()).isEqualTo("rollback requested by U0OPS");
    }

    /** A cluster that refuses, while {@code refusing} holds, every call named in {@code refused}, as Kubernetes would. */
    void refuseWhile(AtomicBoolean refusing, java.util.Set<String> refused) {
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (refusing.get() && refused.contains(method)) {
                throw new io.harbormaster.engine.rollout.ClusterRefused(
                        "Deployment prod/checkout-baseline does not exist: was it deleted by hand?");
            }
        });
    }

    @Test
    void aCanaryWhoseNextOperationTheClusterRefusesIsRolledBackNotLeftServingUnderAFailedDeploy() {
        var refusing = new AtomicBoolean(false);
        refuseWhile(refusing, java.util.Set.of("scale", "awaitReady", "ensureCanary", "ensureBaseline"));
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:refused");
        refusing.set(true);

        var done = f.runUntilDone(engine, id, Duration.ofMinutes(10));

        assertThat(done.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.cluster.workloads(f.target("checkout")))
                .as("no canary left taking traffic")
                .containsOnlyKeys(Track.STABLE)
                .hasEntrySatisfying(Track.STABLE, w -> assertThat(w.image()).endsWith(":1.0.0"));
        var notice = rolledBack(id);
        assertThat(notice.cause()).isEqualTo(new RollbackCause.ClusterRefused());
        assertThat(notice.reason())
                .startsWith("cluster: refused the canary's next operation")
                .contains("checkout-baseline does not exist");
        var incident = f.incidents
                .recent("checkout", f.clock.instant().minus(Duration.ofHours(1)))
                .getFirst();
        assertThat(incident.metric()).isEqualTo("cluster");
        assertThat(incident.hypothesis()).contains("not a metric").doesNotContain("first suspect");
        assertThat(auditActions(id)).containsSubsequence("canary.rollback", "incident.opened");
    }

    @Test
    void aPromotionResumedAfterARestartIsNotFailedByTheChecksACanarysStartMakes() {
        var down = new AtomicBoolean(false);
        var routeBroken = new AtomicBoolean(false);
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("promote") && down.get()) {
                throw new io.harbormaster.engine.rollout.ClusterUnavailable("the API server does not answer", null);
            }
            if (method.equals("stable") && routeBroken.get()) { // as Fabric8Cluster does for a route unfit for canaries
                throw new io.harbormaster.engine.rollout.ClusterRefused(
                        "HTTPRoute prod/checkout has no rule that sends to Service checkout");
            }
        });
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:resume-promote");
        down.set(true);
        // the engine promotes, and the cluster does not answer: the runner would retry, this engine "crashes"
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.runUntilDone(engine, id, Duration.ofMinutes(10)))
                .isInstanceOf(io.harbormaster.engine.rollout.ClusterUnavailable.class);
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.PROMOTING);

        down.set(false);
        routeBroken.set(true);
        var done = f.runUntilDone(f.engine("engine-a"), id, Duration.ofMinutes(1));

        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        assertThat(f.cluster.workloads(f.target("checkout")))
                .containsOnlyKeys(Track.STABLE)
                .hasEntrySatisfying(Track.STABLE, w -> assertThat(w.image()).endsWith(":1.1.0"));
    }

    @Test
    void aCanaryWhoseRollbackTheClusterRefusesTooFailsNamingWhatIsLeftAndHowToRemoveIt() {
        var refusing = new AtomicBoolean(false);
        refuseWhile(refusing, java.util.Set.of("scale", "awaitReady", "rollback"));
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:refused-twice");
        refusing.set(true);

        var done = f.runUntilDone(engine, id, Duration.ofMinutes(10));

        assertThat(done.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(id))
                .extracting(t -> t.to())
                .containsSubsequence(DeployState.CANARY, DeployState.ROLLING_BACK, DeployState.FAILED);
        assertThat(f.deploys.transitions(id).getLast().reason())
                .contains(
                        "rolling it back was refused too",
                        "delete Deployments checkout-canary and checkout-baseline in namespace");
        assertThat(auditActions(id)).containsSubsequence("canary.rollback", "deploy.failed");
    }

    DeployNotice.RolledBack rolledBack(long deployId) {
        return f.notices.stream()
                .filter(n ->
                        n instanceof DeployNotice.RolledBack r && r.deploy().id() == deployId)
                .map(n -> (DeployNotice.RolledBack) n)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anEngineRenewsItsLeaseAfterAThirdOfItOnTheMonotonicClockEvenWhenItsWallClockStandsStill() {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var leases = new AtomicInteger();
        var store = (io.harbormaster.engine.rollout.DeployStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.harbormaster.engine.rollout.DeployStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("tryLease")) {
                        leases.incrementAndGet();
                    }
                    try {
                        return method.invoke(f.deploys, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var settings = new io.harbormaster.engine.rollout.PipelineSettings(
                "engine-a",
                Duration.ofSeconds(6),
                Duration.ofHours(4),
                Duration.ofHours(1),
                Duration.ofHours(1),
                Duration.ofMinutes(5),
                Duration.ofDays(30),
                "test",
                "test",
                "production");
        var nanos = new java.util.concurrent.atomic.AtomicLong();
        var engine = f.engine(settings, store, nanos::get);
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:10", "checkout", "1.1.0", "U0DEV"));
        engine.advance(id);
        engine.advance(id);
        assertThat(leases).as("a fresh lease is not asked for again").hasValue(1);

        nanos.addAndGet(
                Duration.ofMillis(2500).toNanos()); // more than a third of the lease, on the monotonic clock only
        engine.advance(id);
        assertThat(leases).hasValue(2);

        f.clock.advance(Duration.ofMillis(2500)); // and on the wall clock only
        engine.advance(id);
        assertThat(leases).hasValue(3);

        // Another engine took the deploy over while this one's clock lagged behind: it no longer drives it.
        f.clock.advance(Duration.ofSeconds(10));
        f.engine("engine-b").advance(id);
        f.clock.advance(Duration.ofSeconds(-10));
        nanos.addAndGet(Duration.ofMillis(2500).toNanos());
        int before = f.deploys.transitions(id).size();
        engine.advance(id);
        assertThat(leases).hasValue(4);
        assertThat(f.deploys.tryLease(id, "engine-c", f.clock.instant(), f.clock.instant()))
                .as("engine-b's lease still stands")
                .isFalse();
        assertThat(f.deploys.transitions(id)).hasSize(before);
    }

    @Test
    void anEngineThatDiesMidCanaryIsReplacedAndTheDeployEndsExactlyOnce() {
        f.announce("payments", "2.0.0", PipelineFixture.SMALL_CHANGE);
        f.metrics.inject("payments", "2.0.0", Fault.errors(0.10));
        var first = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                first, PipelineFixture.slackRequest("slack:5", "payments", "2.0.0", "U0DEV"));
        first.advance(id);
        f.clock.advance(Duration.ofSeconds(5));
        first.advance(id); // canary and baseline are up; no full interval of metrics yet
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        assertThat(f.cluster.workloads(f.target("payments"))).containsKeys(Track.CANARY, Track.BASELINE);
        // engine-a is gone without releasing its lease; engine-b starts, and takes over when the lease runs out
        var second = f.engine("engine-b");
        assertThat(second.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        f.clock.advance(Duration.ofSeconds(31));
        second.advanceAll();
        var done = f.runUntilDone(second, id, Duration.ofMinutes(20));

        assertThat(done.state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.deploys.transitions(id)).filteredOn(t -> t.to().terminal()).hasSize(1);
        assertThat(auditActions(id))
                .filteredOn(a -> a.equals("canary.rollback"))
                .hasSize(1);
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void aDependencyThatRunsTooOldAVersionOrHasAnOpenIncidentBlocksPreflightWithTheReason() {
        f.cluster.install(f.target("payments"), "registry.example/payments:0.9.0", 10);
        f.announce("checkout", "1.5.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:dep1", "checkout", "1.5.0", "U0DEV"));
        var blocked = engine.advance(id).orElseThrow();
        assertThat(blocked.state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(id).getLast().reason())
                .contains("payments runs 0.9.0 but checkout needs at least 1.0.0");

        f.cluster.install(f.target("payments"), "registry.example/payments:1.0.0", 10);
        f.incidents.open(
                java.util.OptionalLong.empty(),
                "payments",
                "1.0.0",
                "p99",
                "slow checkout calls",
                "db",
                f.clock.instant());
        f.announce("checkout", "1.5.1", PipelineFixture.SMALL_CHANGE);
        var id2 = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:dep2", "checkout", "1.5.1", "U0DEV"));
        assertThat(engine.advance(id2).orElseThrow().state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(id2).getLast().reason())
                .contains("payments: incident")
                .contains("is open");
    }

    @Test
    void aDependencysTrafficRouteIsNotCheckedByTheDeploysThatDependOnIt() {
        // payments' canaries divide traffic by an HTTPRoute that is not ready for them (Fabric8Cluster refuses
        // stable() then): that is payments' business, and checkout, which depends on it, deploys all the same
        var payments = f.target("payments");
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("stable") && payments.equals(args[0])) {
                throw new io.harbormaster.engine.rollout.ClusterRefused(
                        "Service shop/payments would also select the canary's and the baseline's pods");
            }
        });
        f.announce("checkout", "1.5.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");

        var done = f.runUntilDone(
                engine,
                PipelineFixture.acceptedId(
                        engine, PipelineFixture.slackRequest("slack:dep-route", "checkout", "1.5.0", "U0DEV")),
                Duration.ofMinutes(20));

        assertThat(done.state())
                .as(f.deploys.transitions(done.id()).getLast().reason())
                .isEqualTo(DeployState.PROMOTED);
    }

    @Test
    void requestsThatCannotBeDeployedAreRefusedAndStartNothing() {
        var engine = f.engine("engine-a");
        assertThat(engine.submit(PipelineFixture.slackRequest("k1", "chekout", "1.0.1", "U0DEV")))
                .asString()
                .contains("unknown service 'chekout'")
                .contains("checkout");
        assertThat(engine.submit(PipelineFixture.slackRequest("k2", "checkout", "9.9.9", "U0DEV")))
                .asString()
                .contains("no build announced checkout 9.9.9");
        assertThat(engine.submit(PipelineFixture.slackRequest("k3", "checkout", "1.0;rm", "U0DEV")))
                .asString()
                .contains("is not a version");
        assertThat(f.deploys.inFlight()).isEmpty();
        // each refusal is a decision in the audit log, with why, who asked and from where
        var refused = new ArrayList<String>();
        f.audit.scan(
                AuditQuery.all().withDecision("refused"),
                e -> refused.add(e.record().actor() + " " + e.record().action() + " "
                        + e.record().service() + " " + e.record().reasoningJson()));
        assertThat(refused).hasSize(3);
        assertThat(refused.get(1))
                .startsWith("U0DEV deploy.refused checkout ")
                .contains("\"reason\":\"no build announced checkout 9.9.9")
                .contains("\"source\":\"slack\"", "\"idempotency_key\":\"k2\"");
        assertThat(engine.rollbackRequested("checkout", "U0DEV")).isInstanceOf(Submission.Refused.class);
        var rollbacks = new ArrayList<String>();
        f.audit.scan(
                AuditQuery.all().withService("checkout").withDecision("refused"),
                e -> rollbacks.add(e.record().action()));
        assertThat(rollbacks).containsExactly("deploy.refused", "deploy.refused", "rollback.refused");
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void aRequestForAnotherEnvironmentThanTheEnginesIsRefusedBeforeAnythingIsStoredOrAudited() {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a"); // deploys to production, the default
        var staging = new io.harbormaster.engine.rollout.DeployRequest(
                "slack:staging",
                io.harbormaster.engine.rollout.RequestSource.SLACK,
                "checkout",
                "1.1.0",
                "staging",
                "U0DEV",
                false,
                "{}",
                f.clock.instant());
        assertThat(engine.submit(staging)).isInstanceOfSatisfying(Submission.Refused.class, r -> assertThat(r.reason())
                .contains("deploys to production only", "the request names staging", "nothing was started"));
        assertThat(f.deploys.inFlight()).isEmpty();
        assertThat(f.events).isEmpty();
        assertThat(f.notices).isEmpty();
        var entries = new java.util.concurrent.atomic.AtomicInteger();
        f.audit.scan(AuditQuery.all(), e -> entries.incrementAndGet());
        assertThat(entries).hasValue(0);
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:production", "checkout", "1.1.0", "U0DEV")))
                .isInstanceOf(Submission.Accepted.class);
    }

    @Test
    void aRedeliveredRequestReturnsTheSameDeploy() {
        f.announce("checkout", "1.4.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var first = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:dup", "checkout", "1.4.0", "U0DEV"));
        var again = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:dup", "checkout", "1.4.0", "U0DEV"));
        assertThat(again.duplicate()).isTrue();
        assertThat(again.deploy().id()).isEqualTo(first.deploy().id());
        assertThat(f.deploys.inFlight()).hasSize(1);
    }

    @Test
    void theSameVersionAskedForAgainWhileItIsInFlightStartsNothingAndPointsAtTheDeployInFlight() {
        f.announce("checkout", "1.4.0", PipelineFixture.SMALL_CHANGE);
        f.announce("checkout", "1.5.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        var first = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:a", "checkout", "1.4.0", "U0DEV"));
        assertThat(engine.advance(first.deploy().id()).orElseThrow().state()).isEqualTo(DeployState.CANARY);

        // typed again by someone else, under another key: the deploy in flight, nothing stored or audited
        long audited = f.audit.verify().entries();
        var again = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:b", "checkout", "1.4.0", "U0ANN"));
        assertThat(again.duplicate()).isTrue();
        assertThat(again.deploy().id()).isEqualTo(first.deploy().id());
        assertThat(f.deploys.inFlight()).hasSize(1);
        assertThat(f.audit.verify().entries()).isEqualTo(audited);

        // another version is a deploy of its own: it waits its turn in preflight
        var other = (Submission.Accepted)
                engine.submit(PipelineFixture.slackRequest("slack:c", "checkout", "1.5.0", "U0DEV"));
        assertThat(other.duplicate()).isFalse();
        assertThat(engine.advance(other.deploy().id()).orElseThrow().state()).isEqualTo(DeployState.PREFLIGHT);
        // asked for again it is repeated; an emergency request for it is not (it skips what may stop that one)
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:c2", "checkout", "1.5.0", "U0ANN")))
                .isInstanceOfSatisfying(
                        Submission.Accepted.class, a -> assertThat(a.deploy().id())
                                .isEqualTo(other.deploy().id()));
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:c3", "checkout", "1.5.0", "U0ANN", true)))
                .isInstanceOfSatisfying(Submission.Accepted.class, a -> assertThat(a.duplicate())
                        .isFalse());
        // an emergency request does not repeat a canary already past its approval
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:d", "checkout", "1.4.0", "U0DEV", true)))
                .isInstanceOfSatisfying(
                        Submission.Accepted.class, a -> assertThat(a.deploy().id())
                                .isEqualTo(first.deploy().id()));

        // once it is live, asking for it again starts nothing (a canary of the image against itself) and says so,
        // audited as refused; an emergency request still goes ahead (the cluster may have been changed by hand)
        assertThat(f.runUntilDone(engine, first.deploy().id(), Duration.ofMinutes(20))
                        .state())
                .isEqualTo(DeployState.PROMOTED);
        long before = f.deploys.inFlight().size();
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:e", "checkout", "1.4.0", "U0DEV")))
                .isInstanceOfSatisfying(Submission.Refused.class, r -> assertThat(r.reason())
                        .startsWith("checkout 1.4.0 is already live: deploy #"
                                + first.deploy().id() + " promoted it ")
                        .contains("Nothing was started")
                        .contains("/deploy rollback checkout")
                        .endsWith("(the cluster runs registry.example/checkout:1.4.0)"));
        assertThat(f.deploys.inFlight()).hasSize((int) before);
        var refused = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withService("checkout"), e -> {
            if (e.record().action().equals("deploy.refused")) {
                refused.add(e.record().version());
            }
        });
        assertThat(refused).containsExactly("1.4.0");
        // the first request delivered again (a Slack retry, a Kafka redelivery) is still answered with its deploy
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:a", "checkout", "1.4.0", "U0DEV")))
                .isInstanceOfSatisfying(Submission.Accepted.class, a -> {
                    assertThat(a.duplicate()).isTrue();
                    assertThat(a.deploy().id()).isEqualTo(first.deploy().id());
                });
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:f", "checkout", "1.4.0", "U0DEV", true)))
                .isInstanceOfSatisfying(Submission.Accepted.class, a -> assertThat(a.duplicate())
                        .isFalse());
    }

    @Test
    void aVersionPromotedButChangedByHandInTheClusterSinceIsDeployedAgainAsAnOrdinaryCanary() {
        f.announce("checkout", "1.4.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        long first = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:a", "checkout", "1.4.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, first, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);

        // someone put 1.3.0 back with kubectl: the store still says 1.4.0 is live, the cluster does not
        f.cluster.install(f.target("checkout"), "registry.example/checkout:1.3.0", 10);
        var again = engine.submit(PipelineFixture.slackRequest("slack:b", "checkout", "1.4.0", "U0DEV"));
        assertThat(again).isInstanceOfSatisfying(Submission.Accepted.class, a -> assertThat(a.duplicate())
                .isFalse());
        long second = ((Submission.Accepted) again).deploy().id();
        assertThat(f.runUntilDone(engine, second, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(f.cluster.stable(f.target("checkout")).image()).isEqualTo("registry.example/checkout:1.4.0");

        // a cluster that cannot be asked leaves the store's word, and says what to do if it is wrong
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("inspect")) {
                throw new io.harbormaster.engine.rollout.ClusterUnavailable("API server unreachable", null);
            }
        });
        assertThat(f.engine("engine-b").submit(PipelineFixture.slackRequest("slack:c", "checkout", "1.4.0", "U0DEV")))
                .isInstanceOfSatisfying(Submission.Refused.class, r -> assertThat(r.reason())
                        .startsWith("checkout 1.4.0 is already live: deploy #" + second + " promoted it ")
                        .contains("the cluster could not be asked what it runs")
                        .contains("--emergency"));
    }

    @Test
    void aVersionTheClusterRunsButHarbormasterNeverPromotedIsRefusedNamingTheImageAndTheWayOn() {
        // checkout runs 1.0.0, put there before Harbormaster: no promotion of it is stored
        f.announce("checkout", "1.0.0", PipelineFixture.SMALL_CHANGE);
        var engine = f.engine("engine-a");
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:a", "checkout", "1.0.0", "U0DEV")))
                .isInstanceOfSatisfying(Submission.Refused.class, r -> assertThat(r.reason())
                        .startsWith("checkout 1.0.0 already runs in the cluster: its stable Deployment runs"
                                + " registry.example/checkout:1.0.0. Harbormaster has not deployed checkout before")
                        .contains("Nothing was started: a canary would compare the image with itself, and"
                                + " Harbormaster needs no record of it: to run another version, deploy it (/deploy checkout <version>); its canary runs"
                                + " against 1.0.0, and /deploy rollback checkout after its promotion puts 1.0.0 back"));
        assertThat(f.deploys.inFlight()).isEmpty();
        var refused = new ArrayList<String>();
        f.audit.scan(AuditQuery.all().withService("checkout"), e -> {
            if (e.record().action().equals("deploy.refused")) {
                refused.add(e.record().version());
            }
        });
        assertThat(refused).containsExactly("1.0.0");

        // and so it is: the next version's canary runs against 1.0.0, and a rollback of it puts 1.0.0 back
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        long next = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:b", "checkout", "1.1.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, next, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
        long revert = ((Submission.Accepted) engine.rollbackRequested("checkout", "U0DEV"))
                .deploy()
                .id();
        assertThat(f.runUntilDone(engine, revert, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);
        assertThat(f.cluster.stable(f.target("checkout")).image()).isEqualTo("registry.example/checkout:1.0.0");

        // set by hand since that promotion: the refusal names the promotion the cluster no longer runs
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        f.cluster.install(f.target("checkout"), "registry.example/checkout:1.2.0", 10);
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:c", "checkout", "1.2.0", "U0DEV")))
                .isInstanceOfSatisfying(Submission.Refused.class, r -> assertThat(r.reason())
                        .startsWith("checkout 1.2.0 already runs in the cluster: its stable Deployment runs"
                                + " registry.example/checkout:1.2.0. Harbormaster last promoted 1.0.0 (deploy #"
                                + revert + ", at ")
                        .contains("so registry.example/checkout:1.2.0 was put there outside Harbormaster since"));
        // an emergency request goes ahead, as for a promoted version
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:d", "checkout", "1.2.0", "U0DEV", true)))
                .isInstanceOf(Submission.Accepted.class);

        // a cluster that cannot be asked: the request goes ahead as before, and its entry says it was not checked
        f.announce("payments", "1.0.0", PipelineFixture.SMALL_CHANGE);
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("inspect")) {
                throw new io.harbormaster.engine.rollout.ClusterUnavailable("API server unreachable", null);
            }
        });
        long unchecked = PipelineFixture.acceptedId(
                f.engine("engine-b"), PipelineFixture.slackRequest("slack:e", "payments", "1.0.0", "U0DEV"));
        assertThat(reasonings(unchecked, "deploy.requested"))
                .singleElement()
                .asString()
                .contains("\"cluster_unchecked\":\"the cluster could not be asked what payments runs, so whether it"
                        + " runs 1.0.0 already was not checked\"");
    }

    @Test
    void aVersionLetInWhileTheClusterCouldNotBeAskedIsStoppedByItsPreflightWhenTheClusterRunsItEmergencyOrNot() {
        // payments runs 1.0.0; at request time the cluster cannot be asked, so the request is let in
        f.announce("payments", "1.0.0", PipelineFixture.SMALL_CHANGE);
        var unreachable = new java.util.concurrent.atomic.AtomicBoolean(true);
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (unreachable.get() && method.equals("inspect")) {
                throw new io.harbormaster.engine.rollout.ClusterUnavailable("API server unreachable", null);
            }
        });
        var engine = f.engine("engine-a");
        long ordinary = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:a", "payments", "1.0.0", "U0DEV"));
        unreachable.set(false);

        // its preflight reads the stable Deployment: no canary of the image against itself is started
        assertThat(f.runUntilDone(engine, ordinary, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.FAILED);
        var why = "blocked by preflight: new image: the cluster already runs 1.0.0: the stable Deployment runs"
                + " registry.example/payments:1.0.0, so a canary would compare the image with itself (deploy another"
                + " version (/deploy payments <version>); nothing of 1.0.0 needs deploying)";
        assertThat(f.deploys.transitions(ordinary).getLast().reason()).isEqualTo(why);
        assertThat(f.deploys.transitions(ordinary)).noneMatch(t -> t.to() == DeployState.CANARY);
        assertThat(reasonings(ordinary, "preflight"))
                .singleElement()
                .asString()
                .contains("\"check\":\"new image\"", "\"result\":\"block\"")
                .doesNotContain("canary_start");
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.PreflightChecked p
                        && p.deploy().id() == ordinary)
                .singleElement()
                .satisfies(n -> assertThat(((DeployNotice.PreflightChecked) n).results())
                        .last()
                        .isInstanceOfSatisfying(
                                io.harbormaster.engine.policy.CheckResult.Block.class,
                                b -> assertThat(b.check()).isEqualTo("new image")));

        // an emergency deploy, which the request-time check lets in whatever the cluster runs, is stopped alike; the
        // rollout is free again for the next deploy of the service
        long emergency = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:b", "payments", "1.0.0", "U0DEV", true));
        assertThat(f.runUntilDone(engine, emergency, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(emergency).getLast().reason()).isEqualTo(why);
        f.announce("payments", "1.1.0", PipelineFixture.SMALL_CHANGE);
        long next = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:c", "payments", "1.1.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, next, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.PROMOTED);
    }

    @Test
    void anEmergencyRequestDoesNotRepeatTheSameVersionWaitingForItsApproverItSkipsTheWait() {
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var engine = f.engine("engine-a");
        var waiting = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:m1", "checkout", "1.3.0", "U0BOB"));
        assertThat(engine.advance(waiting).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        assertThat(engine.submit(PipelineFixture.slackRequest("slack:m2", "checkout", "1.3.0", "U0BOB")))
                .isInstanceOfSatisfying(Submission.Accepted.class, a -> {
                    assertThat(a.duplicate()).isTrue();
                    assertThat(a.deploy().id()).isEqualTo(waiting);
                });
        assertThat(engine.submit(PipelineFixture.slackRequest("slack:m3", "checkout", "1.3.0", "U0BOB", true)))
                .isInstanceOfSatisfying(Submission.Accepted.class, a -> {
                    assertThat(a.duplicate()).isFalse();
                    assertThat(a.deploy().emergency()).isTrue();
                });
    }
}
