package io.harbormaster.bot.slack.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditCommandParserTest {
    private static final Instant NOW = Instant.parse("2026-11-08T12:00:00Z");

    @Test
    void filtersBecomeAnAuditQuery() {
        var parsed = AuditCommandParser.parse("service=checkout since=7d decision=rollback", NOW);
        var query = ((AuditCommand.Query) ((Parsed.Ok<AuditCommand>) parsed).command()).query();
        assertThat(query.service()).contains("checkout");
        assertThat(query.since()).contains(NOW.minus(Duration.ofDays(7)));
        assertThat(query.decision()).contains("rollback");
    }

    @Test
    void verifyAndHelpAreSubcommandsAndNoTextMeansEverything() {
        assertThat(AuditCommandParser.parse("verify", NOW)).isEqualTo(Parsed.ok(new AuditCommand.Verify()));
        assertThat(AuditCommandParser.parse("help", NOW)).isEqualTo(Parsed.ok(new AuditCommand.Help()));
        assertThat(AuditCommandParser.parse("", NOW)).isInstanceOf(Parsed.Ok.class);
    }

    @Test
    void aBadFilterValueIsEchoedEscapedNeverAsABroadcast() {
        var bad = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("service=&lt;!channel&gt;", NOW);
        assertThat(bad.usage().message()).contains("got '&lt;!channel&gt;'").doesNotContain("<!channel>");
    }

    @Test
    void spacesAroundTheEqualsSignAreReadAsTheFilterTheyWrite() {
        for (var text : java.util.List.of(
                "service = checkout since = 7d", "service= checkout since =7d", "service =checkout since=7d")) {
            var parsed = AuditCommandParser.parse(text, NOW);
            assertThat(parsed).as(text).isInstanceOf(Parsed.Ok.class);
            var query = ((AuditCommand.Query) ((Parsed.Ok<AuditCommand>) parsed).command()).query();
            assertThat(query.service()).as(text).contains("checkout");
            assertThat(query.since()).as(text).contains(NOW.minus(Duration.ofDays(7)));
        }
        // a key followed by another filter has no value, and is refused as such
        var noValue = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("service= since=7d", NOW);
        assertThat(noValue.usage().message()).startsWith("The filter service= has no value.");
    }

    @Test
    void aSinceInTheFutureIsRefusedSayingSoAndWhatNowIs() {
        var future = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("since=2026-12-01", NOW);
        assertThat(future.usage().message())
                .startsWith("Since (2026-12-01 00:00 UTC) is in the future: it is now 2026-11-08 12:00 UTC, and the"
                        + " log has nothing after now; give a time before now, or an age back from now such as 24h or"
                        + " 7d.")
                .contains(AuditCommandParser.QUERY_USAGE);
        // until in the future is no problem: it takes everything up to now
        assertThat(AuditCommandParser.parse("until=2026-12-01", NOW)).isInstanceOf(Parsed.Ok.class);
        assertThat(AuditCommandParser.parse("since=2026-11-08", NOW)).isInstanceOf(Parsed.Ok.class);
    }

    @Test
    void badFiltersAreAnsweredWithUsage() {
        var bad = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("servce=checkout", NOW);
        assertThat(bad.usage().message()).contains("Unknown filter 'servce'").contains(AuditCommandParser.QUERY_USAGE);
        var typo = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("verfy", NOW);
        assertThat(typo.usage().suggestions()).containsExactly("verify");
        assertThat(AuditCommandParser.parse("verify service=x", NOW)).isInstanceOf(Parsed.Invalid.class);
        assertThat(AuditCommandParser.parse("since=yesterday", NOW)).isInstanceOf(Parsed.Invalid.class);
    }

    @Test
    void aDeployIsANumberTheUsageNamesAndAnythingElseIsRefusedSayingWhatToType() {
        assertThat(AuditCommandParser.QUERY_USAGE).contains("[deploy=..]");
        var ok = (AuditCommand.Query) ((Parsed.Ok<AuditCommand>) AuditCommandParser.parse("deploy=12", NOW)).command();
        assertThat(ok.query().deployId()).contains("12");
        for (var bad : java.util.List.of("abc", "-1")) {
            var refused = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("deploy=" + bad, NOW);
            assertThat(refused.usage().message())
                    .as(bad)
                    .startsWith("Deploy must be a deploy number from 1 up, such as 42")
                    .contains("got '" + bad + "'")
                    .contains("[deploy=..]")
                    .doesNotContain("letters");
        }
    }

    @Test
    void aWindowThatEndsBeforeItStartsIsSaidToTheMinute() {
        var now = Instant.parse("2026-12-07T12:56:48.536296148Z");
        var refused = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("since=1h until=2h", now);
        assertThat(refused.usage().message())
                .startsWith("Until (2026-12-07 10:56 UTC) must be after since (2026-12-07 11:56 UTC)")
                .doesNotContain("536296");
    }

    @Test
    void aWindowThatStartsWhenItEndsIsSaidToBeEmpty() {
        // before: "Until must be after since ...; ages count back from now, so until takes the smaller one"
        var now = Instant.parse("2026-12-07T12:56:48.536296148Z");
        var refused = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("since=1h until=1h", now);
        assertThat(refused.usage().message())
                .startsWith("Since and until are the same time (2026-12-07 11:56 UTC), so the window between them is"
                        + " empty")
                .doesNotContain("smaller");
    }
}
