package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Stored risk models, on H2 and on a real PostgreSQL. */
class RiskModelStoreTest {
    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void activatingAModelKeepsTheOldOneAndReadsBackTheSameModel(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqRiskModelStore(db);
            assertThat(store.active()).isEmpty();
            var model = RiskModelJson.defaultModel();
            var first = store.activate("default", model, Instant.parse("2026-11-01T00:00:00Z"));
            var second = store.activate("retrained", model, Instant.parse("2026-11-20T00:00:00Z"));
            var active = store.active().orElseThrow();
            assertThat(active.id()).isEqualTo(second.id()).isNotEqualTo(first.id());
            assertThat(active.name()).isEqualTo("retrained");
            assertThat(active.threshold()).isEqualTo(model.threshold().score());
            assertThat(RiskModelJson.write(RiskModelJson.read(active.modelJson())))
                    .isEqualTo(RiskModelJson.write(model));
            assertThat(db.dsl().fetchCount(org.jooq.impl.DSL.table("risk_model")))
                    .isEqualTo(2);
        }
    }
}
