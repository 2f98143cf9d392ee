package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Locks, freezes, blocks, incidents and announced builds, on H2 and on a real PostgreSQL. */
class PolicyAndIncidentStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aServiceHasAtMostOneLockAndUnlockReturnsIt(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyStore(db);
            var first = store.lock(new ServiceLock("checkout", "incident 42", "U1", T0));
            var second = store.lock(new ServiceLock("checkout", "other", "U2", T0.plusSeconds(5)));
            assertThat(second).isEqualTo(first);
            assertThat(store.lockOf("checkout")).contains(first);
            assertThat(store.unlock("checkout")).contains(first);
            assertThat(store.unlock("checkout")).isEmpty();
            assertThat(store.lockOf("checkout")).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void freezesCoverTheirServiceOrAllServicesOnlyWithinTheirPeriod(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyStore(db);
            store.addFreeze(Optional.of("checkout"), T0, T0.plus(Duration.ofHours(2)), "black friday", "U1");
            store.addFreeze(Optional.empty(), T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(3)), "all", "U1");
            assertThat(store.freezesCovering("checkout", T0.plusSeconds(60)))
                    .extracting(f -> f.reason())
                    .containsExactly("black friday");
            assertThat(store.freezesCovering("search", T0.plusSeconds(60))).isEmpty();
            assertThat(store.freezesCovering("search", T0.plus(Duration.ofMinutes(90))))
                    .extracting(f -> f.reason())
                    .containsExactly("all");
            assertThat(store.freezesCovering("checkout", T0.plus(Duration.ofHours(3))))
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anAutoDeployBlockIsExtendedButNeverShortened(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyStore(db);
            var hour = T0.plus(Duration.ofHours(1));
            store.blockAutoDeploys("checkout", hour, "rollback of 1.2", OptionalLong.of(7));
            store.blockAutoDeploys("checkout", T0.plusSeconds(60), "shorter", OptionalLong.empty());
            assertThat(store.autoDeployBlock("checkout", T0).orElseThrow().until())
                    .isEqualTo(hour);
            var later = T0.plus(Duration.ofHours(2));
            store.blockAutoDeploys("checkout", later, "rollback of 1.3", OptionalLong.of(9));
            var block = store.autoDeployBlock("checkout", T0).orElseThrow();
            assertThat(block.until()).isEqualTo(later);
            assertThat(block.deployId()).hasValue(9);
            assertThat(store.autoDeployBlock("checkout", later)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void incidentsAreListedNewestFirstAndCanBeResolved(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqIncidentStore(db);
            var a = store.open(OptionalLong.empty(), "checkout", "1.1", "error_rate", "5xx up", "db pool", T0);
            var b = store.open(OptionalLong.empty(), "checkout", "1.2", "p99", "slow", "n+1", T0.plusSeconds(10));
            store.open(OptionalLong.empty(), "search", "3.0", "p99", "slow", "gc", T0.plusSeconds(20));
            assertThat(store.recent("checkout", T0)).extracting(i -> i.id()).containsExactly(b.id(), a.id());
            var resolved = store.resolve(a.id(), "pool size raised", T0.plusSeconds(99), () -> {})
                    .orElseThrow();
            assertThat(resolved.resolution()).contains("pool size raised");
            assertThat(resolved.resolvedAt()).contains(T0.plusSeconds(99));
            var hypothesized = store.hypothesize(b.id(), "the new query misses an index");
            assertThat(hypothesized.hypothesis()).isEqualTo("the new query misses an index");
            assertThat(store.recent("checkout", T0).getFirst().hypothesis()).isEqualTo("the new query misses an index");
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anIncidentIsResolvedOnceAndItsAuditRunsOnlyForTheResolutionThatTookIt(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqIncidentStore(db);
            var a = store.open(OptionalLong.empty(), "inventory", "2.7.6", "stopped by hand", "rollback", "", T0);
            var b = store.open(OptionalLong.empty(), "inventory", "2.7.7", "p99", "slow", "", T0.plusSeconds(5));
            store.open(OptionalLong.empty(), "search", "3.0", "p99", "slow", "", T0.plusSeconds(6));
            assertThat(store.unresolved("inventory")).extracting(i -> i.id()).containsExactly(a.id(), b.id());
            assertThat(store.find(a.id())).contains(a);
            assertThat(store.find(a.id() + 1000)).isEmpty();

            var audits = new java.util.concurrent.atomic.AtomicInteger();
            var first = store.resolve(a.id(), "resolved by U1: cache warmed", T0.plusSeconds(60), () -> {
                // the row is held while the audit entry is written: a second resolution now must wait for it
                assertThat(audits.incrementAndGet()).isEqualTo(1);
            });
            assertThat(first.orElseThrow().resolution()).contains("resolved by U1: cache warmed");
            var second = store.resolve(a.id(), "resolved by U2", T0.plusSeconds(70), audits::incrementAndGet);
            assertThat(audits).hasValue(1);
            assertThat(second.orElseThrow().resolution())
                    .as("the first resolution stands")
                    .contains("resolved by U1: cache warmed");
            assertThat(second.orElseThrow().resolvedAt()).contains(T0.plusSeconds(60));
            assertThat(store.resolve(a.id() + 1000, "x", T0, audits::incrementAndGet))
                    .isEmpty();
            assertThat(audits).hasValue(1);
            assertThat(store.unresolved("inventory")).extracting(i -> i.id()).containsExactly(b.id());
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void twoResolutionsAtTheSameMomentRecordAndAuditOne(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqIncidentStore(db);
            var a = store.open(OptionalLong.empty(), "inventory", "2.7.6", "p99", "slow", "", T0);
            var audits = new java.util.concurrent.atomic.AtomicInteger();
            var start = new java.util.concurrent.CountDownLatch(1);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var results = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (var who : java.util.List.of("U1", "U2")) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.resolve(a.id(), "resolved by " + who, T0.plusSeconds(60), () -> {
                            audits.incrementAndGet();
                            try {
                                Thread.sleep(200); // the other resolution arrives while this one holds the row
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                    }));
                }
                start.countDown();
                for (var r : results) {
                    r.get();
                }
            }
            assertThat(audits).hasValue(1);
            assertThat(store.find(a.id()).orElseThrow().resolution()).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aResolutionWaitsItsTurnWhileAnotherReplicaHoldsTheIncidentsRowLongerThanH2sLockTimeout(Database.Vendor vendor)
            throws Exception {
        var url = TestDatabases.url(vendor);
        try (var db = Database.open(io.harbormaster.storage.DatabaseConfig.of(url));
                var other = Database.open(io.harbormaster.storage.DatabaseConfig.of(url))) {
            var store = new JooqIncidentStore(db);
            var a = store.open(OptionalLong.empty(), "inventory", "2.7.6", "p99", "slow", "", T0);
            var held = new java.util.concurrent.CountDownLatch(1);
            var hold = Duration.ofMillis(2500); // H2's lock timeout is one second: held past it, twice over
            var audits = new java.util.concurrent.atomic.AtomicInteger();
            try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
                // the other replica holds the incident's row (its own resolution, writing its audit entry)
                var holder = pool.submit(() -> {
                    other.dsl().transaction(cfg -> {
                        org.jooq
                                .impl
                                .DSL
                                .using(cfg)
                                .selectFrom(io.harbormaster.storage.jooq.Tables.INCIDENT)
                                .where(io.harbormaster.storage.jooq.Tables.INCIDENT.ID.eq(a.id()))
                                .forUpdate()
                                .fetchSingle();
                        held.countDown();
                        Thread.sleep(hold.toMillis());
                    });
                    return null;
                });
                assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();

                // before: on H2, DataAccessException (HYT00) after one lock timeout, while the other still held it
                var resolved = store.resolve(a.id(), "resolved by U1", T0.plusSeconds(60), audits::incrementAndGet);

                holder.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(resolved.orElseThrow().resolution()).contains("resolved by U1");
            }
            assertThat(audits).as("audited once, after the wait").hasValue(1);
            assertThat(store.unresolved("inventory")).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aHypothesisWaitsItsTurnWhileAnotherReplicaHoldsTheIncidentsRowLongerThanH2sLockTimeout(Database.Vendor vendor)
            throws Exception {
        var url = TestDatabases.url(vendor);
        try (var db = Database.open(io.harbormaster.storage.DatabaseConfig.of(url));
                var other = Database.open(io.harbormaster.storage.DatabaseConfig.of(url))) {
            var store = new JooqIncidentStore(db);
            var a = store.open(OptionalLong.empty(), "inventory", "2.7.6", "p99", "slow", "", T0);
            var hold = Duration.ofMillis(2500); // H2's lock timeout is one second: held past it, twice over
            var holder = holding(other, io.harbormaster.storage.jooq.Tables.INCIDENT, a.id(), hold);
            try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
                // the other replica holds the incident's row (a person's resolution, writing its audit entry)
                var held = pool.submit(holder);
                assertThat(holder.held.await(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                var started = System.nanoTime();

                // before: on H2, DataAccessException (HYT00) after one lock timeout, while the other still held it
                var hypothesized = store.hypothesize(a.id(), "the pool is too small\nCheck first: pool size");

                var waited = Duration.ofNanos(System.nanoTime() - started);
                held.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(hypothesized.hypothesis()).isEqualTo("the pool is too small\nCheck first: pool size");
                assertThat(waited).as("it waited for the row").isGreaterThan(hold.dividedBy(2));
            }
            assertThat(store.find(a.id()).orElseThrow().hypothesis())
                    .isEqualTo("the pool is too small\nCheck first: pool size");
        }
    }

    /** A task that holds one row of {@code table} ({@code SELECT ... FOR UPDATE}) for {@code hold}, then commits. */
    static Holder holding(Database db, org.jooq.Table<?> table, long id, Duration hold) {
        return new Holder(db, table, id, hold);
    }

    static final class Holder implements java.util.concurrent.Callable<Void> {
        final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        private final Database db;
        private final org.jooq.Table<?> table;
        private final long id;
        private final Duration hold;

        Holder(Database db, org.jooq.Table<?> table, long id, Duration hold) {
            this.db = db;
            this.table = table;
            this.id = id;
            this.hold = hold;
        }

        @Override
        public Void call() {
            db.dsl().transaction(cfg -> {
                var idField = table.field("ID", Long.class);
                org.jooq
                        .impl
                        .DSL
                        .using(cfg)
                        .selectFrom(table)
                        .where(idField.eq(id))
                        .forUpdate()
                        .fetchSingle();
                held.countDown();
                Thread.sleep(hold.toMillis());
            });
            return null;
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aBuildAnnouncedTwiceKeepsTheFirstAnnouncement(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var catalog = new JooqBuildCatalog(db);
            var b = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-1", "success", "{}", T0);
            catalog.announce(b);
            var again = catalog.announce(new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/other:1", "def", "ci-2", "failed", "{}", T0.plusSeconds(1)));
            assertThat(again).isEqualTo(b);
            assertThat(catalog.find("checkout", "1.4.2")).contains(b);
            assertThat(catalog.find("checkout", "9.9.9")).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLaterAnnouncementOfTheSameBuildReplacesItsStatusAndChangeButNeverItsImage(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var catalog = new JooqBuildCatalog(db);
            var started = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-1", "running", "{}", T0);
            catalog.announce(started);

            var passed = new AnnouncedBuild(
                    "checkout",
                    "1.4.2",
                    "reg/checkout:1.4.2",
                    "abc123",
                    "ci-2",
                    "success",
                    "{\"files\":[\"a.java\"]}",
                    T0.plusSeconds(60));
            assertThat(catalog.replace(passed)).isEqualTo(new BuildCatalog.Replacement.Replaced());
            assertThat(catalog.find("checkout", "1.4.2")).contains(passed);

            // another build under the same version is never put in its place
            var other = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "fff999", "ci-3", "failed", "{}", T0.plusSeconds(90));
            assertThat(catalog.replace(other)).isEqualTo(new BuildCatalog.Replacement.NoSuchBuild());
            assertThat(catalog.replace(new AnnouncedBuild(
                            "checkout", "7.0.0", "reg/checkout:7.0.0", "abc123", "ci-4", "success", "{}", T0)))
                    .isEqualTo(new BuildCatalog.Replacement.NoSuchBuild());
            assertThat(catalog.find("checkout", "1.4.2")).contains(passed);
            assertThat(catalog.find("checkout", "7.0.0")).isEmpty();
        }
    }

    static io.harbormaster.engine.rollout.DeployRequest request(String key, String service, String version) {
        return new io.harbormaster.engine.rollout.DeployRequest(
                key,
                io.harbormaster.engine.rollout.RequestSource.KAFKA,
                service,
                version,
                "production",
                "ci",
                false,
                "{}",
                T0);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLaterAnnouncementIsNotAppliedWhileADeployOfItsVersionIsInFlightAndIsOnceItEnded(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var catalog = new JooqBuildCatalog(db);
            var deploys = new JooqDeployStore(db);
            var started = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-1", "running", "{}", T0);
            catalog.announce(started);
            var d = deploys.intake(request("k1", "checkout", "1.4.2")).deploy();
            deploys.intake(request("k2", "payments", "1.4.3")); // another service's: in the way of nothing
            var passed = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-2", "success", "{}", T0.plusSeconds(60));

            assertThat(catalog.replace(passed)).isEqualTo(new BuildCatalog.Replacement.KeptFor(d));
            assertThat(catalog.find("checkout", "1.4.2")).contains(started);

            deploys.transition(
                    d.id(),
                    d.revision(),
                    io.harbormaster.engine.rollout.DeployState.FAILED,
                    0,
                    "U1",
                    "stopped",
                    T0.plusSeconds(90));
            assertThat(catalog.replace(passed)).isEqualTo(new BuildCatalog.Replacement.Replaced());
            assertThat(catalog.find("checkout", "1.4.2")).contains(passed);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLaterAnnouncementWaitsForADeployOfItsServiceBeingStoredOnAnotherReplicaAndThenFindsItInFlight(
            Database.Vendor vendor) throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(io.harbormaster.storage.DatabaseConfig.of(url));
                var two = Database.open(io.harbormaster.storage.DatabaseConfig.of(url))) {
            var catalog = new JooqBuildCatalog(one);
            var otherReplica = new JooqDeployStore(two);
            var started = new AnnouncedBuild(
                    "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-1", "running", "{}", T0);
            catalog.announce(started);
            otherReplica.intake(request("k0", "checkout", "1.4.1")); // in flight, so that the intake below looks at it
            var storing = new java.util.concurrent.CountDownLatch(1);
            try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
                // the other replica's intake of a deploy of 1.4.2 is under way (it looks at what is in flight, slowly,
                // past H2's lock timeout of one second) when the later announcement arrives
                var intake = pool.submit(() -> otherReplica.intake(request("k1", "checkout", "1.4.2"), (d, r) -> {
                    storing.countDown();
                    try {
                        Thread.sleep(2500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }));
                assertThat(storing.await(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();

                var replaced = catalog.replace(new AnnouncedBuild(
                        "checkout", "1.4.2", "reg/checkout:1.4.2", "abc123", "ci-2", "success", "{}", T0));

                var stored = intake.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(stored).isInstanceOf(io.harbormaster.engine.rollout.Intake.Created.class);
                assertThat(replaced).isEqualTo(new BuildCatalog.Replacement.KeptFor(stored.deploy()));
            }
            assertThat(catalog.find("checkout", "1.4.2")).contains(started);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aVersionsIncidentsAreFoundHoweverOldNewestFirst(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqIncidentStore(db);
            var old = store.open(OptionalLong.empty(), "search", "5.2.0", "error_rate", "5xx up", "", T0);
            var next = store.open(OptionalLong.empty(), "search", "5.2.1", "p99", "slow", "", T0.plusSeconds(5));
            store.open(OptionalLong.empty(), "checkout", "5.2.0", "p99", "slow", "", T0.plusSeconds(6));
            var latest = store.open(
                    OptionalLong.empty(),
                    "search",
                    "5.2.0",
                    "stopped by hand",
                    "rollback",
                    "",
                    T0.plusSeconds(400 * 86_400L));
            assertThat(store.ofVersion("search", "5.2.0")).containsExactly(latest, old);
            assertThat(store.ofVersion("search", "9.9.9")).isEmpty();
            // the latest few of a service, however old, newest first (what an approval request compares)
            assertThat(store.latest("search", 2)).containsExactly(latest, next);
            assertThat(store.latest("search", 5)).containsExactly(latest, next, old);
            assertThat(latest.blamesTheVersion()).isFalse();
            assertThat(old.blamesTheVersion()).isTrue();
        }
    }
}
