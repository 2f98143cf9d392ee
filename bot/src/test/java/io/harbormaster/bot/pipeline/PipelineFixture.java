package io.harbormaster.bot.pipeline;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskScorer;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.PipelinePorts;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqBuildCatalog;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import io.harbormaster.storage.pipeline.JooqPolicyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A whole pipeline on a real database with the sandbox's simulated cluster and metrics, a clock the test moves, and
 * recorders for events and notices.
 */
final class PipelineFixture {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout:
                namespace: shop
                approvers: shop-approvers
                dependencies:
                  payments: {min_version: "1.0.0"}
              payments:
                namespace: shop
                approvers: shop-approvers
            """;

    /** A clock that moves only when told. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final Database db;
    final TestClock clock = new TestClock(Instant.parse("2026-11-24T10:00:00Z")); // a Tuesday morning
    final SimulatedCluster cluster = new SimulatedCluster();
    /** The cluster the engines made from now on drive ({@link #cluster} unless a test wraps it). */
    volatile io.harbormaster.engine.rollout.Cluster clusterPort = cluster;
    /** The configuration's catalog, as the engines read it at every step: a test may configure it otherwise. */
    volatile ServiceCatalog catalog;

    final SimulatedMetrics metrics;
    /** The metrics source the engines made from now on read ({@link #metrics} unless a test wraps it). */
    volatile io.harbormaster.engine.canary.MetricsSource metricsSource;

    final JooqDeployStore deploys;
    final JooqBuildCatalog builds;
    final JooqPolicyStore policies;
    final JooqIncidentStore incidents;
    final JooqAuditLog audit;
    /** The audit log the engines made from now on append to ({@link #audit} unless a test wraps it). */
    volatile io.harbormaster.engine.audit.AuditLog auditLog;

    final List<DeployEvent> events = new CopyOnWriteArrayList<>();
    final List<DeployNotice> notices = new CopyOnWriteArrayList<>();
    /** Told every notice after it is recorded (the Slack notifier, say). */
    volatile io.harbormaster.engine.rollout.Notifier alsoNotify = io.harbormaster.engine.rollout.Notifier.NONE;
    /** The services whose canary was evaluated, once per evaluation, as the pipeline reports them for /metrics. */
    final List<String> analysed = new CopyOnWriteArrayList<>();

    final RiskScorer risk = RiskScorer.withDefaultRules(RiskModelJson.defaultModel());

    PipelineFixture(Database db) {
        this(db, CONFIG);
    }

    /** ... with its own configuration; each of its services runs version 1.0.0 on 10 replicas. */
    PipelineFixture(Database db, String config) {
        this.db = db;
        catalog = ConfigLoader.parse("test.yml", config).catalog();
        deploys = new JooqDeployStore(db);
        builds = new JooqBuildCatalog(db);
        policies = new JooqPolicyStore(db);
        incidents = new JooqIncidentStore(db);
        audit = new JooqAuditLog(db, CheckpointSigner.generate(), 50, clock, Optional.empty());
        auditLog = audit;
        metrics = new SimulatedMetrics(cluster, s -> target(s), 200, 7);
        metricsSource = metrics;
        for (var s : catalog.services().keySet()) {
            cluster.install(target(s), "registry.example/" + s + ":1.0.0", 10);
        }
    }

    RolloutTarget target(String service) {
        return new RolloutTarget("shop", service, service);
    }

    /** A pipeline as one engine replica would run it. */
    DeployPipeline engine(String owner) {
        return engine(PipelineSettings.defaults(owner), deploys);
    }

    /** A pipeline with its own settings, over {@code store} (a recording wrapper of {@link #deploys}, say). */
    DeployPipeline engine(PipelineSettings settings, io.harbormaster.engine.rollout.DeployStore store) {
        return engine(settings, store, System::nanoTime);
    }

    /** ... and a monotonic clock of the test's own. */
    DeployPipeline engine(
            PipelineSettings settings,
            io.harbormaster.engine.rollout.DeployStore store,
            java.util.function.LongSupplier monotonicNanos) {
        var ports = new PipelinePorts(
                store,
                builds,
                policies,
                incidents,
                auditLog,
                clusterPort,
                metricsSource,
                e -> {
                    events.add(e);
                    return CompletableFuture.completedFuture(null);
                },
                n -> {
                    notices.add(n);
                    alsoNotify.notify(n);
                },
                risk,
                () -> catalog,
                clock,
                io.harbormaster.engine.policy.PersonDirectory.NONE);
        return new DeployPipeline(
                ports,
                settings,
                (service, took) -> {
                    if (!took.isNegative()) {
                        analysed.add(service);
                    }
                },
                monotonicNanos);
    }

    /** {@code cluster} as the engines see it, with {@code before} run ahead of each call. */
    static io.harbormaster.engine.rollout.Cluster around(
            io.harbormaster.engine.rollout.Cluster cluster, java.util.function.BiConsumer<String, Object[]> before) {
        return (io.harbormaster.engine.rollout.Cluster) java.lang.reflect.Proxy.newProxyInstance(
                io.harbormaster.engine.rollout.Cluster.class.getClassLoader(),
                new Class<?>[] {io.harbormaster.engine.rollout.Cluster.class},
                (proxy, method, args) -> {
                    before.accept(method.getName(), args);
                    try {
                        return method.invoke(cluster, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static final String SMALL_CHANGE = """
            {"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],"author":"U0DEV"}""";
    static final String MIGRATION = """
            {"ns":1,"nd":2,"nf":2,"entropy":0.9,"la":40,"ld":0,"lt":50,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/resources/db/migration/V7__orders.sql","src/Order.java"],
             "author":"U0CAT"}""";

    void announce(String service, String version, String change) {
        builds.announce(new AnnouncedBuild(
                service,
                version,
                "registry.example/" + service + ":" + version,
                "abc1234",
                "ci-" + version,
                "success",
                change,
                clock.instant()));
    }

    /** Submits {@code request}, which must be accepted, and returns the deploy's id. */
    static long acceptedId(DeployPipeline engine, DeployRequest request) {
        return ((io.harbormaster.engine.rollout.Submission.Accepted) engine.submit(request))
                .deploy()
                .id();
    }

    static DeployRequest slackRequest(String key, String service, String version, String user) {
        return slackRequest(key, service, version, user, false);
    }

    /** ... sent with {@code --emergency} when {@code emergency}. */
    static DeployRequest slackRequest(String key, String service, String version, String user, boolean emergency) {
        return request(key, RequestSource.SLACK, service, version, user, emergency);
    }

    /** A request from {@code source} (CI's, say) for production. */
    static DeployRequest request(String key, RequestSource source, String service, String version, String user) {
        return request(key, source, service, version, user, false);
    }

    private static DeployRequest request(
            String key, RequestSource source, String service, String version, String user, boolean emergency) {
        return new DeployRequest(
                key,
                source,
                service,
                version,
                "production",
                user,
                emergency,
                "{}",
                Instant.parse("2026-11-24T10:00:00Z"));
    }

    /** The deploy's audit entries of {@code action}, in order. */
    List<io.harbormaster.engine.audit.AuditRecord> audited(long deployId, String action) {
        var out = new java.util.ArrayList<io.harbormaster.engine.audit.AuditRecord>();
        audit.scan(io.harbormaster.engine.audit.AuditQuery.all().withDeploy(Long.toString(deployId)), e -> {
            if (e.record().action().equals(action)) {
                out.add(e.record());
            }
        });
        return out;
    }

    /** Ticks the engine every analysis interval until the deploy ends or {@code limit} passes. */
    io.harbormaster.engine.rollout.Deploy runUntilDone(DeployPipeline engine, long deployId, Duration limit) {
        var end = clock.instant().plus(limit);
        var d = engine.advance(deployId).orElseThrow();
        while (!d.state().terminal() && clock.instant().isBefore(end)) {
            clock.advance(Duration.ofSeconds(10));
            d = engine.advance(deployId).orElseThrow();
        }
        return d;
    }
}
