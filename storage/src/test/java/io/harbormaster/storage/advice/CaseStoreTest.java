package io.harbormaster.storage.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.advice.PastCase;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The advisor's cases and embeddings, on H2 and on a real PostgreSQL. */
class CaseStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void casesComeBackNewestFirstWithTheirEmbeddingsExactlyAndOnlyForTheirModel(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqCaseStore(db);
            var first = new PastCase(
                    PastCase.Kind.DEPLOY, 7, OptionalLong.empty(), "checkout", "1.1", "cart change", "promoted", T0);
            var second = new PastCase(
                    PastCase.Kind.DEPLOY, 8, OptionalLong.empty(), "checkout", "1.2", "db change", "rolled_back", T0);
            float[] v1 = {0.1f, -2.5f, Float.MIN_VALUE, 3.4e38f};
            store.save(first, "m1", v1);
            store.save(second, "m1", new float[] {1, 2, 3, 4});
            store.save(second, "m2", new float[] {9});
            store.save(second, "m1", new float[] {7, 7, 7, 7}); // remembered twice: the first one stays

            var recent = store.recent("m1", 10);
            assertThat(recent).extracting(c -> c.pastCase()).containsExactly(second, first);
            assertThat(recent.get(1).embedding()).containsExactly(v1);
            assertThat(recent.get(0).embedding()).containsExactly(1, 2, 3, 4);
            assertThat(store.recent("m1", 1)).hasSize(1);
            assertThat(store.recent("m2", 10))
                    .extracting(c -> c.embedding().length)
                    .containsExactly(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anIncidentsOutcomeIsItsResolutionOnceItIsResolved(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var incidents = new JooqIncidentStore(db);
            var incident = incidents.open(OptionalLong.empty(), "search", "3.0", "p99", "slow", "", T0);
            var store = new JooqCaseStore(db);
            store.save(
                    new PastCase(
                            PastCase.Kind.INCIDENT,
                            0,
                            OptionalLong.of(incident.id()),
                            "search",
                            "3.0",
                            "p99 regression",
                            "unresolved",
                            T0),
                    "m1",
                    new float[] {1});
            assertThat(store.recent("m1", 5).getFirst().pastCase().outcome()).isEqualTo("unresolved");
            incidents.resolve(incident.id(), "index recreated", T0.plusSeconds(60), () -> {});
            var c = store.recent("m1", 5).getFirst().pastCase();
            assertThat(c.outcome()).isEqualTo("index recreated");
            assertThat(c.ref()).isEqualTo("incident #" + incident.id());
        }
    }
}
