package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.risk.JitMetric;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The deploy history the risk model retrains from, on H2 and on a real PostgreSQL. */
class OutcomeHistoryTest {
    static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void finishedDeploysAreLabelledByRollbackOrIncidentOldestFirst(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var deploys = new JooqDeployStore(db);
            var builds = new JooqBuildCatalog(db);
            var incidents = new JooqIncidentStore(db);
            long[] ids = new long[5];
            for (int i = 0; i < 5; i++) {
                var version = "1." + i;
                builds.announce(new AnnouncedBuild(
                        "checkout",
                        version,
                        "r/checkout:" + version,
                        "abcdef1",
                        "b" + i,
                        "success",
                        i == 4 ? "{\"files\":[]}" : "{\"la\":" + (10 * i) + ",\"fix\":" + (i % 2 == 0) + ",\"nf\":2}",
                        T0));
                var d = deploys.intake(new DeployRequest(
                                "k" + i,
                                RequestSource.SLACK,
                                "checkout",
                                version,
                                "production",
                                "U1",
                                false,
                                "{}",
                                T0.plusSeconds(60L * i)))
                        .deploy();
                ids[i] = d.id();
            }
            end(deploys, ids[0], DeployState.PROMOTED);
            end(deploys, ids[1], DeployState.ROLLED_BACK);
            end(deploys, ids[2], DeployState.PROMOTED);
            incidents.open(
                    OptionalLong.of(ids[2]),
                    "checkout",
                    "1.2",
                    "error_rate",
                    "late incident",
                    "x",
                    T0.plusSeconds(3600));
            // ids[3] never reached the cluster (still requested); ids[4] announced no metrics
            end(deploys, ids[4], DeployState.PROMOTED);

            var history = new JooqOutcomeHistory(db).labelledChanges();

            assertThat(history).extracting(c -> c.failed()).containsExactly(false, true, true);
            assertThat(history)
                    .extracting(c -> c.metrics().value(JitMetric.LA).orElseThrow())
                    .containsExactly(0.0, 10.0, 20.0);
            assertThat(history.get(1).metrics().value(JitMetric.FIX).orElseThrow())
                    .isEqualTo(0.0);
            assertThat(history).extracting(c -> c.deployedAt()).isSorted();
        }
    }

    static void end(JooqDeployStore deploys, long id, DeployState state) {
        var d = deploys.find(id).orElseThrow();
        deploys.transition(id, d.revision(), state, 0, "engine", "test", T0);
    }
}
