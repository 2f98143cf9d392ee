package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which past incidents an approver is shown next to a change, and what each is said to share with it. */
class SimilarIncidentsTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** Incident {@code id} of checkout {@code version}, opened {@code id} hours after T0 (a higher id is newer). */
    static Incident incident(long id, String version) {
        return new Incident(
                id,
                OptionalLong.of(100 + id),
                "checkout",
                version,
                T0.plusSeconds(3600 * id),
                "p99_ms",
                "p99 doubled",
                "",
                Optional.empty(),
                Optional.empty());
    }

    static Optional<AnnouncedBuild> build(String version, String changeJson) {
        return Optional.of(new AnnouncedBuild(
                "checkout", version, "registry.example/checkout:" + version, "abc", "b1", "green", changeJson, T0));
    }

    /** {@code candidates}, newest first as the store gives them, ranked against {@code version}'s change. */
    static List<SimilarIncident> rank(
            String version, String changeJson, Map<String, String> changes, List<Incident> candidates) {
        return SimilarIncidents.rank(
                version,
                build(version, changeJson),
                candidates.reversed(),
                i -> Optional.ofNullable(changes.get(i.version())).flatMap(c -> build(i.version(), c)),
                T0);
    }

    @Test
    void theVersionRolledBackBeforeComesFirstThenTheMostSharedAndEachSaysWhatItShares() {
        var change = """
                {"files":["src/main/java/shop/payments/Client.java","src/main/java/shop/cart/Cart.java",\
                "helm/values.yaml"],"dependencies":["payments-client"]}""";
        var ranked = rank(
                "2.0.0",
                change,
                Map.of(
                        "1.0.0", "{\"files\":[\"src/main/java/shop/cart/Cart.java\"]}",
                        "1.1.0",
                                "{\"files\":[\"src/main/java/shop/payments/Client.java\",\"helm/values.yaml\"],"
                                        + "\"dependencies\":[\"payments-client\"]}",
                        "1.2.0", "{\"files\":[\"src/main/java/shop/payments/Retry.java\"]}",
                        "1.3.0", "{\"files\":[\"src/main/java/Main.java\",\"README.md\"]}"),
                List.of(
                        incident(1, "1.0.0"),
                        incident(2, "1.1.0"),
                        incident(3, "1.2.0"),
                        incident(4, "1.3.0"),
                        incident(5, "2.0.0")));

        assertThat(ranked).extracting(i -> i.incident().version()).containsExactly("2.0.0", "1.1.0", "1.0.0");
        assertThat(ranked.get(0).shared()).containsExactly("the same version, 2.0.0");
        assertThat(ranked.get(1).shared())
                .containsExactly("also changed Client.java, values.yaml", "also added payments-client");
        assertThat(ranked.get(2).shared()).containsExactly("also changed Cart.java");
    }

    @Test
    void aSharedDirectoryCountsLessThanAFileAndOneOfGenericNamesOnlyNotAtAll() {
        var ranked = rank(
                "2.0.0",
                "{\"files\":[\"src/main/java/shop/payments/Client.java\",\"src/main/java/Main.java\"]}",
                Map.of(
                        "1.0.0", "{\"files\":[\"src/main/java/shop/payments/Retry.java\"]}",
                        "1.1.0", "{\"files\":[\"src/main/java/Other.java\"]}"),
                List.of(incident(1, "1.0.0"), incident(2, "1.1.0")));

        assertThat(ranked).singleElement().satisfies(i -> {
            assertThat(i.incident().version()).isEqualTo("1.0.0");
            assertThat(i.shared()).containsExactly("also changed files in src/main/java/shop/payments");
        });
    }

    @Test
    void manySharedFilesAreNamedTwoAndCounted() {
        var files = "[\"a/x/A.java\",\"a/x/B.java\",\"a/x/C.java\",\"a/x/D.java\"]";
        var ranked = rank(
                "2.0.0",
                "{\"files\":" + files + "}",
                Map.of("1.0.0", "{\"files\":" + files + "}"),
                List.of(incident(1, "1.0.0")));

        assertThat(ranked.getFirst().shared()).containsExactly("also changed A.java, B.java and 2 more files");
    }

    @Test
    void withNothingSharedTheLatestRecentOnesAreShownSharingNothing() {
        var ranked = SimilarIncidents.rank(
                "2.0.0",
                build("2.0.0", "{\"files\":[\"src/Cart.java\"]}"),
                List.of(incident(4, "1.3.0"), incident(3, "1.2.0"), incident(2, "1.1.0"), incident(1, "1.0.0")),
                i -> Optional.empty(), // no build announced them (emergency deploys), or one the store cannot read
                T0.plusSeconds(3600 * 2));

        assertThat(ranked).extracting(i -> i.incident().id()).containsExactly(4L, 3L, 2L);
        assertThat(ranked).noneMatch(SimilarIncident::similar);
        assertThat(SimilarIncidents.rank(
                        "2.0.0",
                        Optional.empty(),
                        List.of(incident(1, "1.0.0")),
                        i -> Optional.empty(),
                        T0.plusSeconds(3600 * 2)))
                .isEmpty();
    }
}
