package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Track;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary paused for a human, as its Slack thread shows it: the pause has Promote anyway and Roll back buttons that
 * only an approver (not the requester) may use, and a decision replaces them by who decided what.
 */
class PausedCanaryButtonsTest {
    static final SlackRequests.Origin ALICE = new SlackRequests.Origin("U0REQUESTER", "alice", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0APPROVER", "bob", CHANNEL, "deploys");
    static final SlackRequests.Origin MALLORY = new SlackRequests.Origin("U0MALLORY", "mallory", CHANNEL, "deploys");
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 2
                steps: [{weight: 50, intervals: 6}]
            services:
              checkout: {namespace: shop, approvers: approvers}
              cart: {namespace: shop, approvers: approvers}
            """;
    InProcessBot bot;
    SlackStandIn slack;

    @BeforeEach
    void start() {
        bot = InProcessBot.start(InProcessBot.Options.of(
                "pausebuttons",
                CONFIG,
                List.of(
                        new SlackStandIn.User("U0REQUESTER", "alice", "Alice Requester"),
                        new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"),
                        new SlackStandIn.User("U0MALLORY", "mallory", "Mallory")),
                List.of("checkout", "cart")));
        slack = bot.slack;
    }

    @AfterEach
    void stop() {
        bot.close();
    }

    /** A small change to {@code service} deployed from Slack by Alice with the metrics down; its pause message. */
    SlackStandIn.Message pausedCanary(String service) throws Exception {
        assertThat(bot.announce(service, "1.1.0", InProcessBot.SMALL_CHANGE)).isEqualTo(202);
        bot.metrics.outage("connection refused");
        bot.requests.slashCommand(ALICE, "/deploy", service + " 1.1.0");
        var parent = await("the parent message", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(service + " 1.1.0"))
                .findFirst()
                .orElse(null));
        return await("the pause with its buttons", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains(PauseMessages.PROMOTE_ACTION))
                .findFirst()
                .orElse(null));
    }

    @Test
    void onlyAnApproverWhoDidNotRequestItMayPromoteThePausedCanaryAndTheButtonsBecomeWhoDid() throws Exception {
        var paused = pausedCanary("checkout");
        assertThat(paused.allText())
                .contains("Paused", "no metrics", "Promote anyway", "Roll back", PauseMessages.ROLLBACK_ACTION)
                .contains("Only members of *approvers* may decide");
        var id = InProcessBot.buttonValue(paused);

        bot.requests.blockAction(MALLORY, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, json(paused));
        refusal(MALLORY, "only members of approvers");
        bot.requests.blockAction(ALICE, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, json(paused));
        refusal(ALICE, "you requested this deploy");
        assertThat(slack.message(CHANNEL, paused.ts()).orElseThrow().allText())
                .as("refused clicks leave the buttons")
                .contains(PauseMessages.PROMOTE_ACTION);
        assertThat(bot.cluster.workloads(target("checkout")).get(Track.STABLE).image())
                .endsWith(":1.0.0");

        bot.requests.blockAction(BOB, PauseMessages.PROMOTE_ACTION, "pause-" + id, id, json(paused));
        await("the buttons replaced by the outcome", () -> slack.message(CHANNEL, paused.ts())
                .filter(m -> !m.allText().contains(PauseMessages.PROMOTE_ACTION))
                .filter(m -> m.allText().contains("Promoted by <@U0APPROVER> after the pause"))
                .orElse(null));
        await("the new version live", () -> Optional.of(bot.cluster.workloads(target("checkout")))
                .filter(w -> w.keySet().equals(java.util.Set.of(Track.STABLE)))
                .filter(w -> w.get(Track.STABLE).image().endsWith(":1.1.0"))
                .orElse(null));

        await("the promotion told in the thread, with who promoted it", () -> slack.allMessages().stream()
                .filter(m -> m.allText().contains("*Promoted*"))
                .filter(m -> m.allText().contains("Promoted by <@U0APPROVER> after the pause."))
                .findFirst()
                .orElse(null));

        // a second click on the message as it was shown: nothing more happens, and the outcome stays
        bot.requests.blockAction(BOB, PauseMessages.ROLLBACK_ACTION, "pause-" + id, id, json(paused));
        refusal(BOB, "no longer waits");
        assertThat(slack.message(CHANNEL, paused.ts()).orElseThrow().allText())
                .contains("Promoted by <@U0APPROVER> after the pause");
        assertThat(bot.cluster.workloads(target("checkout")).get(Track.STABLE).image())
                .endsWith(":1.1.0");
        for (var m : slack.allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    @Test
    void rollBackRollsThePausedCanaryBackInTheClickersName() throws Exception {
        var paused = pausedCanary("cart");
        var id = InProcessBot.buttonValue(paused);

        bot.requests.blockAction(BOB, PauseMessages.ROLLBACK_ACTION, "pause-" + id, id, json(paused));

        await("the buttons replaced by the outcome", () -> slack.message(CHANNEL, paused.ts())
                .filter(m -> !m.allText().contains(PauseMessages.ROLLBACK_ACTION))
                .filter(m -> m.allText().contains("Rolled back by <@U0APPROVER>"))
                .orElse(null));
        await("the canary gone", () -> Optional.of(bot.cluster.workloads(target("cart")))
                .filter(w -> w.keySet().equals(java.util.Set.of(Track.STABLE)))
                .filter(w -> w.get(Track.STABLE).image().endsWith(":1.0.0"))
                .orElse(null));
    }

    void refusal(SlackRequests.Origin who, String says) {
        await("the answer to " + who.userName(), () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(who.userId())))
                .filter(m -> m.allText().contains(says))
                .findFirst()
                .orElse(null));
    }

    static com.fasterxml.jackson.databind.node.ObjectNode json(SlackStandIn.Message m) {
        return SlackStandIn.asSlackJson(m);
    }

    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(30), probe);
    }
}
