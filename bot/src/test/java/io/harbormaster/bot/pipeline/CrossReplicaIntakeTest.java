package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas, each with its own pipeline, audit log and connection pool, over one database, are asked for the same
 * version of a service at the same moment: {@code /deploy checkout 1.4.1} typed on one and CI announcing it on the
 * other, or a Slack retry that reached the other replica. One deploy starts; the other request is answered with it.
 */
class CrossReplicaIntakeTest {
    static final String CONFIG = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout: {namespace: shop, approvers: shop-approvers}
            """;
    static final int ROUNDS = 30;

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

    /** The two requests of one round, and whether they were held to reach the store at the same moment. */
    static final class Round {
        final CountDownLatch arrived = new CountDownLatch(2);
        final Set<Thread> seen = ConcurrentHashMap.newKeySet();
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
            engine = f.engine(PipelineSettings.defaults(owner), heldTogether(f.deploys, round));
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /**
     * The store, except that in a held round each request's first look at it (the deploys of the service in flight,
     * or the intake, whichever the pipeline asks for first) waits, up to a second, for the other request's: both then
     * reach the store before either has stored anything.
     */
    static DeployStore heldTogether(DeployStore store, AtomicReference<Round> round) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    var r = round.get();
                    boolean looks = method.getName().equals("intake")
                            || (method.getName().equals("inFlight") && args != null && args.length == 1);
                    if (r != null && looks && r.seen.add(Thread.currentThread())) {
                        r.arrived.countDown();
                        r.arrived.await(1, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static DeployRequest request(String key, RequestSource source, String version, String user) {
        return new DeployRequest(
                key,
                source,
                "checkout",
                version,
                "production",
                user,
                false,
                "{}",
                Instant.parse("2026-11-24T10:00:00Z"));
    }

    /** Both requests released at once, one on each replica; {@code held}: made to reach the store together. */
    List<Submission> race(boolean held, Replica a, DeployRequest onA, Replica b, DeployRequest onB) throws Exception {
        round.set(held ? new Round() : null);
        var go = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(2)) {
            var first = pool.submit(() -> {
                go.await();
                return a.engine.submit(onA);
            });
            var second = pool.submit(() -> {
                go.await();
                return b.engine.submit(onB);
            });
            go.countDown();
            return List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
        } finally {
            round.set(null);
        }
    }

    static long requestedAudits(Replica r, long deployId) {
        return r.f.audited(deployId, "deploy.requested").size();
    }

    static long acceptedNotices(Replica a, Replica b, String version) {
        return java.util.stream.Stream.concat(a.f.notices.stream(), b.f.notices.stream())
                .filter(n -> n instanceof DeployNotice.Accepted acc
                        && acc.deploy().version().equals(version))
                .count();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void theSameVersionAskedForOnTwoReplicasAtOnceStartsOneDeployAndTheOtherRequestIsGivenIt(Storage storage)
            throws Exception {
        var url = url(storage);
        try (var a = new Replica(url, "engine-a", round);
                var b = new Replica(url, "engine-b", round)) {
            for (int i = 0; i < ROUNDS; i++) {
                var version = "1.4." + i;
                a.f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
                // typed on one replica while CI asks for it on the other; every third round, one Slack request whose
                // retry reached the other replica (the same idempotency key)
                boolean retry = i % 3 == 2;
                var onA = request("slack:" + version, RequestSource.SLACK, version, "U0DEV");
                var onB = retry ? onA : request("kafka:ci-" + version, RequestSource.KAFKA, version, "ci");
                boolean held = i % 2 == 0;
                var answers = race(held, a, onA, b, onB);
                var what =
                        "round " + i + (retry ? " (a retry)" : "") + (held ? ", held together" : "") + ": " + answers;

                assertThat(answers).as(what).allMatch(s -> s instanceof Submission.Accepted);
                var accepted =
                        answers.stream().map(s -> (Submission.Accepted) s).toList();
                assertThat(accepted).as(what).filteredOn(s -> !s.duplicate()).hasSize(1);
                assertThat(accepted)
                        .as(what)
                        .filteredOn(Submission.Accepted::duplicate)
                        .hasSize(1);
                long id = accepted.getFirst().deploy().id();
                assertThat(accepted.getLast().deploy().id())
                        .as(what + ": both are answered with the one deploy")
                        .isEqualTo(id);
                assertThat(a.f.deploys.inFlight("checkout"))
                        .as(what)
                        .filteredOn(d -> d.version().equals(version))
                        .hasSize(1);
                assertThat(requestedAudits(a, id)).as(what).isEqualTo(1);
                assertThat(acceptedNotices(a, b, version)).as(what).isEqualTo(1);
            }
            // each version asked for is a deploy of its own, queued behind the ones before
            assertThat(b.f.deploys.inFlight("checkout")).hasSize(ROUNDS);
            assertThat(a.f.audit.verify().valid()).isTrue();
        }
    }
}
