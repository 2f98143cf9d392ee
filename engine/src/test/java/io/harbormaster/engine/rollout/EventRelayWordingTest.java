package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The relay's log lines count passes, events and days in the right number, never "pass(es)" or "event(s)". */
class EventRelayWordingTest {
    @Test
    void theRelaysLogLinesCountInTheRightNumber() {
        assertThat(EventRelay.publishedAgain(1)).isEqualTo("deploy events are published again after 1 failed pass");
        assertThat(EventRelay.publishedAgain(3)).isEqualTo("deploy events are published again after 3 failed passes");
        assertThat(EventRelay.forgotten(1, Duration.ofDays(7)))
                .isEqualTo("deleted 1 deploy event published before the last 7 days");
        assertThat(EventRelay.forgotten(12, Duration.ofDays(1)))
                .isEqualTo("deleted 12 deploy events published before the last 1 day");
    }
}
