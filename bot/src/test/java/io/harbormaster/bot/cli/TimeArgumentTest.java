package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The times --from and --to take: the full form they always took, and what a person types. */
class TimeArgumentTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static Instant parse(String text) {
        return TimeArgument.parse("--from", text, NOW);
    }

    @Test
    void theFullTimestampAndADateAreTakenAsBefore() {
        assertThat(parse("2024-06-11T10:00:00Z")).isEqualTo(Instant.parse("2024-06-11T10:00:00Z"));
        assertThat(parse("2024-06-11T12:00:00+02:00")).isEqualTo(Instant.parse("2024-06-11T10:00:00Z"));
        assertThat(parse("2024-06-11")).isEqualTo(Instant.parse("2024-06-11T00:00:00Z"));
    }

    @Test
    void nowAndTimesBackFromNowInEveryWayTheyAreTyped() {
        assertThat(parse("now")).isEqualTo(NOW);
        assertThat(parse(" NOW ")).isEqualTo(NOW);
        var halfAnHourAgo = Instant.parse("2026-11-23T11:30:00Z");
        for (var text : new String[] {"-30m", "30m ago", "30m", "now-30m", "now - 30m", "- 30m", "30 m ago"}) {
            assertThat(parse(text)).as(text).isEqualTo(halfAnHourAgo);
        }
        assertThat(parse("-45s")).isEqualTo(Instant.parse("2026-11-23T11:59:15Z"));
        assertThat(parse("-2h")).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(parse("1d ago")).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
    }

    @Test
    void unixSecondsWholeOrWithAFraction() {
        assertThat(parse("1718100000")).isEqualTo(Instant.parse("2024-06-11T10:00:00Z"));
        assertThat(parse("1718100000.25")).isEqualTo(Instant.parse("2024-06-11T10:00:00.250Z"));
        assertThatThrownBy(() -> parse("1718100000000"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'1718100000000' is too large for unix seconds (unix milliseconds?");
    }

    @Test
    void anythingElseIsRefusedWithTheOptionAndEveryAcceptedForm() {
        for (var text :
                new String[] {"yesterday", "30 minutes ago", "+30m", "-30x", "2024-06-11 10:00", "", "now+1h"}) {
            assertThatThrownBy(() -> parse(text))
                    .as(text)
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("--from '" + text + "' is not a time")
                    .hasMessageContaining("2024-06-11T10:00:00Z")
                    .hasMessageContaining("unix seconds")
                    .hasMessageContaining("now")
                    .hasMessageContaining("-30m, 30m ago, now-30m");
        }
    }
}
