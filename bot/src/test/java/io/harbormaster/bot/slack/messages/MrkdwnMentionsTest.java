package io.harbormaster.bot.slack.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.DeployState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text that names people by their Slack ids shows them as mentions; nothing else in it becomes one. */
class MrkdwnMentionsTest {
    @Test
    void theNamedIdsBecomeMentionsAndTypedTextStaysEscaped() {
        var text = "payments is locked by U0ENGINEER (ask U0ENGINEER2 or <@U0EVIL> <!channel>); only U0ENGINEER may"
                + " unlock it";

        assertThat(Mrkdwn.escape(text, List.of("U0ENGINEER", "U0ENGINEER", "ci-bot")))
                .isEqualTo("payments is locked by <@U0ENGINEER> (ask U0ENGINEER2 or &lt;@U0EVIL&gt; &lt;!channel&gt;);"
                        + " only <@U0ENGINEER> may unlock it");
    }

    @Test
    void theParentShowsWhoMovedTheDeployAsAMentionInItsBlocksAndInItsNotificationText() {
        var view = new DeployView(
                7,
                "payments",
                "3.0.0",
                "production",
                "U0ENGINEER",
                DeployState.REJECTED,
                "rejected by U0APPROVER",
                false,
                Instant.parse("2026-11-24T10:00:00Z"),
                List.of("U0APPROVER"));

        var parent = DeployMessages.parent(view);

        assertThat(BlockKitLimits.json(parent.blocks())).contains("rejected by <@U0APPROVER>");
        // the text is what a notification shows, as mrkdwn: a person there too, not a raw member id
        assertThat(parent.text()).endsWith(": rejected by <@U0APPROVER>");
    }

    @Test
    void whatAPersonTypedCannotBroadcastOrDisguiseALinkInTheParentsNotificationText() {
        var typed = "<!channel> db migration <https://evil.example|click here>";
        var view = new DeployView(
                8,
                "inventory",
                "2.7.6",
                "production",
                "sandbox-ci",
                DeployState.FAILED,
                "blocked by preflight: no lock: locked by U0ENGINEER since 2026-12-07 17:34 UTC: " + typed,
                false,
                Instant.parse("2026-12-07T17:35:00Z"),
                List.of("U0ENGINEER"));

        var parent = DeployMessages.parent(view);

        assertThat(parent.text())
                .contains("&lt;!channel&gt; db migration &lt;https://evil.example|click here&gt;")
                .contains("locked by <@U0ENGINEER>")
                .doesNotContain("<!channel>", "<https://");
        assertThat(BlockKitLimits.json(parent.blocks())).doesNotContain("<!channel>", "<https://");
    }

    @Test
    void aPausesNotificationTextIsEscapedLikeItsBlocks() {
        var paused = PauseMessages.paused(9, "search", "metrics <!here> missing", "approvers");

        assertThat(paused.text()).isEqualTo("Paused: metrics &lt;!here&gt; missing");
    }

    @Test
    void aNameIsACodeSpanShowingItAsWrittenWithOnlyABacktickAndSlacksControlCharactersStandingIn() {
        assertThat(Mrkdwn.code("__init__.py")).isEqualTo("`__init__.py`");
        assertThat(Mrkdwn.code("*bold* ~strike~ _it_")).isEqualTo("`*bold* ~strike~ _it_`");
        // a backtick would end the span: its look-alike stands in; & < > are escaped, so no mention gets through
        assertThat(Mrkdwn.code("a`b <!channel> & c")).isEqualTo("`a\u02CBb &lt;!channel&gt; &amp; c`");
        assertThat(Mrkdwn.code("")).isEmpty();
    }
}
