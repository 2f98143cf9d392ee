package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.jooq.Tables;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's own writes to a deploy's row (its lease, its risk score, a plain move) wait their turn while another
 * step holds the row (a person's decision writing its audit entry, a move on another replica) for longer than H2's
 * lock timeout, as decisions do, instead of failing the engine's step with H2's lock timeout (HYT00): a failed
 * {@code recordRisk} came after its {@code risk.scored} audit entry, so the deploy was scored, and audited, again.
 * PostgreSQL waits for a row lock as long as it takes; this is H2's case.
 */
class DeployRowWaitsItsTurnTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    static final AtomicInteger DB = new AtomicInteger();

    /** H2's lock timeout for these tests: short, so that holding the row past it twice over takes half a second. */
    static final Duration LOCK_TIMEOUT = Duration.ofMillis(200);

    static Stream<Arguments> writes() {
        return Stream.of(
                write("tryLease", (store, d) -> store.tryLease(d, "engine-a", T0, T0.plusSeconds(30))),
                write("releaseLease", (store, d) -> {
                    store.releaseLease(d, "engine-a");
                    return true;
                }),
                write("recordRisk", (store, d) -> store.recordRisk(d, revision(store, d), 0.4, false, T0)
                        .riskScore()
                        .isPresent()),
                write(
                        "transition",
                        (store, d) -> store.transition(
                                                d, revision(store, d), DeployState.SCORED, 0, "engine", "risk 0.40", T0)
                                        .state()
                                == DeployState.SCORED));
    }

    private static Arguments write(String name, BiFunction<JooqDeployStore, Long, Boolean> write) {
        return Arguments.of(name, write);
    }

    private static int revision(JooqDeployStore store, long deployId) {
        return store.find(deployId).orElseThrow().revision();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void theEnginesWriteWaitsWhileAnotherStepHoldsTheDeployPastH2sLockTimeout(
            String name, BiFunction<JooqDeployStore, Long, Boolean> write) throws Exception {
        var url = "jdbc:h2:mem:row-turn-" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT="
                + LOCK_TIMEOUT.toMillis();
        try (var db = Database.open(DatabaseConfig.of(url));
                var other = Database.open(DatabaseConfig.of(url))) {
            var store = new JooqDeployStore(db);
            long deployId = store.intake(DeployStoreTest.request("slack:turn", "checkout"))
                    .deploy()
                    .id();
            store.tryLease(deployId, "engine-a", T0, T0.plusSeconds(30));
            var hold = LOCK_TIMEOUT.multipliedBy(2).plusMillis(100);
            var holder = PolicyAndIncidentStoreTest.holding(other, Tables.DEPLOY, deployId, hold);
            try (var pool = Executors.newSingleThreadExecutor()) {
                var held = pool.submit(holder);
                assertThat(holder.held.await(30, TimeUnit.SECONDS)).isTrue();
                long started = System.nanoTime();

                // before: DataAccessException (HYT00) after one lock timeout, while the other still held the row
                boolean done = write.apply(store, deployId);

                var waited = Duration.ofNanos(System.nanoTime() - started);
                held.get(30, TimeUnit.SECONDS);
                assertThat(done).as(name + " did its work").isTrue();
                assertThat(waited).as("it waited past the lock timeout").isGreaterThan(LOCK_TIMEOUT);
            }
        }
    }
}
