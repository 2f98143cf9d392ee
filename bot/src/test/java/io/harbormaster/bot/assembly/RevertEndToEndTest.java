package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.DANA;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Track;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /deploy rollback} after a promotion, through the whole bot as Slack drives it: the revert gets its own parent
 * message and thread in the channel, the cluster runs the earlier version again, and a second rollback does not
 * revert the revert.
 */
class RevertEndToEndTest {
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER]
              deployers: [U0DEPLOYER]
            services:
              checkout: {namespace: shop, approvers: approvers, deployers: deployers}
            """);

    @RegisterExtension
    final InProcessBot bot =
            new InProcessBot(InProcessBot.Options.of("revert", CONFIG, users(DANA, BOB, MALLORY), List.of("checkout")));

    @Test
    void aRollbackAfterAPromotionRevertsInItsOwnThreadAndTheChannelHearsIt() {
        bot.announceNewBuild("checkout", "1.1.0", InProcessBot.SMALL_CHANGE);
        bot.requests().slashCommand(DANA, "/deploy", "checkout 1.1.0");
        var promoted = bot.await("the promotion", () -> promoted("checkout 1.1.0"));
        assertThat(stableImage()).endsWith(":1.1.0");

        // who may roll back may revert; nobody else
        bot.requests().slashCommand(MALLORY, "/deploy", "rollback checkout");
        bot.answerTo(MALLORY, "may roll back checkout");
        assertThat(bot.parent("checkout 1.0.0")).isNull();

        bot.requests().slashCommand(DANA, "/deploy", "rollback checkout");
        var revert = bot.await("the revert's parent message", () -> promoted("checkout 1.0.0"));
        var thread = bot.await("the revert's broadcast", () -> {
            var replies = bot.thread(revert);
            return replies.stream().anyMatch(SlackStandIn.Message::replyBroadcast) ? replies : null;
        });
        var text = String.join(
                "\n", thread.stream().map(SlackStandIn.Message::allText).toList());
        assertThat(text)
                .contains(
                        "Revert requested by <@U0DEPLOYER> with `/deploy rollback checkout`",
                        "goes back from `1.1.0`",
                        "No risk score, approval or canary",
                        "Reverting",
                        "registry.example/checkout:1.0.0")
                .doesNotContain("Risk ", "Canary step", "Request received");
        var broadcast = thread.stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElseThrow();
        assertThat(broadcast.allText())
                .contains(
                        "Reverted checkout to 1.0.0 in production (from 1.1.0, deploy #",
                        "at the request of <@U0DEPLOYER>",
                        "automatic deploys of checkout are blocked until");
        assertThat(revert.allText()).contains("1.0.0 is live again: reverted from 1.1.0");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");
        assertThat(bot.current(promoted).orElseThrow().allText())
                .as("the reverted deploy's own message is left as it ended")
                .contains("promoted");

        // the status shows the block, and what runs
        bot.requests().slashCommand(BOB, "/deploy", "status checkout");
        var status = bot.answerTo(BOB, "automatic deploys blocked");
        assertThat(status.allText()).contains("*checkout* `1.0.0` → production: promoted", "revert of 1.1.0");

        // a second rollback does not revert the revert
        bot.requests().slashCommand(BOB, "/deploy", "rollback checkout");
        var refusal = bot.answerTo(BOB, "revert already");
        assertThat(refusal.allText()).contains("/deploy checkout &lt;version&gt;");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");

        assertThat(bot.scrape())
                .containsPattern("harbormaster_rollbacks_total\\{service=\"checkout\",trigger=\"revert\"\\} 1");
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    String stableImage() {
        return bot.cluster().workloads(target("checkout")).get(Track.STABLE).image();
    }

    /** The parent message that starts with {@code titleStart}, once it says promoted; null until then. */
    SlackStandIn.Message promoted(String titleStart) {
        var parent = bot.parent(titleStart);
        return parent == null || !parent.allText().contains("promoted") ? null : parent;
    }
}
