package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Review;
import io.harbormaster.engine.rollout.ReviewOutcome;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reviews of emergency deploys after the fact, on H2 and on a real PostgreSQL: one per deploy, audited first. */
class DeployReviewStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static DeployRequest request(String key, String service, boolean emergency) {
        return new DeployRequest(
                key, RequestSource.SLACK, service, "1.4.2", "production", "U0DEV", emergency, "{}", T0);
    }

    /** A deploy of {@code service} moved through preflight to {@code end} at {@code endedAt}. */
    static Deploy ended(
            JooqDeployStore store, String key, String service, boolean emergency, DeployState end, Instant endedAt) {
        var d = store.intake(request(key, service, emergency)).deploy();
        var preflight = store.transition(d.id(), d.revision(), DeployState.PREFLIGHT, 0, "engine", "go", T0);
        return store.transition(d.id(), preflight.revision(), end, 0, "engine", "done", endedAt);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void anEndedEmergencyDeployIsReviewedOnceAndAuditedBeforeItIsStored(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var d = ended(store, "k1", "checkout", true, DeployState.PROMOTED, T0.plusSeconds(300));
            assertThat(store.awaitingReview()).extracting(Deploy::id).containsExactly(d.id());
            var audited = new ArrayList<String>();

            var first = store.recordReview(new Review(d.id(), "U0ANN", T0.plusSeconds(900)), () -> {
                audited.add("U0ANN");
                assertThat(store.review(d.id()))
                        .as("not stored before it is audited")
                        .isEmpty();
            });

            var recorded = (ReviewOutcome.Recorded) first;
            assertThat(recorded.review()).isEqualTo(new Review(d.id(), "U0ANN", T0.plusSeconds(900)));
            assertThat(recorded.deploy().state()).isEqualTo(DeployState.PROMOTED);
            assertThat(store.review(d.id())).contains(recorded.review());
            assertThat(store.awaitingReview()).isEmpty();

            // another review, by the same person or another: the first stands, nothing is audited
            var again =
                    store.recordReview(new Review(d.id(), "U0BOB", T0.plusSeconds(960)), () -> audited.add("U0BOB"));
            assertThat(again).isEqualTo(new ReviewOutcome.AlreadyReviewed(recorded.review()));
            assertThat(audited).containsExactly("U0ANN");
            assertThat(db.dsl().fetchCount(org.jooq.impl.DSL.table("deploy_review")))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aDeployThatIsNoEmergencyOrHasNotEndedRecordsNothingAndAFailingAuditRecordsNothing(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var normal = ended(store, "k1", "checkout", false, DeployState.PROMOTED, T0.plusSeconds(300));
            var running = store.intake(request("k2", "payments", true)).deploy();
            var audited = new ArrayList<Long>();

            assertThat(store.recordReview(new Review(normal.id(), "U0ANN", T0), () -> audited.add(normal.id())))
                    .isInstanceOf(ReviewOutcome.NotReviewable.class);
            var inFlight = store.recordReview(new Review(running.id(), "U0ANN", T0), () -> audited.add(running.id()));
            assertThat(((ReviewOutcome.NotReviewable) inFlight).deploy().state())
                    .isEqualTo(DeployState.REQUESTED);
            assertThat(audited).isEmpty();
            assertThat(store.awaitingReview())
                    .as("neither is waiting for a review")
                    .isEmpty();

            var failed = ended(store, "k3", "cart", true, DeployState.FAILED, T0.plusSeconds(60));
            assertThatThrownBy(() -> store.recordReview(new Review(failed.id(), "U0ANN", T0), () -> {
                        throw new IllegalStateException("audit log unavailable");
                    }))
                    .hasMessage("audit log unavailable");
            assertThat(store.review(failed.id())).isEmpty();
            assertThat(store.awaitingReview()).extracting(Deploy::id).containsExactly(failed.id());
            // an emergency deploy stopped before its routing (its change could not be scored) skipped nothing
            var unscored = store.intake(request("k4", "cart", true)).deploy();
            store.transition(unscored.id(), unscored.revision(), DeployState.FAILED, 0, "engine", "unscorable", T0);
            assertThat(store.awaitingReview()).extracting(Deploy::id).containsExactly(failed.id());

            assertThatThrownBy(() -> store.recordReview(new Review(99_999, "U0ANN", T0), () -> {}))
                    .isInstanceOf(NoSuchElementException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theEmergencyDeploysAwaitingReviewAreListedLongestWaitingFirst(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var later = ended(store, "k1", "checkout", true, DeployState.ROLLED_BACK, T0.plusSeconds(600));
            var earlier = ended(store, "k2", "payments", true, DeployState.PROMOTED, T0.plusSeconds(120));
            ended(store, "k3", "cart", false, DeployState.PROMOTED, T0.plusSeconds(60));
            store.intake(request("k4", "search", true)); // in flight

            assertThat(store.awaitingReview()).extracting(Deploy::id).containsExactly(earlier.id(), later.id());
            store.recordReview(new Review(earlier.id(), "U0ANN", T0.plusSeconds(700)), () -> {});
            assertThat(store.awaitingReview()).extracting(Deploy::id).containsExactly(later.id());
        }
    }

    /**
     * Eight people review one deploy at once, half through each of two stores with pools of their own (two replicas)
     * over one database: one review is audited and stored, every other one is told of it.
     */
    @ParameterizedTest
    @MethodSource("vendors")
    void simultaneousReviewsThroughTwoPoolsRecordOne(Database.Vendor vendor) throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var stores = List.of(new JooqDeployStore(one), new JooqDeployStore(two));
            for (int round = 0; round < 5; round++) {
                var d = ended(stores.getFirst(), "k" + round, "checkout", true, DeployState.PROMOTED, T0);
                var audited = Collections.synchronizedList(new ArrayList<String>());
                var start = new CountDownLatch(1);
                var outcomes = new ArrayList<Future<ReviewOutcome>>();
                try (var pool = Executors.newFixedThreadPool(8)) {
                    for (int i = 0; i < 8; i++) {
                        var store = stores.get(i % 2);
                        var reviewer = "U-" + i;
                        outcomes.add(pool.submit(() -> {
                            start.await();
                            return store.recordReview(
                                    new Review(d.id(), reviewer, T0.plusSeconds(60)), () -> audited.add(reviewer));
                        }));
                    }
                    start.countDown();
                }
                var results = new ArrayList<ReviewOutcome>();
                for (var f : outcomes) {
                    results.add(f.get());
                }
                assertThat(results)
                        .filteredOn(o -> o instanceof ReviewOutcome.Recorded)
                        .hasSize(1);
                assertThat(results)
                        .filteredOn(o -> o instanceof ReviewOutcome.AlreadyReviewed)
                        .hasSize(7);
                assertThat(audited).hasSize(1);
                assertThat(stores.getLast().review(d.id()).orElseThrow().reviewer())
                        .isEqualTo(audited.getFirst());
            }
        }
    }
}
