package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Frozen canary samples, on H2 and on a real PostgreSQL. */
class CanarySampleStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static IntervalSample sample(long t, double canaryErrors) {
        return new IntervalSample(
                t, new TrackSample(1000, 4, 41.5, 180.25, 0), new TrackSample(50, canaryErrors, 43.0, 199.5, 1));
    }

    static long deploy(JooqDeployStore store, String key) {
        return store.intake(DeployStoreTest.request(key, "checkout")).deploy().id();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void samplesReadBackInOrderWithNoDataAsNaNAndTheFirstStoredValueWins(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = deploy(store, "slack:1");
            long other = deploy(store, "slack:2");
            assertThat(store.frozenSamples(id)).isEmpty();

            var partly = new IntervalSample(
                    10,
                    new TrackSample(0, 0, Double.NaN, Double.NaN, 0),
                    new TrackSample(Double.NaN, 3, 40, Double.NaN, Double.NaN));
            var nothing = new IntervalSample(20, TrackSample.NO_DATA, TrackSample.NO_DATA);
            assertThat(store.freezeSamples(id, List.of(nothing, sample(0, 1), partly), T0))
                    .isEqualTo(3);
            store.freezeSamples(other, List.of(sample(0, 7)), T0);

            var read = store.frozenSamples(id);
            assertThat(read).containsExactly(sample(0, 1), partly, nothing);
            assertThat(read.get(2).canary().p99Ms()).isNaN();
            assertThat(read.get(1).baseline().p50Ms()).isNaN();
            assertThat(read.get(1).baseline().requests()).isZero();
            // NaN is stored as SQL NULL (no data), never as a number
            assertThat(db.dsl()
                            .fetchCount(
                                    org.jooq.impl.DSL.table("canary_sample"),
                                    org.jooq
                                            .impl
                                            .DSL
                                            .field("deploy_id")
                                            .eq(id)
                                            .and(org.jooq
                                                    .impl
                                                    .DSL
                                                    .field("canary_p99_ms")
                                                    .isNull())))
                    .isEqualTo(2);

            // a revised interval stored again changes nothing; a new one is added
            assertThat(store.freezeSamples(id, List.of(sample(0, 50), sample(30, 2)), T0.plusSeconds(40)))
                    .isEqualTo(1);
            assertThat(store.frozenSamples(id)).containsExactly(sample(0, 1), partly, nothing, sample(30, 2));
            assertThat(store.frozenSamples(other)).containsExactly(sample(0, 7));
            assertThat(store.freezeSamples(id, List.of(), T0)).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void replicasFreezingTheSameIntervalsAtOnceAllSucceedAndOneValuePerIntervalStays(Database.Vendor vendor)
            throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = deploy(store, "slack:1");
            int replicas = 6;
            int intervals = 30;
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(replicas);
            try {
                var results = new ArrayList<Future<Integer>>();
                for (int r = 0; r < replicas; r++) {
                    int replica = r;
                    var mine = new ArrayList<IntervalSample>();
                    for (int i = 0; i < intervals; i++) {
                        mine.add(sample(i * 10L, replica)); // each replica read its own value of every interval
                    }
                    Callable<Integer> freeze = () -> {
                        start.await();
                        return store.freezeSamples(id, mine, T0);
                    };
                    results.add(pool.submit(freeze));
                }
                start.countDown();
                int stored = 0;
                for (var f : results) {
                    stored += f.get(); // none fails
                }
                assertThat(stored).isEqualTo(intervals);
            } finally {
                pool.shutdownNow();
            }
            var read = store.frozenSamples(id);
            assertThat(read).hasSize(intervals);
            for (int i = 0; i < intervals; i++) {
                var s = read.get(i);
                assertThat(s.t()).isEqualTo(i * 10L);
                assertThat(s.canary().errors()).isBetween(0.0, replicas - 1.0);
                assertThat(s).isEqualTo(sample(i * 10L, s.canary().errors()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void freezingSamplesOfAnUnknownDeployIsRefused(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            assertThatThrownBy(() -> store.freezeSamples(404, List.of(sample(0, 1)), T0))
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("404");
            assertThat(store.frozenSamples(404)).isEmpty();
        }
    }
}
