package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An approval request kept with its deploy, read back: the same request as the one posted, count and outcome. */
class EscalationCardTest {
    static EscalationView view(List<String> approvedBy) {
        return new EscalationView(
                BlockKitLimitsTest.deploy("checkout", "waiting"),
                BlockKitLimitsTest.risk(7, "lines added 900 <in> *Cart* & \"Order\" 🚀 → ü"),
                "3 files: db/migration/V7__orders.sql, src/Order.java\n+40 / -0 lines",
                List.of("1.1.0: p99 doubled after the index was dropped", "1.0.9: errors on checkout"),
                Optional.of("Adds an index; the lock may hold writes for a minute."),
                "shop-approvers",
                2,
                approvedBy,
                Instant.parse("2026-11-24T14:00:00Z"));
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
