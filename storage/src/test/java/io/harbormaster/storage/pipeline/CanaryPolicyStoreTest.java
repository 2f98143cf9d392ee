package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.rollout.StartedPolicy;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The canary policy each canary started with, on H2 and on a real PostgreSQL. */
class CanaryPolicyStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static final CanaryPolicy ESCALATED = CanaryPolicy.defaults()
            .withSteps(List.of(new CanaryStep(10, 12), new CanaryStep(50, 20)))
            .cautious();

    @ParameterizedTest
    @MethodSource("vendors")
    void aRecordedPolicyReadsBackExactlyAndTheFirstOneRecordedStays(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = CanarySampleStoreTest.deploy(store, "slack:1");
            long other = CanarySampleStoreTest.deploy(store, "slack:2");
            assertThat(store.canaryPolicy(id)).isEmpty();

            var escalated = StartedPolicy.of(true, ESCALATED);
            assertThat(store.recordCanaryPolicy(id, escalated, T0)).isEqualTo(escalated);
            var standard = StartedPolicy.of(false, CanaryPolicy.defaults());
            store.recordCanaryPolicy(other, standard, T0);

            var read = store.canaryPolicy(id).orElseThrow();
            assertThat(read).isEqualTo(escalated); // variant, the JSON text byte for byte, and its hash
            assertThat(read.policy()).isEqualTo(ESCALATED);
            assertThat(store.canaryPolicy(other).orElseThrow().escalated()).isFalse();
            assertThat(store.canaryPolicy(other).orElseThrow().policy()).isEqualTo(CanaryPolicy.defaults());

            // recorded again (a retry, another replica, a changed configuration): the first one stays
            assertThat(store.recordCanaryPolicy(id, standard, T0.plusSeconds(10)))
                    .isEqualTo(escalated);
            assertThat(store.canaryPolicy(id)).contains(escalated);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theServicesMetricsTemplatesAreRecordedWithThePolicy(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long own = CanarySampleStoreTest.deploy(store, "slack:1");
            long none = CanarySampleStoreTest.deploy(store, "slack:2");
            long older = CanarySampleStoreTest.deploy(store, "slack:3");
            var p99 = Map.of("p99", "max(latency_ms{service=\"{service}\",track=\"{track}\"})");
            var withOwn = StartedPolicy.of(false, CanaryPolicy.defaults(), p99);

            assertThat(store.recordCanaryPolicy(own, withOwn, T0)).isEqualTo(withOwn);
            store.recordCanaryPolicy(none, StartedPolicy.of(false, CanaryPolicy.defaults(), Map.of()), T0);
            store.recordCanaryPolicy(older, StartedPolicy.of(false, CanaryPolicy.defaults()), T0);

            assertThat(store.canaryPolicy(own).orElseThrow().metricTemplates()).contains(p99);
            assertThat(store.canaryPolicy(none).orElseThrow().metricTemplates()).contains(Map.of());
            // recorded before templates were: none, so the templates configured at each read are used
            assertThat(store.canaryPolicy(older).orElseThrow().metricTemplates())
                    .isEmpty();
            // the templates are not part of the policy's hash
            assertThat(withOwn.hash())
                    .isEqualTo(StartedPolicy.of(false, CanaryPolicy.defaults()).hash());

            db.dsl().execute("UPDATE canary_policy SET metric_templates = '[\"p99\"]' WHERE deploy_id = " + own);
            assertThatThrownBy(() -> store.canaryPolicy(own))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("deploy " + own);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void replicasRecordingAtOnceAllGetTheOnePolicyThatWasStored(Database.Vendor vendor) throws Exception {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            long id = CanarySampleStoreTest.deploy(store, "slack:1");
            int replicas = 6;
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(replicas);
            var offered = new ArrayList<StartedPolicy>();
            var results = new ArrayList<Future<StartedPolicy>>();
            try {
                for (int r = 0; r < replicas; r++) {
                    // each replica read its own configuration: a different interval each
                    var mine = StartedPolicy.of(false, CanaryPolicy.defaults().withIntervalSeconds(10 + r));
                    offered.add(mine);
                    Callable<StartedPolicy> record = () -> {
                        start.await();
                        return store.recordCanaryPolicy(id, mine, T0);
                    };
                    results.add(pool.submit(record));
                }
                start.countDown();
                var got = new ArrayList<StartedPolicy>();
                for (var f : results) {
                    got.add(f.get()); // none fails
                }
                var stored = store.canaryPolicy(id).orElseThrow();
                assertThat(offered).contains(stored);
                assertThat(got).containsOnly(stored);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void recordingThePolicyOfAnUnknownDeployIsRefused(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            assertThatThrownBy(
                            () -> store.recordCanaryPolicy(404, StartedPolicy.of(false, CanaryPolicy.defaults()), T0))
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("404");
            assertThat(store.canaryPolicy(404)).isEmpty();
        }
    }
}
