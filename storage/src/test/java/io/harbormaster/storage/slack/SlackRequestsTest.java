package io.harbormaster.storage.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Slack requests replicas have taken, on H2 and on a real PostgreSQL. */
class SlackRequestsTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    /**
     * Two replicas on one database: a request one of them took is a repeat on the other, however long its key (a
     * trigger id has no length Slack promises); a key older than an hour is forgotten, long after its signature stopped
     * being honoured.
     */
    @ParameterizedTest
    @MethodSource("vendors")
    void aRequestTakenByOneReplicaIsARepeatOnTheOtherUntilItIsAnHourOld(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var one = new JooqSlackRequests(db);
            var other = new JooqSlackRequests(db);
            var key = "slack:1733500000.123456." + "a".repeat(400);

            assertThat(one.firstTime(key, T0)).isTrue();
            assertThat(other.firstTime(key, T0.plusSeconds(1))).isFalse();
            assertThat(one.firstTime(key, T0.plus(Duration.ofMinutes(10)))).isFalse();
            assertThat(other.firstTime("slack:another", T0.plusSeconds(2))).isTrue();

            assertThat(other.firstTime(key, T0.plus(JooqSlackRequests.KEPT).plusSeconds(1)))
                    .as("forgotten after an hour")
                    .isTrue();
            assertThat(one.firstTime(key, T0.plus(JooqSlackRequests.KEPT).plusSeconds(2)))
                    .isFalse();
        }
    }
}
