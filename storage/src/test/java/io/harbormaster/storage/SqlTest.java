package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

class SqlTest {
    static DataAccessException lockTimeout() {
        return new DataAccessException("gave up waiting", new SQLException("Timeout trying to lock table", "HYT00"));
    }

    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger acted = new AtomicInteger();

    void timesOutInTheEnd(Function<Runnable, String> step) {
        assertThatThrownBy(() -> Sql.waitingItsTurn(step, acted::incrementAndGet))
                .isInstanceOf(DataAccessException.class);
    }

    @Test
    void aStepThatTimesOutBeforeActingWaitsItsTurnAndActsOnce() {
        var result = Sql.waitingItsTurn(
                act -> {
                    if (attempts.incrementAndGet() < 3) {
                        throw lockTimeout();
                    }
                    act.run();
                    return "done";
                },
                acted::incrementAndGet);

        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
        assertThat(acted).hasValue(1);
    }

    @Test
    void aStepThatTimesOutAfterActingIsNotTriedAgain() {
        timesOutInTheEnd(act -> {
            attempts.incrementAndGet();
            act.run();
            throw lockTimeout();
        });

        assertThat(attempts).hasValue(1);
        assertThat(acted).hasValue(1);
    }

    @Test
    void aStepThatNeverGetsItsTurnFailsAfterTheLastAttempt() {
        timesOutInTheEnd(act -> {
            attempts.incrementAndGet();
            throw lockTimeout();
        });

        assertThat(attempts).hasValue(Sql.LOCK_ATTEMPTS);
        assertThat(acted).hasValue(0);
    }
}
