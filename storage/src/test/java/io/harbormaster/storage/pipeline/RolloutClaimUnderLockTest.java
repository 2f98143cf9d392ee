package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.pipeline.DeployStoreTest.T0;
import static io.harbormaster.storage.pipeline.DeployStoreTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.policy.LockTaken;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RolloutClaim;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A passed preflight's claim of its service's rollout and a {@code /deploy lock} of the service, on H2 and on a real
 * PostgreSQL: taken in one order, whichever replica takes each, so that a lock stored before the claim stops the deploy
 * and a lock stored after it knows the deploy's canary goes on.
 */
class RolloutClaimUnderLockTest {
    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static ServiceLock lock(String service, String by) {
        return new ServiceLock(service, "schema migration", by, T0);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aClaimIsRefusedUnderALockAndALockNamesTheClaimTakenBeforeIt(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var deploys = new JooqDeployStore(db);
            var policies = new JooqPolicyStore(db);
            long first =
                    deploys.intake(request("k1", "checkout", "1.4.1")).deploy().id();
            long second =
                    deploys.intake(request("k2", "checkout", "1.5.0")).deploy().id();

            // a lock with no claim before it: nothing is rolling out, and a claim after it is refused
            var taken = policies.takeLock(lock("checkout", "U1"));
            assertThat(taken).isEqualTo(new LockTaken(lock("checkout", "U1"), OptionalLong.empty()));
            assertThat(deploys.claimRolloutUnlessLocked("checkout", first, T0))
                    .isEqualTo(new RolloutClaim.Locked(lock("checkout", "U1")));
            assertThat(db.dsl().fetchCount(org.jooq.impl.DSL.table("service_rollout")))
                    .isZero();
            // another service is not held back by it; a revert's claim is not looked at by a lock
            long payments = deploys.intake(request("k3", "payments")).deploy().id();
            assertThat(deploys.claimRolloutUnlessLocked("payments", payments, T0))
                    .isInstanceOf(RolloutClaim.Claimed.class);
            assertThat(deploys.claimRollout("checkout", first, T0)).isTrue();
            deploys.releaseRollout("checkout", first);

            // unlocked, the claim is granted, again to the same deploy, and not to another while it holds it
            policies.unlock("checkout");
            assertThat(deploys.claimRolloutUnlessLocked("checkout", first, T0))
                    .isInstanceOf(RolloutClaim.Claimed.class);
            assertThat(deploys.claimRolloutUnlessLocked("checkout", first, T0))
                    .isInstanceOf(RolloutClaim.Claimed.class);
            assertThat(deploys.claimRolloutUnlessLocked("checkout", second, T0)).isInstanceOf(RolloutClaim.Held.class);

            // a lock after the claim names the deploy that holds it; a second lock stores nothing and names nothing
            assertThat(policies.takeLock(lock("checkout", "U2")))
                    .isEqualTo(new LockTaken(lock("checkout", "U2"), OptionalLong.of(first)));
            assertThat(policies.takeLock(lock("checkout", "U3")))
                    .isEqualTo(new LockTaken(lock("checkout", "U2"), OptionalLong.empty()));
            assertThat(policies.lock(lock("checkout", "U3"))).isEqualTo(lock("checkout", "U2"));

            // the holder ended without releasing it (a crash): under the lock, the next deploy is refused all the same
            var d = deploys.find(first).orElseThrow();
            deploys.transition(first, d.revision(), DeployState.FAILED, 0, "engine", "crashed", T0);
            assertThat(deploys.claimRolloutUnlessLocked("checkout", second, T0))
                    .isInstanceOf(RolloutClaim.Locked.class);
            policies.unlock("checkout");
            assertThat(deploys.claimRolloutUnlessLocked("checkout", second, T0))
                    .isInstanceOf(RolloutClaim.Claimed.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aLockAndAClaimAtTheSameMomentOnTwoReplicasAreTakenOneAfterTheOther(Database.Vendor vendor) throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var deploys = new JooqDeployStore(one);
            var policies = new JooqPolicyStore(two);
            for (int round = 0; round < 20; round++) {
                var service = "svc-" + round;
                long id = deploys.intake(request("k" + round, service)).deploy().id();
                var start = new CountDownLatch(1);
                java.util.concurrent.Future<RolloutClaim> claimed;
                java.util.concurrent.Future<LockTaken> locked;
                try (var pool = Executors.newFixedThreadPool(2)) {
                    claimed = pool.submit(() -> {
                        start.await();
                        return deploys.claimRolloutUnlessLocked(service, id, T0);
                    });
                    locked = pool.submit(() -> {
                        start.await();
                        return policies.takeLock(lock(service, "U1"));
                    });
                    start.countDown();
                }
                var claim = claimed.get();
                var taken = locked.get();
                assertThat(taken.held()).isEqualTo(lock(service, "U1"));
                if (claim instanceof RolloutClaim.Claimed) {
                    assertThat(taken.rollingOut())
                            .as("round %d: the lock came after the claim", round)
                            .hasValue(id);
                } else {
                    assertThat(claim).as("round %d", round).isEqualTo(new RolloutClaim.Locked(lock(service, "U1")));
                    assertThat(taken.rollingOut())
                            .as("round %d: the claim came after the lock", round)
                            .isEmpty();
                }
            }
        }
    }
}
