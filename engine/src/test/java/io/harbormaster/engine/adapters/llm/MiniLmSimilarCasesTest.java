package io.harbormaster.engine.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.advice.PastCase;
import io.harbormaster.engine.advice.SimilarCase;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The real all-MiniLM-L6-v2 model on a handful of incident texts written for this test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmSimilarCasesTest {
    static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    final InMemoryCaseStore store = new InMemoryCaseStore();
    final MiniLmSimilarCases cases = new MiniLmSimilarCases(store);

    @BeforeAll
    void rememberIncidents() {
        incident(
                1,
                "checkout",
                "error_rate regression: HTTP 500 from the payment client; TLS handshake failures"
                        + " after upgrading the HTTP client library",
                "pinned the TLS library to the previous version");
        incident(
                2,
                "search",
                "p99 latency regression: a slow SQL query scanning the whole orders table, the index"
                        + " on created_at was dropped by a migration",
                "recreated the index");
        incident(
                3,
                "cart",
                "pod restarts: containers OOMKilled, the new in-memory product cache exceeds the memory" + " limit",
                "capped the cache size");
        incident(
                4,
                "inventory",
                "error_rate regression: NullPointerException in stock reservation when the"
                        + " warehouse id is missing from the request",
                "unresolved");
        incident(
                5,
                "orders",
                "p99 latency regression: retry storm against the ledger service after its timeouts" + " were lowered",
                "unresolved");
        store.save(
                new PastCase(PastCase.Kind.DEPLOY, 99, OptionalLong.empty(), "cart", "9.9", "unrelated", "failed", T0),
                "some-other-model",
                new float[] {1, 0, 0});
    }

    void incident(long id, String service, String text, String resolution) {
        cases.remember(new PastCase(
                PastCase.Kind.INCIDENT, 100 + id, OptionalLong.of(id), service, "1." + id, text, resolution, T0));
    }

    List<Long> ranking(String query) {
        return cases.similar(query, c -> true, 5).stream()
                .map(s -> s.pastCase().incidentId().orElseThrow())
                .toList();
    }

    @Test
    void aSlowQueryAfterADroppedIndexFindsTheIndexIncidentFirst() {
        assertThat(ranking("latency went up: database query does a full table scan, missing index"))
                .first()
                .isEqualTo(2L);
    }

    @Test
    void podsKilledForMemoryFindTheCacheIncidentFirst() {
        assertThat(ranking("canary pods keep restarting, killed for running out of memory"))
                .first()
                .isEqualTo(3L);
    }

    @Test
    void sslErrorsCallingThePaymentProviderFindTheTlsIncidentFirst() {
        assertThat(ranking("payment provider calls fail with SSL handshake errors, many 500 responses"))
                .first()
                .isEqualTo(1L);
    }

    @Test
    void theFilterAndTheLimitApplyAndScoresComeBestFirst() {
        var onlyUnresolved =
                cases.similar("latency regression", c -> c.outcome().equals("unresolved"), 1);
        assertThat(onlyUnresolved).hasSize(1);
        assertThat(onlyUnresolved.getFirst().pastCase().incidentId()).hasValue(5L);
        var all = cases.similar("error rate regression", c -> true, 10);
        assertThat(all).hasSize(5); // the other model's vector is never compared
        assertThat(all).extracting(SimilarCase::similarity).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    }

    @Test
    void cosineOfAVectorWithItselfIsOneAndWithItsOppositeMinusOne() {
        float[] v = {0.3f, -1.2f, 2f};
        float[] minus = {-0.3f, 1.2f, -2f};
        assertThat(MiniLmSimilarCases.cosine(v, v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(MiniLmSimilarCases.cosine(v, minus)).isCloseTo(-1.0, org.assertj.core.data.Offset.offset(1e-6));
    }
}
