package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static io.harbormaster.bot.slack.standin.SlackStandIn.asSlackJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Track;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A canary paused for a human, as its Slack thread shows it: the pause has Promote anyway and Roll back buttons that
 * only an approver (not the requester) may use, and a decision replaces them by who decided what.
 */
class PausedCanaryButtonsTest {
    /** A canary without metrics pauses after 2 s. */
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
            defaults:
              canary:
                max_no_data_seconds: 2
            services:
              checkout: {namespace: shop, approvers: approvers}
              cart: {namespace: shop, approvers: approvers}
            """);

    @RegisterExtension
    final InProcessBot bot = new InProcessBot(
            InProcessBot.Options.of("pausebuttons", CONFIG, users(ALICE, BOB, MALLORY), List.of("checkout", "cart")));

    /** A small change to {@code service} deployed from Slack by Alice with the metrics down; its pause message. */
    SlackStandIn.Message pausedCanary(String service) {
        bot.announceNewBuild(service, "1.1.0", InProcessBot.SMALL_CHANGE);
        bot.metrics().outage("connection refused");
        bot.requests().slashCommand(ALICE, "/deploy", service + " 1.1.0");
        var parent = bot.await("the parent message", () -> bot.parent(service + " 1.1.0"));
        return bot.await("the pause with its buttons", () -> bot.reply(parent, PauseMessages.PROMOTE_ACTION));
    }

    @Test
    void onlyAnApproverWhoDidNotRequestItMayPromoteThePausedCanaryAndTheButtonsBecomeWhoDid() {
        var paused = pausedCanary("checkout");
        assertThat(paused.allText())
                .contains("Paused", "no metrics", "Promote anyway", "Roll back", PauseMessages.ROLLBACK_ACTION)
                .contains("Only members of *approvers* may decide");
        var id = InProcessBot.buttonValue(paused);

        bot.requests().blockAction(MALLORY, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, asSlackJson(paused));
        bot.answerTo(MALLORY, "only members of approvers");
        bot.requests().blockAction(ALICE, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, asSlackJson(paused));
        bot.answerTo(ALICE, "you requested this deploy");
        assertThat(bot.current(paused).orElseThrow().allText())
                .as("refused clicks leave the buttons")
                .contains(PauseMessages.PROMOTE_ACTION);
        assertThat(bot.cluster().workloads(target("checkout")).get(Track.STABLE).image())
                .endsWith(":1.0.0");

        bot.requests().blockAction(BOB, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, asSlackJson(paused));
        bot.await("the buttons replaced by the outcome", () -> bot.current(paused)
                .filter(m -> !m.allText().contains(PauseMessages.PROMOTE_ACTION))
                .filter(m -> m.allText().contains("Promoted by <@U0APPROVER> after the pause"))
                .orElse(null));
        bot.await("the new version live", () -> Optional.of(bot.cluster().workloads(target("checkout")))
                .filter(w -> w.keySet().equals(java.util.Set.of(Track.STABLE)))
                .filter(w -> w.get(Track.STABLE).image().endsWith(":1.1.0"))
                .orElse(null));

        bot.await("the promotion told in the thread, with who promoted it", () -> bot.slack().allMessages().stream()
                .filter(m -> m.allText().contains("*Promoted*"))
                .filter(m -> m.allText().contains("Promoted by <@U0APPROVER> after the pause."))
                .findFirst()
                .orElse(null));

        // a second click on the message as it was shown: nothing more happens, and the outcome stays
        bot.requests().blockAction(BOB, PauseMessages.ROLLBACK_ACTION, "pause-" + id, id, asSlackJson(paused));
        bot.answerTo(BOB, "no longer waits");
        assertThat(bot.current(paused).orElseThrow().allText()).contains("Promoted by <@U0APPROVER> after the pause");
        assertThat(bot.cluster().workloads(target("checkout")).get(Track.STABLE).image())
                .endsWith(":1.1.0");
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void rollBackRollsThePausedCanaryBackInTheClickersName() {
        var paused = pausedCanary("cart");
        var id = InProcessBot.buttonValue(paused);

        bot.requests().blockAction(BOB, PauseMessages.ROLLBACK_ACTION, "pause-" + id, id, asSlackJson(paused));

        bot.await("the buttons replaced by the outcome", () -> bot.current(paused)
                .filter(m -> !m.allText().contains(PauseMessages.ROLLBACK_ACTION))
                .filter(m -> m.allText().contains("Rolled back by <@U0APPROVER>"))
                .orElse(null));
        bot.await("the canary gone", () -> Optional.of(bot.cluster().workloads(target("cart")))
                .filter(w -> w.keySet().equals(java.util.Set.of(Track.STABLE)))
                .filter(w -> w.get(Track.STABLE).image().endsWith(":1.0.0"))
                .orElse(null));
    }
}
