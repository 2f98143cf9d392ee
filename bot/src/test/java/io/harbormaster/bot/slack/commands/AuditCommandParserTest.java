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
}
