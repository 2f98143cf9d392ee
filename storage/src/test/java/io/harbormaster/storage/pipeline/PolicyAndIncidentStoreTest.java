package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.AnnouncedBuild;
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
            var resolved = store.resolve(a.id(), "pool size raised", T0.plusSeconds(99));
            assertThat(resolved.resolution()).contains("pool size raised");
            assertThat(resolved.resolvedAt()).contains(T0.plusSeconds(99));
            var hypothesized = store.hypothesize(b.id(), "the new query misses an index");
            assertThat(hypothesized.hypothesis()).isEqualTo("the new query misses an index");
            assertThat(store.recent("checkout", T0).getFirst().hypothesis()).isEqualTo("the new query misses an index");
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
}
