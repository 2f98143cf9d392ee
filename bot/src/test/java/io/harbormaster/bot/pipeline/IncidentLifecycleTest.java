package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.IncidentResolution;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An incident from the rollback that opens it to its resolution: what it holds back (the deploys of the services that
 * depend on its service, for {@code defaults.incident_block} at most, but not an emergency deploy), and what resolves
 * it (a promotion of its service, or an approver of it by hand), each audited once.
 */
class IncidentLifecycleTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:incidents" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** An engine whose open incidents hold dependents back for {@code incidentBlock}. */
    DeployPipeline engine(Duration incidentBlock) {
        return f.engine(
                new PipelineSettings(
                        "engine-a",
                        Duration.ofSeconds(30),
                        Duration.ofHours(4),
                        Duration.ofHours(1),
                        incidentBlock,
                        Duration.ofMinutes(5),
                        Duration.ofDays(30),
                        "test",
                        "test",
                        "production"),
                f.deploys);
    }

    Incident openIncidentOfPayments() {
        return f.incidents.open(
                OptionalLong.empty(), "payments", "1.1.0", "p99", "p99: slow checkout calls", "", f.clock.instant());
    }

    /** A small change of checkout requested by Slack (with --emergency when asked), advanced once. */
    long checkout(DeployPipeline engine, String version, boolean emergency) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(
                engine,
                PipelineFixture.slackRequest("slack:" + version + emergency, "checkout", version, "U0DEV", emergency));
        engine.advance(id);
        return id;
    }

    List<AuditRecord> entries(String action) {
        var out = new ArrayList<AuditRecord>();
        f.audit.scan(AuditQuery.all(), e -> {
            if (e.record().action().equals(action)) {
                out.add(e.record());
            }
        });
        return out;
    }

    @Test
    void aDependencysOpenIncidentHoldsDeploysBackForTheConfiguredTimeAndTheBlockSaysSinceUntilAndHowToClearIt() {
        var engine = engine(Duration.ofMinutes(10));
        var incident = openIncidentOfPayments();

        var held = checkout(engine, "1.5.0", false);
        assertThat(f.deploys.find(held).orElseThrow().state()).isEqualTo(DeployState.FAILED);
        assertThat(f.deploys.transitions(held).getLast().reason())
                .contains(
                        "payments: incident #" + incident.id() + " is open since 2026-11-24 10:00 UTC (p99: slow"
                                + " checkout calls)",
                        "until it is resolved, at most until 2026-11-24 10:10 UTC",
                        "`/deploy resolve " + incident.id() + "` (a member of shop-approvers, payments's approvers)",
                        "promote a deploy of it",
                        "deploy again after 2026-11-24 10:10 UTC",
                        "--emergency");
        assertThat(engine.dependencyIncidents("checkout")).singleElement().satisfies(i -> {
            assertThat(i.incidentId()).isEqualTo(incident.id());
            assertThat(i.holdsUntil()).isEqualTo(incident.openedAt().plus(Duration.ofMinutes(10)));
        });
        assertThat(engine.dependencyIncidents("payments"))
                .as("its own service is not held back")
                .isEmpty();

        // the configured time is up: nobody resolved it, but it holds nothing back any more
        f.clock.advance(Duration.ofMinutes(11));
        assertThat(engine.dependencyIncidents("checkout")).isEmpty();
        var later = checkout(engine, "1.5.1", false);
        assertThat(f.deploys.find(later).orElseThrow().state()).isEqualTo(DeployState.CANARY);
    }

    @Test
    void anEmergencyDeployGoesAheadDespiteADependencysOpenIncidentAndItsPreflightSaysSo() {
        var engine = engine(Duration.ofHours(1));
        var incident = openIncidentOfPayments();

        var id = checkout(engine, "1.5.0", true);

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        var checked = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.PreflightChecked p
                        && p.deploy().id() == id)
                .map(n -> ((DeployNotice.PreflightChecked) n).results())
                .findFirst()
                .orElseThrow();
        assertThat(checked.getFirst())
                .hasToString("Pass[check=dependencies healthy, note=overridden by --emergency: payments: incident #"
                        + incident.id()
                        + " is open since 2026-11-24 10:00 UTC (p99: slow checkout calls); it holds back deploys that"
                        + " depend on payments until it is resolved, at most until 2026-11-24 11:00 UTC]");
        assertThat(f.audited(id, "preflight").getFirst().reasoningJson())
                .contains("overridden by --emergency: payments: incident #" + incident.id());
        assertThat(f.incidents.find(incident.id()).orElseThrow().resolvedAt())
                .as("going ahead despite it resolves nothing")
                .isEmpty();
    }

    @Test
    void aPromotionOfTheServiceResolvesItsOpenIncidentsOnceAuditedAndTellsTheRolledBackDeploy() {
        var engine = engine(Duration.ofHours(1));
        f.metrics.inject("payments", "1.1.0", Fault.errors(0.10));
        f.announce("payments", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var faulty = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:p1", "payments", "1.1.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, faulty, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.ROLLED_BACK);
        var older = f.incidents.open(
                OptionalLong.empty(),
                "payments",
                "0.9.0",
                "p99",
                "long ago",
                "",
                f.clock.instant().minus(Duration.ofDays(2)));
        var incident = f.incidents.unresolved("payments").stream()
                .filter(i -> i.deployId().equals(OptionalLong.of(faulty)))
                .findFirst()
                .orElseThrow();
        assertThat(engine.dependencyIncidents("checkout"))
                .extracting(i -> i.incidentId())
                .containsExactly(incident.id());

        f.announce("payments", "1.2.0", PipelineFixture.SMALL_CHANGE);
        var fixed = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:p2", "payments", "1.2.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, fixed, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);
        engine.advance(fixed); // once more, as after a restart: nothing is resolved twice

        assertThat(f.incidents.unresolved("payments")).isEmpty();
        assertThat(f.incidents.find(incident.id()).orElseThrow().resolution())
                .contains("resolved by the promotion of payments 1.2.0 (deploy #" + fixed + ")");
        assertThat(f.incidents.find(older.id()).orElseThrow().resolvedAt())
                .as("every open incident of the service, however old")
                .isPresent();
        var resolved = entries("incident.resolved");
        assertThat(resolved).hasSize(2).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("engine");
            assertThat(e.decision()).isEqualTo("resolved");
            assertThat(e.reasoningJson())
                    .contains(
                            "\"resolved_by\":\"promotion\"",
                            "\"promoted_deploy\":" + fixed,
                            "\"promoted_version\":\"1.2.0\"");
        });
        assertThat(resolved)
                .as("an incident's entry names the deploy whose rollback opened it (the older one has none)")
                .extracting(AuditRecord::deployId)
                .containsExactly("", Long.toString(faulty));
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.IncidentResolved)
                .singleElement()
                .satisfies(n -> {
                    var r = (DeployNotice.IncidentResolved) n;
                    assertThat(r.deploy().id()).isEqualTo(faulty);
                    assertThat(r.incident().id()).isEqualTo(incident.id());
                    assertThat(r.by()).isEqualTo("engine");
                    assertThat(r.promotion()).hasValue(fixed);
                });
        // the promotion is told first, then what it resolved: the effect never reaches the channel before its cause
        var told = f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Promoted p && p.deploy().id() == fixed
                        || n instanceof DeployNotice.IncidentResolved)
                .map(n -> n.getClass().getSimpleName())
                .toList();
        assertThat(told).containsExactly("Promoted", "IncidentResolved");
        assertThat(engine.dependencyIncidents("checkout")).isEmpty();
        assertThat(f.audit.verify().valid()).isTrue();
    }

    @Test
    void anApproverOfTheServiceResolvesAnIncidentOnceAndAnyoneElseIsRefusedAndAudited() {
        var engine = engine(Duration.ofHours(1));
        var incident = openIncidentOfPayments();

        assertThat(engine.resolveIncident(incident.id(), "U0MALLORY", "all good"))
                .isEqualTo(new IncidentResolution.Refused("only members of shop-approvers (payments's approvers) may"
                        + " resolve incident #" + incident.id() + " of payments: ask one of them once payments is"
                        + " healthy again"));
        assertThat(entries("resolve.refused")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("U0MALLORY");
            assertThat(e.service()).isEqualTo("payments");
            assertThat(e.reasoningJson()).contains("\"allowed_group\":\"shop-approvers\"");
        });
        assertThat(engine.resolveIncident(incident.id() + 100, "U0ANN", ""))
                .isInstanceOf(IncidentResolution.NotFound.class);

        var resolved = engine.resolveIncident(incident.id(), "U0ANN", "  pool size raised  ");
        assertThat(resolved).isInstanceOf(IncidentResolution.Resolved.class);
        assertThat(((IncidentResolution.Resolved) resolved).incident().resolution())
                .contains("resolved by U0ANN: pool size raised");
        assertThat(engine.dependencyIncidents("checkout")).isEmpty();

        var again = engine.resolveIncident(incident.id(), "U0BOB", "");
        assertThat(again).isInstanceOf(IncidentResolution.AlreadyResolved.class);
        assertThat(((IncidentResolution.AlreadyResolved) again).incident().resolution())
                .contains("resolved by U0ANN: pool size raised");
        assertThat(entries("incident.resolved")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("U0ANN");
            assertThat(e.reasoningJson())
                    .contains("\"resolved_by\":\"U0ANN\"", "\"note\":\"pool size raised\"", "\"resolver_group\"");
        });

        var id = checkout(engine, "1.5.0", false);
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
    }

    @Test
    void aPersonsRollbackOpensAnIncidentThatSaysAPersonStoppedItNotAMetric() {
        var engine = engine(Duration.ofHours(1));
        var id = checkout(engine, "1.1.0", false);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);

        engine.rollbackRequested("checkout", "U0OPS");

        var incident = f.incidents.unresolved("checkout").getFirst();
        assertThat(incident.metric()).isEqualTo(Incident.STOPPED_BY_HAND);
        assertThat(incident.hypothesis())
                .startsWith("U0OPS stopped the canary of 1.1.0 by hand, not a metric")
                .doesNotContain("first suspect", "only difference between canary and baseline");
    }

    @Test
    void aRollbackAskedForWhileThePipelineAdvancesTheSameDeployOpensOneIncident() throws Exception {
        var engineRef = new AtomicReference<DeployPipeline>();
        var pipelineThread = new AtomicReference<Thread>();
        // the first rollback of the cluster lingers while the pipeline's own thread advances the same deploy
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("rollback") && pipelineThread.get() == null) {
                var t = new Thread(() -> engineRef.get().advance(idOf("checkout")));
                pipelineThread.set(t);
                t.start();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        var engine = engine(Duration.ofHours(1));
        engineRef.set(engine);
        var id = checkout(engine, "1.1.0", false);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);

        engine.rollbackRequested("checkout", "U0OPS");
        pipelineThread.get().join(10_000);

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(f.incidents.recent("checkout", f.clock.instant().minus(Duration.ofHours(1))))
                .hasSize(1);
        assertThat(f.audited(id, "incident.opened")).hasSize(1);
    }

    private long idOf(String service) {
        return f.deploys.inFlight().stream()
                .filter(d -> d.service().equals(service))
                .findFirst()
                .orElseThrow()
                .id();
    }
}
