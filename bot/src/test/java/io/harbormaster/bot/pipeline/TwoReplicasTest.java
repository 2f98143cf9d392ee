package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.adapters.kafka.KafkaBroker;
import io.harbormaster.engine.adapters.kafka.KafkaConfig;
import io.harbormaster.engine.adapters.kafka.KafkaDeployRequestConsumer;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.intake.PipelineIntake;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskScorer;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.PipelinePorts;
import io.harbormaster.engine.rollout.PipelineRunner;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.rollout.Transition;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqBuildCatalog;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import io.harbormaster.storage.pipeline.JooqPolicyStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two engine replicas on one real Kafka and one real PostgreSQL share 100 CI deploy requests for 20 services; one
 * replica stops midway. Every request must end exactly once, and no service may ever have two deploys in flight.
 */
class TwoReplicasTest {
    static final int SERVICES = 20;
    static final int VERSIONS = 5;

    static String catalogYaml() {
        var y = new StringBuilder("""
                groups:
                  ops: [U0OPS]
                defaults:
                  canary:
                    interval_seconds: 1
                    min_step_seconds: 3
                    min_promote_seconds: 3
                    max_no_data_seconds: 30
                    steps: [{weight: 50, intervals: 6}]
                services:
                """);
        for (int s = 1; s <= SERVICES; s++) {
            y.append("  ").append(service(s)).append(": {namespace: shop, approvers: ops}\n");
        }
        return y.toString();
    }

    static String service(int s) {
        return String.format("svc-%02d", s);
    }

    static String ciRequest(String service, String version) {
        return """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":true,
                 "change":{"ns":1,"nd":1,"nf":1,"entropy":0,"la":5,"ld":1,"lt":100,"fix":false,"ndev":3,"age":20,
                           "nuc":2,"exp":800,"rexp":300,"sexp":200,"files":["src/App.java"]}}""".formatted(service, version, service, version, service, version);
    }

    /** One engine replica: a Kafka consumer feeding the pipeline, and the pipeline's runner. */
    record Replica(Vertx vertx, KafkaDeployRequestConsumer consumer, PipelineRunner runner, DeployPipeline pipeline) {
        void stop() {
            runner.close();
            consumer.close();
            vertx.close();
        }
    }

