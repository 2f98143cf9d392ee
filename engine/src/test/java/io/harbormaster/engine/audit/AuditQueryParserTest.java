package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditQueryParserTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void filtersAreParsedFromKeyValueWords() {
        var q = AuditQueryParser.parse(
                List.of("service=checkout", "since=7d", "until=2026-11-23", "decision=rollback"), NOW);
        assertThat(q.service()).contains("checkout");
        assertThat(q.since()).contains(Instant.parse("2026-11-16T12:00:00Z"));
        assertThat(q.until()).contains(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(q.decision()).contains("rollback");
    }

    @Test
    void badFiltersSayWhatIsAccepted() {
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("owner=bob"), NOW))
                .hasMessageContaining("unknown filter 'owner'")
                .hasMessageContaining("service");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("checkout"), NOW))
                .hasMessageContaining("key=value");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=yesterday"), NOW))
                .hasMessageContaining("90m, 24h, 7d");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=1d", "until=2d"), NOW))
                .hasMessageContaining("must be after");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("service=a'b"), NOW))
                .hasMessageContaining("letters");
    }

    @Test
    void aSinceInTheFutureIsRefusedHoweverItComesAsAFilterOrAnOption() {
        assertThatThrownBy(() -> AuditQueryParser.with(AuditQuery.all(), "since", "2026-11-23T12:01:00Z", NOW))
                .hasMessageStartingWith(
                        "since (2026-11-23 12:01 UTC) is in the future: it is now 2026-11-23 12:00 UTC");
        // in the same minute, to the second
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=2026-11-23T12:00:30Z"), NOW))
                .hasMessageStartingWith(
                        "since (2026-11-23 12:00:30 UTC) is in the future: it is now 2026-11-23" + " 12:00:00 UTC");
        assertThat(AuditQueryParser.parse(List.of("since=2026-11-23T12:00:00Z"), NOW)
                        .since())
                .contains(NOW);
    }

    @Test
    void wordsSplitAroundAnEqualsSignAreJoinedBack() {
        assertThat(AuditQueryParser.joined(
                        List.of("service", "=", "checkout", "decision=", "rollback", "since", "=7d")))
                .containsExactly("service=checkout", "decision=rollback", "since=7d");
        assertThat(AuditQueryParser.joined(List.of("service=", "since=7d"))).containsExactly("service=", "since=7d");
        assertThat(AuditQueryParser.joined(List.of("=", "checkout"))).containsExactly("=", "checkout");
    }

    @Test
    void aFilterGivenTwiceIsRefusedRatherThanTheLastOneKept() {
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("service=search", "service=checkout"), NOW))
                .hasMessageContaining("service is given twice (service=search, service=checkout)")
                .hasMessageContaining("give it once");
    }

    @Test
    void aWindowThatEndsBeforeItStartsIsSaidInTimesPeopleReadWhicheverFilterComesFirst() {
        // an Instant.now() carries nanoseconds: they used to reach the message (2026-12-07T10:56:48.536296148Z)
        var now = Instant.parse("2026-12-07T12:56:48.536296148Z");
        for (var words : List.of(List.of("since=1h", "until=2h"), List.of("until=2h", "since=1h"))) {
            assertThatThrownBy(() -> AuditQueryParser.parse(words, now))
                    .as(words.toString())
                    .hasMessageStartingWith("until (2026-12-07 10:56 UTC) must be after since (2026-12-07 11:56 UTC)")
                    .hasMessageEndingWith(
                            "; ages count back from now, so until takes the smaller one, as in since 2h, until 1h")
                    .hasMessageNotContaining("T1");
        }
        // in the same minute the minute tells nothing: to the second
        assertThatThrownBy(() -> AuditQueryParser.parse(
                        List.of("since=2026-12-07T11:56:30Z", "until=2026-12-07T11:56:10.5Z"), now))
                .hasMessageStartingWith(
                        "until (2026-12-07 11:56:10 UTC) must be after since (2026-12-07 11:56:30 UTC)");
    }

    @Test
    void aWindowThatStartsWhenItEndsIsSaidToBeEmpty() {
        // before: "until must be after since ...; until takes the smaller one", of two equal ages
        var now = Instant.parse("2026-12-07T12:56:48.536296148Z");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=1h", "until=1h"), now))
                .hasMessageStartingWith("since and until are the same time (2026-12-07 11:56 UTC), so the window"
                        + " between them is empty")
                .hasMessageNotContaining("smaller");
    }

    @Test
    void aDeployIsItsNumberFromOneUpAndAnythingElseIsRefusedSayingSo() {
        assertThat(AuditQueryParser.parse(List.of("deploy=42"), NOW).deployId()).contains("42");
        assertThat(AuditQueryParser.parse(List.of("deploy=#42"), NOW).deployId())
                .contains("42");
        assertThat(AuditQueryParser.parse(List.of("deploy=042"), NOW).deployId())
                .contains("42");
        for (var bad : List.of("abc", "-1", "0", "#", "4.2", "1234567890123456789")) {
            assertThatThrownBy(() -> AuditQueryParser.parse(List.of("deploy=" + bad), NOW))
                    .as(bad)
                    .hasMessage("deploy must be a deploy number from 1 up, such as 42 (as /deploy status and the"
                            + " deploy's thread show it), got '" + bad + "'");
        }
    }

    @Test
    void aMisspeltFilterNameIsAnsweredWithTheClosestOne() {
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("servce=checkout"), NOW))
                .hasMessageStartingWith("unknown filter 'servce' (did you mean service=checkout?): use one of");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("owner=bob"), NOW))
                .hasMessageNotContaining("did you mean");
    }
}
