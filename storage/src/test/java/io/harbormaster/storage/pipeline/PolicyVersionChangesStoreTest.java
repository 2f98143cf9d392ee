package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.policy.PolicyVersionChanges.Claim;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The one record of the policy version's changes that replicas claim a change in, on H2 and on a real PostgreSQL. */
class PolicyVersionChangesStoreTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final Runnable NOTHING = () -> {};

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theFirstReplicaToSeeAChangeRecordsItAndTheOthersFindItAndARevertIsAChangeOfItsOwn(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyVersionChanges(db);
            assertThat(store.newest()).isZero();
            var audited = new ArrayList<String>();

            // A -> B: a records it (and audits it), b finds it
            assertThat(store.claim(0, "A", "B", "a", T0, () -> audited.add("a: A -> B")))
                    .isEqualTo(new Claim.Recorded(1));
            assertThat(store.claim(0, "A", "B", "b", T0, () -> audited.add("b: A -> B")))
                    .isEqualTo(new Claim.Seen(1, "a"));
            // B -> A, the revert: a change of its own, whoever sees it first
            assertThat(store.claim(1, "B", "A", "b", T0, () -> audited.add("b: B -> A")))
                    .isEqualTo(new Claim.Recorded(2));
            assertThat(store.claim(1, "B", "A", "a", T0, () -> audited.add("a: B -> A")))
                    .isEqualTo(new Claim.Seen(2, "b"));
            // and A -> B once more: a third change, though the record holds one to B already
            assertThat(store.claim(2, "A", "B", "a", T0, () -> audited.add("a: A -> B again")))
                    .isEqualTo(new Claim.Recorded(3));

            assertThat(audited).containsExactly("a: A -> B", "b: B -> A", "a: A -> B again");
            assertThat(store.newest()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aReplicaThatLooksLateFindsEachChangeItSeesAndRecordsOnlyANewOne(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyVersionChanges(db);
            // a sees A -> B -> A -> B in quick succession
            store.claim(0, "A", "B", "a", T0, NOTHING);
            store.claim(1, "B", "A", "a", T0, NOTHING);
            store.claim(2, "A", "B", "a", T0, NOTHING);

            // b, still at A and knowing change 0, looks once and sees B: it has caught up with the newest change
            assertThat(store.claim(0, "A", "B", "b", T0, NOTHING)).isEqualTo(new Claim.Seen(3, "a"));

            // c saw B (change 1) in time, then looks while its file is (still) back at A: change 2
            assertThat(store.claim(1, "B", "A", "c", T0, NOTHING)).isEqualTo(new Claim.Seen(2, "a"));
            // ... and then at B: change 3
            assertThat(store.claim(2, "A", "B", "c", T0, NOTHING)).isEqualTo(new Claim.Seen(3, "a"));

            // a change nobody recorded, seen first by a replica that fell behind, is recorded as the newest
            assertThat(store.claim(1, "B", "C", "c", T0, NOTHING)).isEqualTo(new Claim.Recorded(4));
            assertThat(store.claim(3, "B", "C", "a", T0, NOTHING)).isEqualTo(new Claim.Seen(4, "c"));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anAuditEntryThatCannotBeWrittenLeavesTheChangeFreeForTheNextLook(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqPolicyVersionChanges(db);
            assertThatThrownBy(() -> store.claim(0, "A", "B", "a", T0, () -> {
                        throw new IllegalStateException("the audit log is down");
                    }))
                    .hasMessageContaining("the audit log is down");
            assertThat(store.newest()).isZero();

            assertThat(store.claim(0, "A", "B", "b", T0, NOTHING)).isEqualTo(new Claim.Recorded(1));
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void replicasClaimingOneChangeAtOnceAuditItOnce(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            int replicas = 6;
            var audits = new AtomicInteger();
            var pool = Executors.newFixedThreadPool(replicas);
            try {
                for (int round = 0; round < 5; round++) {
                    long since = round;
                    String from = "v" + round;
                    String to = "v" + (round + 1);
                    var start = new CountDownLatch(1);
                    var results = new ArrayList<Future<Claim>>();
                    for (int r = 0; r < replicas; r++) {
                        var store = new JooqPolicyVersionChanges(db);
                        var name = "replica-" + r;
                        Callable<Claim> claim = () -> {
                            start.await();
                            return store.claim(since, from, to, name, T0, () -> {
                                audits.incrementAndGet();
                                try {
                                    Thread.sleep(30); // an audit append takes a moment: the others arrive meanwhile
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                        };
                        results.add(pool.submit(claim));
                    }
                    start.countDown();
                    var claims = new ArrayList<Claim>();
                    for (var f : results) {
                        claims.add(f.get()); // none fails
                    }
                    assertThat(claims)
                            .filteredOn(Claim.Recorded.class::isInstance)
                            .hasSize(1);
                    assertThat(claims).extracting(Claim::place).containsOnly(round + 1L);
                    assertThat(audits).as("audited once in round " + round).hasValue(round + 1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
