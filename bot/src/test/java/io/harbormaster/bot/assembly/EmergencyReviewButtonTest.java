package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An emergency deploy as its Slack thread shows it once it has ended: a review request with a Mark reviewed button that
 * only an approver who did not request it may use, replaced by who reviewed it and when; {@code /deploy status} lists
 * it until then, and {@code /audit decision=emergency} names it as not reviewed. Everything goes through signed Slack
 * requests to the production bot, as the sandbox console sends them.
 */
class EmergencyReviewButtonTest {
    static final SlackRequests.Origin ALICE = new SlackRequests.Origin("U0REQUESTER", "alice", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0APPROVER", "bob", CHANNEL, "deploys");
    static final SlackRequests.Origin MALLORY = new SlackRequests.Origin("U0MALLORY", "mallory", CHANNEL, "deploys");
    static final SlackRequests.Origin AUDREY = new SlackRequests.Origin("U0AUDITOR", "audrey", CHANNEL, "deploys");
    /** The review request's button, as the message's blocks carry it. */
    static final String BUTTON = "emergency_mark_reviewed";

    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
              auditors: [U0AUDITOR]
            audit:
              auditors: auditors
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 30
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
                "reviewbutton",
                CONFIG,
                List.of(
                        new SlackStandIn.User("U0REQUESTER", "alice", "Alice Requester"),
                        new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"),
                        new SlackStandIn.User("U0MALLORY", "mallory", "Mallory"),
                        new SlackStandIn.User("U0AUDITOR", "audrey", "Audrey Auditor")),
                List.of("checkout", "cart")));
        slack = bot.slack;
    }

    @AfterEach
    void stop() {
        bot.close();
    }

    /** Alice deploys {@code service} 1.1.0 with --emergency; the review request in its thread once it has ended. */
    SlackStandIn.Message endedEmergency(String service) throws Exception {
        assertThat(bot.announce(service, "1.1.0", InProcessBot.SMALL_CHANGE)).isEqualTo(202);
        bot.requests.slashCommand(ALICE, "/deploy", service + " 1.1.0 --emergency");
        var parent = await("the parent message", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(service + " 1.1.0"))
                .findFirst()
                .orElse(null));
        return await("the review request with its button", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains(BUTTON))
                .findFirst()
                .orElse(null));
    }

    @Test
    void onlyAnApproverWhoDidNotRequestItMarksTheEndedEmergencyDeployReviewedAndStatusListsItUntilThen()
            throws Exception {
        var request = endedEmergency("checkout");
        assertThat(request.allText())
                .contains("Review needed", "emergency deploy", "promoted", "Mark reviewed")
                .contains("Only members of *approvers* may review it");
        var id = InProcessBot.buttonValue(request);
        var parent = slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith("checkout 1.1.0"))
                .findFirst()
                .orElseThrow();
        var thread = slack.replies(CHANNEL, parent.ts()).stream()
                .map(SlackStandIn.Message::allText)
                .toList();
        assertThat(indexOf(thread, "*Promoted*"))
                .as("the review is asked for after the promotion is told")
                .isLessThan(indexOf(thread, BUTTON));

        bot.requests.slashCommand(ALICE, "/deploy", "status");
        var status = answer(ALICE, "Emergency deploys awaiting review");
        assertThat(status.allText())
                .contains("*checkout* `1.1.0`", "promoted", "run by <@U0REQUESTER>", "#" + id, "|thread>")
                .contains("/deploy review <deploy-id>");
        bot.requests.slashCommand(AUDREY, "/audit", "decision=emergency");
        assertThat(answer(AUDREY, "audit entr").allText())
                .contains("1 emergency deploy without a review", "deploy " + id + " (checkout 1.1.0)");

        bot.requests.blockAction(MALLORY, BUTTON, "review-" + id, id, SlackStandIn.asSlackJson(request));
        answer(MALLORY, "only members of approvers may review this deploy");
        bot.requests.blockAction(ALICE, BUTTON, "review-" + id, id, SlackStandIn.asSlackJson(request));
        answer(ALICE, "you requested this deploy, so you cannot review it; ask a member of approvers");
        assertThat(slack.message(CHANNEL, request.ts()).orElseThrow().allText())
                .as("refused clicks leave the button")
                .contains(BUTTON);

        bot.requests.blockAction(BOB, BUTTON, "review-" + id, id, SlackStandIn.asSlackJson(request));
        var reviewed = await("the button replaced by who reviewed it", () -> slack.message(CHANNEL, request.ts())
                .filter(m -> !m.allText().contains(BUTTON))
                .filter(m -> m.allText().contains("Reviewed by <@U0APPROVER> at "))
                .orElse(null));
        assertThat(reviewed.allText()).contains("after it ended", "Review needed");

        // a second click on the message as it was shown records nothing more
        bot.requests.blockAction(BOB, BUTTON, "review-" + id, id, SlackStandIn.asSlackJson(request));
        answer(BOB, "was reviewed already");
        assertThat(audited("deploy.reviewed", id)).containsExactly("U0APPROVER");
        assertThat(audited("review.refused", id)).containsExactly("U0MALLORY", "U0REQUESTER");

        int before = slack.ephemerals(CHANNEL).size();
        bot.requests.slashCommand(ALICE, "/deploy", "status");
        var after = await("the second status answer", () -> slack.ephemerals(CHANNEL).stream()
                .skip(before)
                .filter(m -> m.ephemeralTo().equals(Optional.of(ALICE.userId())))
                .filter(m -> m.allText().contains("checkout"))
                .findFirst()
                .orElse(null));
        assertThat(after.allText()).doesNotContain("awaiting review");
        int audits = slack.ephemerals(CHANNEL).size();
        bot.requests.slashCommand(AUDREY, "/audit", "decision=emergency");
        var audit = await("the second audit answer", () -> slack.ephemerals(CHANNEL).stream()
                .skip(audits)
                .filter(m -> m.ephemeralTo().equals(Optional.of(AUDREY.userId())))
                .findFirst()
                .orElse(null));
        assertThat(audit.allText()).contains("audit entr").doesNotContain("without a review");
        for (var m : slack.allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    @Test
    void aReviewTypedAsACommandClosesTheThreadsReviewRequestToo() throws Exception {
        var request = endedEmergency("cart");
        var id = InProcessBot.buttonValue(request);

        bot.requests.slashCommand(BOB, "/deploy", "review #" + id);

        answer(BOB, "Deploy #" + id + " (cart 1.1.0): Reviewed by <@U0APPROVER>");
        await("the thread's button replaced", () -> slack.message(CHANNEL, request.ts())
                .filter(m -> !m.allText().contains(BUTTON))
                .filter(m -> m.allText().contains("Reviewed by <@U0APPROVER>"))
                .orElse(null));
        // a service instead of a number is answered at once, with where to find the number
        assertThat(bot.requests.slashCommand(BOB, "/deploy", "review cart").body())
                .contains("Name the deploy by its number, not its service", "/deploy status cart");
        assertThat(audited("deploy.reviewed", id)).containsExactly("U0APPROVER");
    }

    /** The actors of the deploy's audit entries of {@code action}, in order. */
    List<String> audited(String action, String deployId) {
        var actors = new ArrayList<String>();
        JooqAuditLog.reader(bot.db, Optional.empty()).scan(AuditQuery.all().withDeploy(deployId), e -> {
            if (e.record().action().equals(action)) {
                actors.add(e.record().actor());
            }
        });
        return actors;
    }

    SlackStandIn.Message answer(SlackRequests.Origin who, String says) {
        return await("the answer to " + who.userName() + " saying " + says, () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(who.userId())))
                .filter(m -> m.allText().contains(says))
                .findFirst()
                .orElse(null));
    }

    static int indexOf(List<String> texts, String part) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).contains(part)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(60), probe);
    }
}
