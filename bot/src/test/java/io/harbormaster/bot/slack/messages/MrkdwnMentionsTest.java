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
    void theParentShowsWhoMovedTheDeployAsAMentionAndItsFallbackTheId() {
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
        assertThat(parent.text()).endsWith(": rejected by U0APPROVER");
    }
}
