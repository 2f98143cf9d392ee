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
    void badFiltersAreAnsweredWithUsage() {
        var bad = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("servce=checkout", NOW);
        assertThat(bad.usage().message()).contains("Unknown filter 'servce'").contains(AuditCommandParser.QUERY_USAGE);
        var typo = (Parsed.Invalid<AuditCommand>) AuditCommandParser.parse("verfy", NOW);
        assertThat(typo.usage().suggestions()).containsExactly("verify");
        assertThat(AuditCommandParser.parse("verify service=x", NOW)).isInstanceOf(Parsed.Invalid.class);
        assertThat(AuditCommandParser.parse("since=yesterday", NOW)).isInstanceOf(Parsed.Invalid.class);
    }
}
