package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.rollout.StableTrackReading;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a first canary read from its stable track, on H2 and on a real PostgreSQL. */
class StableTrackReadingStoreTest {
    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final Instant FROM = START.minusSeconds(600);

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    /** Sums no short decimal represents: they must come back bit for bit. */
    static final CanaryNoise NOISE = new CanaryNoise(
            new CanaryNoise.Reading(50, 50 * (0.1 + 0.2)),
            new CanaryNoise.Reading(49, 49 * Math.PI),
            new CanaryNoise.Spread(60, 60 * 1.4599999999999999),
            new CanaryNoise.Bursts(-1.0 / 3, 123456.78901234567, Math.nextUp(2.0)));

    @ParameterizedTest
    @MethodSource("vendors")
    void aReadingAndAWindowNotReadReadBackExactlyAndTheFirstOneRecordedStays(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long read = CanarySampleStoreTest.deploy(store, "slack:1");
            long notRead = CanarySampleStoreTest.deploy(store, "slack:2");
            assertThat(store.stableTrackReading(read)).isEmpty();

            var reading = new StableTrackReading.Read(FROM, START, START.plusSeconds(10), 58, NOISE);
            assertThat(store.recordStableTrackReading(read, reading)).isEqualTo(reading);
            var none = new StableTrackReading.NotRead(
                    FROM, START, START.plusSeconds(10), "the metrics store did not answer: connection refused");
            assertThat(store.recordStableTrackReading(notRead, none)).isEqualTo(none);

            assertThat(store.stableTrackReading(read)).contains(reading);
            assertThat(Double.doubleToRawLongBits(store.stableTrackReading(read)
                            .orElseThrow()
                            .noise()
                            .p50()
                            .sumSquares()))
                    .isEqualTo(Double.doubleToRawLongBits(50 * (0.1 + 0.2)));
            assertThat(store.stableTrackReading(notRead)).contains(none);
            assertThat(store.stableTrackReading(notRead).orElseThrow().noise()).isEqualTo(CanaryNoise.NONE);

            // recorded again (a retry, another replica that read the track later): the first one stays
            var later = new StableTrackReading.NotRead(FROM, START, START.plusSeconds(20), "too little data");
            assertThat(store.recordStableTrackReading(read, later)).isEqualTo(reading);
            assertThat(new JooqDeployStore(db).recordStableTrackReading(notRead, reading))
                    .isEqualTo(none);
            assertThat(db.dsl().fetchCount(DSL.table("canary_stable_noise"))).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void replicasRecordingAtOnceAllGetTheOneReadingThatWasStored(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = CanarySampleStoreTest.deploy(store, "slack:1");
            int replicas = 6;
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(replicas);
            var offered = new ArrayList<StableTrackReading>();
            var results = new ArrayList<Future<StableTrackReading>>();
            try {
                for (int r = 0; r < replicas; r++) {
                    StableTrackReading mine = r % 2 == 0
                            ? new StableTrackReading.Read(FROM, START, START.plusSeconds(r), 50 + r, NOISE)
                            : new StableTrackReading.NotRead(FROM, START, START.plusSeconds(r), "replica " + r);
                    offered.add(mine);
                    Callable<StableTrackReading> record = () -> {
                        start.await();
                        return store.recordStableTrackReading(id, mine);
                    };
                    results.add(pool.submit(record));
                }
                start.countDown();
                var got = new ArrayList<StableTrackReading>();
                for (var f : results) {
                    got.add(f.get()); // none fails
                }
                var stored = store.stableTrackReading(id).orElseThrow();
                assertThat(offered).contains(stored);
                assertThat(got).containsOnly(stored);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theReadingOfAnUnknownDeployIsRefusedAndTheTableRefusesHalfAReading(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            assertThatThrownBy(() -> store.recordStableTrackReading(
                            404, new StableTrackReading.NotRead(FROM, START, START, "too little data")))
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("404");
            assertThat(store.stableTrackReading(404)).isEmpty();

            // a row with a reason and noise, or with neither, is neither a reading nor a window not read
            long id = CanarySampleStoreTest.deploy(store, "slack:1");
            var t = DSL.table("canary_stable_noise");
            assertThatThrownBy(() -> db.dsl()
                            .insertInto(t)
                            .set(DSL.field("deploy_id"), id)
                            .set(DSL.field("window_from"), java.time.OffsetDateTime.parse("2026-11-23T09:50:00Z"))
                            .set(DSL.field("window_to"), java.time.OffsetDateTime.parse("2026-11-23T10:00:00Z"))
                            .set(DSL.field("recorded_at"), java.time.OffsetDateTime.parse("2026-11-23T10:00:10Z"))
                            .set(DSL.field("intervals"), 58)
                            .execute())
                    .isInstanceOf(DataAccessException.class);
            assertThatThrownBy(() -> db.dsl()
                            .insertInto(t)
                            .set(DSL.field("deploy_id"), id)
                            .set(DSL.field("window_from"), java.time.OffsetDateTime.parse("2026-11-23T10:00:00Z"))
                            .set(DSL.field("window_to"), java.time.OffsetDateTime.parse("2026-11-23T09:50:00Z"))
                            .set(DSL.field("recorded_at"), java.time.OffsetDateTime.parse("2026-11-23T10:00:10Z"))
                            .set(DSL.field("not_read"), "too little data")
                            .execute())
                    .isInstanceOf(DataAccessException.class);
            assertThat(store.stableTrackReading(id)).isEmpty();
        }
    }
}
