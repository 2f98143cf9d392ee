package io.harbormaster.storage.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import java.time.Instant;
import java.util.Optional;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Deploy threads on H2 and on a real PostgreSQL. */
class SlackThreadsTest {
    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    private static long aDeploy(Database db) {
        var request = new DeployRequest(
                "slack:1",
                RequestSource.SLACK,
                "checkout",
                "1.1.0",
                "production",
                "U1",
                false,
                "{}",
                Instant.parse("2026-11-24T10:00:00Z"));
        return new JooqDeployStore(db).intake(request).deploy().id();
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDeploysThreadIsFoundAgainAndTheFirstOneRecordedIsKept(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var threads = new JooqSlackThreads(db);
            long id = aDeploy(db);
            assertThat(threads.find(id)).isEmpty();
            var first = threads.save(new SlackThread(id, "C0DEPLOYS", "1700000000.000100"));
            var second = threads.save(new SlackThread(id, "C0OTHER", "1700000000.000200"));
            assertThat(second).isEqualTo(first);
            assertThat(threads.find(id)).contains(first);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDeploysApprovalCardIsFoundAgainWholeAndTheFirstOneRecordedIsKept(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var threads = new JooqSlackThreads(db);
            long id = aDeploy(db);
            assertThat(threads.findCard(id)).isEmpty();
            // what the card shows can be long: 50 blocks of up to 3000 characters
            var content = "{\"body\":\"" + "é→".repeat(40_000) + "\"}";
            var first = threads.saveCard(new SlackApprovalCard(id, "C0DEPLOYS", "1700000000.000300", content));
            var second = threads.saveCard(new SlackApprovalCard(id, "C0DEPLOYS", "1700000000.000400", "{}"));
            assertThat(second).isEqualTo(first);
            assertThat(threads.findCard(id)).contains(first);
            assertThat(threads.findCard(id + 1)).isEmpty();
            assertThatThrownBy(() -> threads.saveCard(new SlackApprovalCard(9999, "C0DEPLOYS", "1.3", "{}")))
                    .isInstanceOf(DataAccessException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDeploysReviewRequestIsFoundAgainAndTheFirstOneRecordedIsKept(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var threads = new JooqSlackThreads(db);
            long id = aDeploy(db);
            assertThat(threads.findReviewCard(id)).isEmpty();
            var first = threads.saveReviewCard(new SlackReviewCard(id, "C0DEPLOYS", "1700000000.000500"));
            var second = threads.saveReviewCard(new SlackReviewCard(id, "C0DEPLOYS", "1700000000.000600"));
            assertThat(second).isEqualTo(first);
            assertThat(threads.findReviewCard(id)).contains(first);
            assertThat(threads.findReviewCard(id + 1)).isEmpty();
            assertThatThrownBy(() -> threads.saveReviewCard(new SlackReviewCard(9999, "C0DEPLOYS", "1.5")))
                    .isInstanceOf(DataAccessException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void eachPauseOfADeployIsKeptUntilItsEndIsWrittenOnceAndTheFirstOneRecordedIsKept(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var threads = new JooqSlackThreads(db);
            long id = aDeploy(db);
            assertThat(threads.openPauseMessages(id)).isEmpty();
            var reason = "no metrics for 2 min: " + "é→".repeat(5_000);
            var first = threads.savePauseMessage(
                    new SlackPauseMessage(id, 7, "C0DEPLOYS", "1700000000.000700", reason, Optional.empty()));
            var again = threads.savePauseMessage(
                    new SlackPauseMessage(id, 7, "C0DEPLOYS", "1700000000.000800", "other", Optional.empty()));
            var later = threads.savePauseMessage(new SlackPauseMessage(
                    id, 9, "C0DEPLOYS", "1700000000.000900", "the analysis cannot decide", Optional.empty()));
            assertThat(again).isEqualTo(first);
            assertThat(threads.openPauseMessages(id)).containsExactly(first, later);

            assertThat(threads.pauseEnded(id, 7, "Resumed by Harbormaster")).isTrue();
            assertThat(threads.pauseEnded(id, 7, "Rolled back by <@U1>"))
                    .as("an end written before is kept")
                    .isFalse();

            assertThat(threads.openPauseMessages(id)).containsExactly(later);
            assertThat(threads.pauseMessages(id))
                    .extracting(SlackPauseMessage::ended)
                    .containsExactly(Optional.of("Resumed by Harbormaster"), Optional.empty());
            assertThat(threads.openPauseMessages(id + 1)).isEmpty();
            assertThat(threads.pauseEnded(id + 1, 7, "x")).isFalse();
            assertThatThrownBy(() -> threads.savePauseMessage(
                            new SlackPauseMessage(9999, 1, "C0DEPLOYS", "1.9", "x", Optional.empty())))
                    .isInstanceOf(DataAccessException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aThreadForADeployThatDoesNotExistIsRefused(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var threads = new JooqSlackThreads(db);
            assertThatThrownBy(() -> threads.save(new SlackThread(9999, "C0DEPLOYS", "1.2")))
                    .isInstanceOf(DataAccessException.class);
        }
    }
}
