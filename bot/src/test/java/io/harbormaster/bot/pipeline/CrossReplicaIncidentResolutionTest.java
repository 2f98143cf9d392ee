package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.rollout.IncidentResolution;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two approvers resolve one incident at once, one on each of two replicas over one database: the first holds the
 * incident's row while its {@code incident.resolved} entry is written, longer than H2's lock timeout (a slow audit log,
 * a busy database), and the second waits its turn for the row as a deploy store's steps do, then finds the incident
 * resolved, instead of failing on H2's lock timeout. The advisor's hypothesis, written on the incident by the replica
 * that rolled the deploy back while a person resolves it on another, waits its turn the same way.
 */
class CrossReplicaIncidentResolutionTest {
    /** How long the first resolution holds the incident's row: past H2's lock timeout of one second, twice over. */
    static final Duration HELD = Duration.ofMillis(2500);

    @TempDir
    Path dir;

    /**
     * {@code log}, except that writing an {@code incident.resolved} entry says so on {@code writing}, then takes
     * {@link #HELD}.
     */
    static AuditLog slowToResolve(AuditLog log, CountDownLatch writing) {
        return (AuditLog) Proxy.newProxyInstance(
                AuditLog.class.getClassLoader(), new Class<?>[] {AuditLog.class}, (proxy, method, args) -> {
                    if (method.getName().equals("append")
                            && ((AuditRecord) args[0]).action().equals("incident.resolved")) {
                        writing.countDown();
                        Thread.sleep(HELD.toMillis());
                    }
                    try {
                        return method.invoke(log, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(CrossReplicaRace.Storage.class)
    void aResolutionWhileAnotherReplicaHoldsTheIncidentPastH2sLockTimeoutWaitsItsTurnAndFindsItResolved(
            CrossReplicaRace.Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var dbA = Database.open(DatabaseConfig.of(url));
                var dbB = Database.open(DatabaseConfig.of(url))) {
            var a = new PipelineFixture(dbA);
            var b = new PipelineFixture(dbB);
            var writing = new CountDownLatch(1);
            b.auditLog = slowToResolve(b.audit, writing);
            var engineA = a.engine(PipelineSettings.defaults("engine-a"), a.deploys);
            var engineB = b.engine(PipelineSettings.defaults("engine-b"), b.deploys);
            var incident = a.incidents.open(
                    OptionalLong.empty(),
                    "payments",
                    "1.1.0",
                    "p99",
                    "p99: slow checkout calls",
                    "",
                    a.clock.instant());

            IncidentResolution first;
            IncidentResolution second;
            try (var pool = Executors.newSingleThreadExecutor()) {
                var onB = pool.submit(() -> engineB.resolveIncident(incident.id(), "U0ANN", "pool size raised"));
                assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();
                // B holds the incident's row now, while its entry is written
                var started = System.nanoTime();
                second = engineA.resolveIncident(incident.id(), "U0BOB", "cache warmed");
                var waited = Duration.ofNanos(System.nanoTime() - started);
                first = onB.get(60, TimeUnit.SECONDS);
                assertThat(waited).as("it waited for B's resolution").isGreaterThan(HELD.dividedBy(2));
            }

            assertThat(first).isInstanceOf(IncidentResolution.Resolved.class);
            assertThat(second).isInstanceOfSatisfying(IncidentResolution.AlreadyResolved.class, r -> assertThat(
                            r.incident().resolution())
                    .contains("resolved by U0ANN: pool size raised"));
            var entries = new AtomicLong();
            a.audit.scan(AuditQuery.all(), e -> {
                if (e.record().action().equals("incident.resolved")) {
                    entries.incrementAndGet();
                }
            });
            assertThat(entries).as("audited once").hasValue(1);
            assertThat(a.incidents.find(incident.id()).orElseThrow().resolution())
                    .contains("resolved by U0ANN: pool size raised");
        }
    }

    @ParameterizedTest
    @EnumSource(CrossReplicaRace.Storage.class)
    void aHypothesisWrittenWhileAnotherReplicaResolvesTheIncidentPastH2sLockTimeoutWaitsItsTurnAndIsKept(
            CrossReplicaRace.Storage storage) throws Exception {
        var url = storage.url(dir);
        try (var dbA = Database.open(DatabaseConfig.of(url));
                var dbB = Database.open(DatabaseConfig.of(url))) {
            var a = new PipelineFixture(dbA);
            var b = new PipelineFixture(dbB);
            var writing = new CountDownLatch(1);
            b.auditLog = slowToResolve(b.audit, writing);
            var engineB = b.engine(PipelineSettings.defaults("engine-b"), b.deploys);
            var incident = a.incidents.open(
                    OptionalLong.empty(),
                    "payments",
                    "1.1.0",
                    "p99",
                    "p99: slow checkout calls",
                    "",
                    a.clock.instant());
            var hypothesis = "the connection pool is too small\nCheck first: pool size";

            IncidentResolution resolution;
            try (var pool = Executors.newSingleThreadExecutor()) {
                var onB = pool.submit(() -> engineB.resolveIncident(incident.id(), "U0ANN", "pool size raised"));
                assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();
                // B holds the incident's row now, while its entry is written; A's advisor stores its hypothesis
                var started = System.nanoTime();
                // before: on H2, DataAccessException (HYT00) after one lock timeout, and the hypothesis was lost
                var hypothesized = a.incidents.hypothesize(incident.id(), hypothesis);
                var waited = Duration.ofNanos(System.nanoTime() - started);
                resolution = onB.get(60, TimeUnit.SECONDS);
                assertThat(waited).as("it waited for B's resolution").isGreaterThan(HELD.dividedBy(2));
                assertThat(hypothesized.hypothesis()).isEqualTo(hypothesis);
            }

            assertThat(resolution).isInstanceOf(IncidentResolution.Resolved.class);
            var after = a.incidents.find(incident.id()).orElseThrow();
            assertThat(after.hypothesis()).isEqualTo(hypothesis);
            assertThat(after.resolution()).contains("resolved by U0ANN: pool size raised");
        }
    }
}
