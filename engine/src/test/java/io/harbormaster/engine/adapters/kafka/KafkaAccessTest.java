package io.harbormaster.engine.adapters.kafka;

import static io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck.Problem.AUTHENTICATION;
import static io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck.Problem.AUTHORIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A refusal makes the replica unready once every check has found it for the grace; an answer without it ends it. */
class KafkaAccessTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final Duration GRACE = Duration.ofSeconds(60);

    @Test
    void nothingCheckedOrAllWellIsReady() {
        var access = new KafkaAccess(GRACE);
        assertThat(access.status(T0)).isEqualTo(new KafkaAccess.Status.Ok());
        assertThat(access.answered()).as("no run of failures to end").isFalse();
        assertThat(access.status(T0.plusSeconds(600)).ready()).isTrue();
    }

    @Test
    void aRefusalIsToleratedForTheGraceCountedFromTheFirstCheckThatFoundIt() {
        var access = new KafkaAccess(GRACE);
        assertThat(access.refused(AUTHORIZATION, "denied read deploy.requests", T0))
                .isTrue();
        assertThat(access.refused(AUTHORIZATION, "denied read deploy.requests", T0.plusSeconds(10)))
                .as("the same run")
                .isFalse();
        // the login fails too now: still one run, counted from its start, telling the latest refusal
        access.refused(AUTHENTICATION, "login refused", T0.plusSeconds(50));

        var within = access.status(T0.plusMillis(59_999));
        assertThat(within.ready()).isTrue();
        assertThat(within).isInstanceOf(KafkaAccess.Status.Failing.class);

        var after = (KafkaAccess.Status.Failing) access.status(T0.plusSeconds(60));
        assertThat(after.ready()).isFalse();
        assertThat(after.since()).isEqualTo(T0);
        assertThat(after.lasting()).isEqualTo(Duration.ofSeconds(60));
        assertThat(after.problem()).isEqualTo(AUTHENTICATION);
        assertThat(after.message()).isEqualTo("login refused");
    }

    @Test
    void anAnswerWithoutTheProblemMakesItReadyAtOnceAndALaterRefusalStartsAfresh() {
        var access = new KafkaAccess(GRACE);
        access.refused(AUTHORIZATION, "denied", T0);
        assertThat(access.status(T0.plusSeconds(120)).ready()).isFalse();

        assertThat(access.answered()).as("a run ended").isTrue();
        assertThat(access.status(T0.plusSeconds(121))).isEqualTo(new KafkaAccess.Status.Ok());

        assertThat(access.refused(AUTHORIZATION, "denied", T0.plusSeconds(130))).isTrue();
        assertThat(access.status(T0.plusSeconds(189)).ready())
                .as("the new run counts from its own start")
                .isTrue();
        assertThat(access.status(T0.plusSeconds(190)).ready()).isFalse();
    }

    @Test
    void aClockThatStepsBackCountsNoNegativeTimeAndANegativeGraceIsRefused() {
        var access = new KafkaAccess(GRACE);
        access.refused(AUTHORIZATION, "denied", T0);
        var status = (KafkaAccess.Status.Failing) access.status(T0.minusSeconds(5));
        assertThat(status.lasting()).isEqualTo(Duration.ZERO);
        assertThat(status.ready()).isTrue();
        assertThatThrownBy(() -> new KafkaAccess(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new KafkaAccess(Duration.ZERO).refused(AUTHORIZATION, "denied", T0))
                .isTrue();
    }
}
