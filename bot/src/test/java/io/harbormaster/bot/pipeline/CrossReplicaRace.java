package io.harbormaster.bot.pipeline;

import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

/**
 * Replicas of the engine over one database, each with its own connection pool, stores, audit log, pipeline and desk,
 * and two requests released on two of them at the same moment. In a held round each request's first look at the
 * store (the call the test names) waits, up to a second, for the other's: both then see the store as it was before
 * either changed it, the timing that is hardest to get right and rarest to happen by itself.
 */
final class CrossReplicaRace {
    /** Where the replicas' one database is. */
    enum Storage {
        H2_FILE,
        POSTGRESQL;

        /** A database for one test: an H2 file in {@code dir}, or a fresh database on the test PostgreSQL. */
        String url(Path dir) {
            return switch (this) {
                case H2_FILE -> "jdbc:h2:file:" + dir.resolve("harbormaster");
                case POSTGRESQL -> TestDatabases.url(Database.Vendor.POSTGRESQL);
            };
        }
    }

    /** What one request was answered, or what it threw. */
    record Answer<T>(T value, Throwable error) {
        /** The answer; what the request threw fails the test. */
        T orThrow() {
            if (error != null) {
                throw new AssertionError("the request failed", error);
            }
            return value;
        }
    }

    /** The two requests of one held round, and the threads that have looked at the store. */
    private static final class Round {
        final CountDownLatch looked = new CountDownLatch(2);
        final Set<Thread> arrived = ConcurrentHashMap.newKeySet();
    }

    private final String config;
    private final BiPredicate<String, Object[]> looks;
    private final AtomicReference<Round> round = new AtomicReference<>();

    /**
     * Replicas configured by {@code config}, whose requests' first look at the store is the first call for which
     * {@code looks} holds, given the {@link DeployStore} method's name and arguments.
     */
    CrossReplicaRace(String config, BiPredicate<String, Object[]> looks) {
        this.config = config;
        this.looks = looks;
    }

    /** A replica named {@code owner} over the database at {@code url}; the test closes it. */
    Replica open(String url, String owner) {
        return new Replica(url, owner);
    }

    /** One replica: its own pool, stores, audit log, pipeline and desk. */
    final class Replica implements AutoCloseable {
        final Database db;
        final PipelineFixture f;
        final DeployPipeline engine;
        final PipelineDesk desk;

        private Replica(String url, String owner) {
            db = Database.open(DatabaseConfig.of(url));
            f = new PipelineFixture(db, config);
            var store = heldTogether(f.deploys);
            var settings = PipelineSettings.defaults(owner);
            engine = f.engine(settings, store);
            desk = new PipelineDesk(
                    engine,
                    store,
                    f.policies,
                    f.audit,
                    new DeployThreads(new JooqSlackThreads(db)),
                    settings,
                    id -> {},
                    f.clock);
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /** The store, except that in a held round each request's first look at it waits for the other request's. */
    private DeployStore heldTogether(DeployStore store) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    var r = round.get();
                    if (r != null && looks.test(method.getName(), args) && r.arrived.add(Thread.currentThread())) {
                        r.looked.countDown();
                        r.looked.await(1, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Both requests released at once, each on a thread of its own (and so on the replica it calls); {@code held}: made
     * to look at the store together. Their answers in the order given.
     */
    <T> List<Answer<T>> race(boolean held, Callable<T> first, Callable<T> second) throws Exception {
        round.set(held ? new Round() : null);
        var go = new CountDownLatch(1);
        var answers = new ArrayList<Answer<T>>();
        try (var pool = Executors.newFixedThreadPool(2)) {
            var started = new ArrayList<Future<T>>();
            for (var request : List.of(first, second)) {
                started.add(pool.submit(() -> {
                    go.await();
                    return request.call();
                }));
            }
            go.countDown();
            for (var request : started) {
                try {
                    answers.add(new Answer<>(request.get(60, TimeUnit.SECONDS), null));
                } catch (ExecutionException e) {
                    answers.add(new Answer<>(null, e.getCause()));
                }
            }
        } finally {
            round.set(null);
        }
        return answers;
    }

    /** The notices of both replicas' pipelines. */
    static Stream<DeployNotice> notices(Replica a, Replica b) {
        return Stream.concat(a.f.notices.stream(), b.f.notices.stream());
    }
}
