package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.SimilarIncident;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** An approval request kept with its deploy, read back: the same request as the one posted, count and outcome. */
class EscalationCardTest {
    static EscalationView view(List<String> approvedBy) {
        return new EscalationView(
                BlockKitLimitsTest.deploy("checkout", "waiting"),
                BlockKitLimitsTest.risk(7, "lines added 900 <in> *Cart* & \"Order\" 🚀 → ü"),
                "3 files: db/migration/V7__orders.sql, src/Order.java\n+40 / -0 lines",
                List.of(
                        new PastIncidentView(
                                incident(3, "checkout", "1.1.0", "p99 doubled after the index was dropped"), List.of()),
                        new PastIncidentView(incident(2, "checkout", "1.0.9", "errors on checkout"), List.of())),
                Optional.of("Adds an index; the lock may hold writes for a minute."),
                "shop-approvers",
                2,
                approvedBy,
                Instant.parse("2026-11-24T14:00:00Z"));
    }

    /** An incident of {@code service} {@code version} that deploy {@code 100 + id} rolled back, still open. */
    static Incident incident(long id, String service, String version, String summary) {
        return new Incident(
                id,
                OptionalLong.of(100 + id),
                service,
                version,
                Instant.parse("2026-11-20T09:15:42Z"),
                "p99_ms",
                summary,
                "",
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void similarPastIncidentsReadAsServiceVersionWhenDeployAndAShortSummaryWithPeopleNamedAsSlackShowsThem() {
        var byHand = incident(
                4, "checkout", "1.1.0", "rollback requested by U0APPROVER with the paused canary's Roll back button");
        var resolvedWithoutDeploy = new Incident(
                5,
                OptionalLong.empty(),
                "checkout",
                "1.0.9",
                Instant.parse("2026-11-18T17:03:00Z"),
                "error_rate",
                "error rate > 5% over 120 s: canary error rate 12.5% (25 of 200 requests) over the last 120 s;\n"
                        + "p99 > 2000 ms over 180 s: canary p99 stayed above 2000 ms for 180 s (lowest 2412 ms); "
                        + "restarts >= 3 over 300 s: 4 canary pod restarts in the last 300 s; and more <b>after</b>",
                "",
                Optional.of(Instant.parse("2026-11-19T08:00:00Z")),
                Optional.of("resolved by U0APPROVER"));
        var view = new EscalationView(
                BlockKitLimitsTest.deploy("checkout", "waiting"),
                BlockKitLimitsTest.risk(7, "lines added 900"),
                "3 files",
                List.of(
                        new PastIncidentView(
                                byHand,
                                List.of("U0APPROVER"),
                                List.of(new SimilarIncident.Shared("the same version,", List.of("1.1.0"), ""))),
                        new PastIncidentView(resolvedWithoutDeploy, List.of())),
                Optional.empty(),
                "shop-approvers",
                1,
                List.of(),
                Instant.parse("2026-11-24T14:00:00Z"));
        var text = BlockKitLimits.json(EscalationMessages.request(view).blocks());

        assertThat(text)
                .contains("*Similar past incidents*")
                .contains("• *checkout* `1.1.0` rolled back 2026-11-20 09:15 UTC (deploy #104, incident #4, still"
                        + " open): rollback requested by <@U0APPROVER> with the paused canary's Roll back button")
                .contains("• *checkout* `1.0.9` 2026-11-18 17:03 UTC (incident #5): error rate &gt; 5% over 120 s:")
                .doesNotContain("by U0APPROVER", "2412 ms", "<b>");
        var line = EscalationMessages.incidentLine(new PastIncidentView(resolvedWithoutDeploy, List.of()));
        var summary = line.substring(line.indexOf("): ") + 3);
        assertThat(summary).endsWith("…").doesNotContain("\n");
        assertThat(summary.replace("&gt;", ">").length())
                .isLessThanOrEqualTo(EscalationMessages.INCIDENT_SUMMARY_CHARS);
    }

    @Test
    void pastIncidentsShownForWhatTheyShareSayItAndTheLatestShownForLackOfAnySayThatInstead() {
        var alike = new EscalationView(
                BlockKitLimitsTest.deploy("checkout", "waiting"),
                BlockKitLimitsTest.risk(7, "lines added 900"),
                "2 files",
                List.of(new PastIncidentView(
                        incident(3, "checkout", "1.1.0", "p99 doubled"),
                        List.of(),
                        List.of(
                                new SimilarIncident.Shared("also changed", List.of("Order.java"), ""),
                                new SimilarIncident.Shared("also added", List.of("payments-client"), "")))),
                Optional.empty(),
                "shop-approvers",
                1,
                List.of(),
                Instant.parse("2026-11-24T14:00:00Z"));
        assertThat(BlockKitLimits.json(EscalationMessages.request(alike).blocks()))
                .contains("*Similar past incidents*\\n• *checkout* `1.1.0` rolled back")
                .contains("p99 doubled (also changed `Order.java`; also added `payments-client`)");

        var latest = view(List.of());
        assertThat(BlockKitLimits.json(EscalationMessages.request(latest).blocks()))
                .contains("*Latest past incidents* (none changed the same files, directories or dependencies as this"
                        + " change)")
                .doesNotContain("Similar past incidents");
    }

    @Test
    void namesAPastIncidentSharesWithTheChangeAreShownAsWrittenWhateverMarksTheyHold() {
        // file and dependency names from CI with Slack's formatting marks in them: inside an italic span, the _ of
        // _app.tsx or __init__.py ended it there; each name is a code span instead, nothing of it formatted
        var shared = List.of(
                new SimilarIncident.Shared("also changed", List.of("_app.tsx", "my_file.java"), " and 2 more files"),
                new SimilarIncident.Shared("also added", List.of("left_pad*", "~tilde~"), ""),
                new SimilarIncident.Shared("also changed files in", List.of("pkg/__init__"), ""),
                new SimilarIncident.Shared("also changed", List.of("odd`name<x>&.java"), ""));
        var line = EscalationMessages.incidentLine(
                new PastIncidentView(incident(3, "checkout", "1.1.0", "p99 doubled"), List.of(), shared));

        assertThat(line)
                .endsWith("p99 doubled (also changed `_app.tsx`, `my_file.java` and 2 more files; also added"
                        + " `left_pad*`, `~tilde~`; also changed files in `pkg/__init__`; also changed"
                        + " `odd\u02CBname&lt;x&gt;&amp;.java`)")
                .doesNotContain("_(", ")_");
        // outside its code spans, no formatting mark is left unpaired: every one is part of the line's own formatting
        var outsideCode = line.replaceAll("`[^`]*`", "");
        assertThat(outsideCode)
                .doesNotContain("_", "~")
                .isEqualTo("• *checkout*  rolled back 2026-11-20 09:15 UTC"
                        + " (deploy #103, incident #3, still open): p99 doubled (also changed ,  and 2 more files; also added"
                        + " , ; also changed files in ; also changed )");
    }

    @Test
    void aCardReadBackRendersTheRequestAndItsOutcomeAsTheViewItWasMadeFrom() {
        var posted = view(List.of());
        var card = EscalationCard.fromJson(EscalationMessages.card(posted).toJson());

        assertThat(card).isEqualTo(EscalationMessages.card(posted));
        assertSame(EscalationMessages.request(card, List.of()), EscalationMessages.request(posted));
        var counted = view(List.of("U0ANN"));
        assertSame(EscalationMessages.request(card, List.of("U0ANN")), EscalationMessages.request(counted));
        assertThat(BlockKitLimits.json(
                        EscalationMessages.request(card, List.of("U0ANN")).blocks()))
                .contains("1 approval of 2 needed so far (approved by <@U0ANN>)", "shop-approvers");
        assertSame(
                EscalationMessages.closed(card, "Approved by <@U0BOB>"),
                EscalationMessages.closed(posted, "Approved by <@U0BOB>"));
    }

    @Test
    void somethingElseIsNotReadAsACard() {
        var json = EscalationMessages.card(view(List.of())).toJson();
        for (var bad : List.of(
                "",
                "[]",
                "{}",
                "not json",
                json.replace("\"format\":1", "\"format\":2"),
                json.replace("\"expires_at\":", "\"expired\":"),
                json.replace("\"expires_at\":\"2026-11-24T14:00:00Z\"", "\"expires_at\":\"tomorrow\""),
                json.replace("\"required_approvals\":2", "\"required_approvals\":\"two\""))) {
            assertThatThrownBy(() -> EscalationCard.fromJson(bad))
                    .as(bad.length() > 60 ? bad.substring(0, 60) : bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("approval card");
        }
    }

    static void assertSame(SlackMessage actual, SlackMessage expected) {
        assertThat(actual.text()).isEqualTo(expected.text());
        assertThat(BlockKitLimits.json(actual.blocks())).isEqualTo(BlockKitLimits.json(expected.blocks()));
    }
}