    @Test
    void everyRequestEndsExactlyOnceAndNoServiceEverHasTwoDeploysInFlight() throws Exception {
        ServiceCatalog catalog = ConfigLoader.parse("test.yml", catalogYaml()).catalog();
        var cluster = new SimulatedCluster();
        for (int s = 1; s <= SERVICES; s++) {
            cluster.install(
                    new RolloutTarget("shop", service(s), service(s)), "registry.example/" + service(s) + ":1.0.0", 4);
        }
        var metrics = new SimulatedMetrics(cluster, svc -> new RolloutTarget("shop", svc, svc), 2_000, 11);
        var risk = RiskScorer.withDefaultRules(RiskModelJson.defaultModel());
        var clock = Clock.systemUTC();

        try (Database db = TestDatabases.open(Database.Vendor.POSTGRESQL);
                KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("deploy.requests", 8);
            kafka.createTopic("deploy.requests.dlq", 1);
            kafka.createTopic("deploy.events", 1);
            var audit = new JooqAuditLog(db, CheckpointSigner.generate(), 100, clock, Optional.empty());
            var deploys = new JooqDeployStore(db);
            var builds = new JooqBuildCatalog(db);

            var replicas = new ArrayList<Replica>();
            for (var name : List.of("engine-a", "engine-b")) {
                var ports = new PipelinePorts(
                        deploys,
                        builds,
                        new JooqPolicyStore(db),
                        new JooqIncidentStore(db),
                        audit,
                        cluster,
                        metrics,
                        e -> CompletableFuture.completedFuture(null),
                        n -> {},
                        risk,
                        () -> catalog,
                        clock,
                        io.harbormaster.engine.policy.PersonDirectory.NONE);
                var settings = new PipelineSettings(
                        name,
                        Duration.ofSeconds(3),
                        Duration.ofHours(1),
                        Duration.ofHours(1),
                        Duration.ofHours(1),
                        Duration.ofMinutes(1),
                        Duration.ofDays(30),
                        "test",
                        "test",
                        "production");
                var pipeline = new DeployPipeline(ports, settings);
                var vertx = Vertx.vertx();
                var consumer = new KafkaDeployRequestConsumer(
                        vertx,
                        KafkaConfig.of(kafka.bootstrapServers()).withIds(name, "harbormaster"),
                        new PipelineIntake(builds, deploys, pipeline, RequestSource.KAFKA, clock),
                        clock);
                consumer.start();
                replicas.add(
                        new Replica(vertx, consumer, new PipelineRunner(pipeline, Duration.ofMillis(200)), pipeline));
            }

            var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
            for (int v = 1; v <= VERSIONS; v++) {
                for (int s = 1; s <= SERVICES; s++) {
                    records.add(KafkaBroker.record("deploy.requests", service(s), ciRequest(service(s), "1.0." + v)));
                }
            }
            kafka.publish("deploy.requests", records.subList(0, 50));
            awaitDeploys(deploys, db, 40, Duration.ofSeconds(60));
            replicas.getFirst().stop(); // engine-a goes away midway, holding leases it never releases
            kafka.publish("deploy.requests", records.subList(50, 100));

            var deadline = Instant.now().plus(Duration.ofMinutes(3));
            var rolledBackByHand = new java.util.HashSet<Long>();
            while (Instant.now().isBefore(deadline)
                    && !(count(db) == 100 && deploys.inFlight().isEmpty())) {
                // A healthy canary is paused now and then (the analysis cannot tell, ~1 in a few hundred): the
                // on-call human decides, here by rolling it back, which lets the service's later deploys go on.
                for (var d : deploys.inFlight()) {
                    var transitions = deploys.transitions(d.id());
                    if (!transitions.isEmpty()
                            && transitions.getLast().reason().startsWith("paused")
                            && rolledBackByHand.add(d.id())) {
                        replicas.getLast().pipeline().rollbackRequested(d.service(), "U-oncall");
                    }
                }
                Thread.sleep(250);
            }
            replicas.getLast().stop();

            assertThat(count(db)).as("one deploy per request").isEqualTo(100);
            assertThat(deploys.inFlight())
                    .as(() -> "every deploy ended; unfinished: "
                            + deploys.inFlight().stream()
                                    .map(d -> d.id() + " " + d.service() + " "
                                            + deploys.transitions(d.id()).stream()
                                                    .map(t -> t.to() + "(" + t.actor() + ": " + t.reason() + ")")
                                                    .toList())
                                    .toList())
                    .isEmpty();
            var byService = new HashMap<String, List<Span>>();
            int promoted = 0;
            for (long id = 1; id <= maxId(db); id++) {
                var transitions = deploys.transitions(id);
                if (transitions.isEmpty()) {
                    continue;
                }
                assertThat(transitions)
                        .filteredOn(t -> t.to().terminal())
                        .as("deploy " + id + " ends once")
                        .hasSize(1);
                var d = deploys.find(id).orElseThrow();
                // A healthy canary is rolled back now and then (the sequential judge's false-rollback rate is ~0.3%);
                // the service's later automatic deploys are then blocked, which is how they may end instead.
                assertThat(d.state())
                        .as("deploy " + id)
                        .isIn(DeployState.PROMOTED, DeployState.ROLLED_BACK, DeployState.FAILED);
                if (d.state() == DeployState.FAILED) {
                    assertThat(transitions.getLast().reason())
                            .as("deploy " + id)
                            .contains("automatic deploys are blocked");
                }
                if (d.state() == DeployState.PROMOTED) {
                    promoted++;
                }
                var end = transitions.getLast().at();
                transitions.stream()
                        .filter(t -> t.to() == DeployState.CANARY)
                        .map(Transition::at)
                        .min(Comparator.naturalOrder())
                        .ifPresent(start -> byService
                                .computeIfAbsent(d.service(), k -> new ArrayList<>())
                                .add(new Span(start, end)));
            }
            assertThat(promoted).as("deploys promoted").isGreaterThanOrEqualTo(90);
            assertThat(byService).hasSize(SERVICES);
            byService.forEach((service, spans) -> {
                spans.sort(Comparator.comparing(Span::start));
                for (int i = 1; i < spans.size(); i++) {
                    assertThat(spans.get(i).start())
                            .as(service + " had two deploys in flight")
                            .isAfterOrEqualTo(spans.get(i - 1).end());
                }
            });
            assertThat(audit.verify().valid()).isTrue();
        }
    }

    /** When a deploy was in the cluster: from its canary's start to its end. */
    record Span(Instant start, Instant end) {}

    static int count(Database db) {
        return db.dsl().fetchCount(org.jooq.impl.DSL.table("deploy"));
    }

    static long maxId(Database db) {
        return ((Number) db.dsl().fetchValue("SELECT COALESCE(MAX(id), 0) FROM deploy")).longValue();
    }

    static void awaitDeploys(JooqDeployStore deploys, Database db, int atLeast, Duration timeout)
            throws InterruptedException {
        var end = Instant.now().plus(timeout);
        while (count(db) < atLeast && Instant.now().isBefore(end)) {
            Thread.sleep(100);
        }
    }
}
