package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.AUDREY;
import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static io.harbormaster.bot.slack.standin.SlackStandIn.asSlackJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditQuery;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An emergency deploy as its Slack thread shows it once it has ended: a review request with a Mark reviewed button that
 * only an approver who did not request it may use, replaced by who reviewed it and when; {@code /deploy status} lists
 * it until then, and {@code /audit decision=emergency} names it as not reviewed. Everything goes through signed Slack
 * requests to the production bot, as the sandbox console sends them.
 */
class EmergencyReviewButtonTest {
    /** The review request's button, as the message's blocks carry it. */
    static final String BUTTON = "emergency_mark_reviewed";

    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
              auditors: [U0AUDITOR]
            audit:
              auditors: auditors
            services:
              checkout: {namespace: shop, approvers: approvers}
              cart: {namespace: shop, approvers: approvers}
            """);

    @RegisterExtension
    final InProcessBot bot = new InProcessBot(InProcessBot.Options.of(
                    "reviewbutton", CONFIG, users(ALICE, BOB, MALLORY, AUDREY), List.of("checkout", "cart"))
            .withPatience(Duration.ofSeconds(60)));

    /** Alice deploys {@code service} 1.1.0 with --emergency; the review request in its thread once it has ended. */
    SlackStandIn.Message endedEmergency(String service) {
        bot.announceNewBuild(service, "1.1.0", InProcessBot.SMALL_CHANGE);
        bot.requests().slashCommand(ALICE, "/deploy", service + " 1.1.0 --emergency");
        var parent = bot.await("the parent message", () -> bot.parent(service + " 1.1.0"));
        return bot.await("the review request with its button", () -> bot.reply(parent, BUTTON));
    }

    @Test
    void onlyAnApproverWhoDidNotRequestItMarksTheEndedEmergencyDeployReviewedAndStatusListsItUntilThen() {
        var request = endedEmergency("checkout");
        assertThat(request.allText())
                .contains("Review needed", "emergency deploy", "promoted", "Mark reviewed")
                .contains("Only members of *approvers* may review it");
        var id = InProcessBot.buttonValue(request);
        var thread = bot.thread(bot.parent("checkout 1.1.0")).stream()
                .map(SlackStandIn.Message::allText)
                .toList();
        assertThat(indexOf(thread, "*Promoted*"))
                .as("the review is asked for after the promotion is told")
                .isLessThan(indexOf(thread, BUTTON));

        bot.requests().slashCommand(ALICE, "/deploy", "status");
        var status = bot.answerTo(ALICE, "Emergency deploys awaiting review");
        assertThat(status.allText())
                .contains("*checkout* `1.1.0`", "promoted", "run by <@U0REQUESTER>", "#" + id, "|thread>")
                .contains("/deploy review <deploy-id>");
        bot.requests().slashCommand(AUDREY, "/audit", "decision=emergency");
        assertThat(bot.answerTo(AUDREY, "audit entr").allText())
                .contains("1 emergency deploy without a review", "deploy " + id + " (checkout 1.1.0)");

        bot.requests().blockAction(MALLORY, BUTTON, "review-" + id, id, asSlackJson(request));
        bot.answerTo(MALLORY, "only members of approvers may review this deploy");
        bot.requests().blockAction(ALICE, BUTTON, "review-" + id, id, asSlackJson(request));
        bot.answerTo(ALICE, "you requested this deploy, so you cannot review it; ask a member of approvers");
        assertThat(bot.current(request).orElseThrow().allText())
                .as("refused clicks leave the button")
                .contains(BUTTON);

        bot.requests().blockAction(BOB, BUTTON, "review-" + id, id, asSlackJson(request));
        var reviewed = bot.await("the button replaced by who reviewed it", () -> bot.current(request)
                .filter(m -> !m.allText().contains(BUTTON))
                .filter(m -> m.allText().contains("Reviewed by <@U0APPROVER> at "))
                .orElse(null));
        assertThat(reviewed.allText()).contains("after it ended", "Review needed");

        // a second click on the message as it was shown records nothing more
        bot.requests().blockAction(BOB, BUTTON, "review-" + id, id, asSlackJson(request));
        bot.answerTo(BOB, "was reviewed already: reviewed by <@U0APPROVER> at ");
        assertThat(audited("deploy.reviewed", id)).containsExactly("U0APPROVER");
        assertThat(audited("review.refused", id)).containsExactly("U0MALLORY", "U0REQUESTER");

        int before = bot.slack().ephemerals(CHANNEL).size();
        bot.requests().slashCommand(ALICE, "/deploy", "status");
        var after = bot.await("the second status answer", () -> bot.slack().ephemerals(CHANNEL).stream()
                .skip(before)
                .filter(m -> m.ephemeralTo().equals(Optional.of(ALICE.userId())))
                .filter(m -> m.allText().contains("checkout"))
                .findFirst()
                .orElse(null));
        assertThat(after.allText()).doesNotContain("awaiting review");
        int audits = bot.slack().ephemerals(CHANNEL).size();
        bot.requests().slashCommand(AUDREY, "/audit", "decision=emergency");
        var audit = bot.await("the second audit answer", () -> bot.slack().ephemerals(CHANNEL).stream()
                .skip(audits)
                .filter(m -> m.ephemeralTo().equals(Optional.of(AUDREY.userId())))
                .findFirst()
                .orElse(null));
        assertThat(audit.allText()).contains("audit entr").doesNotContain("without a review");
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void aReviewTypedAsACommandClosesTheThreadsReviewRequestToo() {
        var request = endedEmergency("cart");
        var id = InProcessBot.buttonValue(request);

        bot.requests().slashCommand(BOB, "/deploy", "review #" + id);

        bot.answerTo(BOB, "Deploy #" + id + " (cart 1.1.0): Reviewed by <@U0APPROVER>");
        bot.await("the thread's button replaced", () -> bot.current(request)
                .filter(m -> !m.allText().contains(BUTTON))
                .filter(m -> m.allText().contains("Reviewed by <@U0APPROVER>"))
                .orElse(null));
        // a service instead of a number is answered at once, with where to find the number
        assertThat(bot.requests().slashCommand(BOB, "/deploy", "review cart").body())
                .contains("Name the deploy by its number, not its service", "/deploy status cart");
        assertThat(audited("deploy.reviewed", id)).containsExactly("U0APPROVER");
    }

    /** The actors of the deploy's audit entries of {@code action}, in order. */
    List<String> audited(String action, String deployId) {
        return bot.audited(AuditQuery.all().withDeploy(deployId)).stream()
                .filter(e -> e.record().action().equals(action))
                .map(e -> e.record().actor())
                .toList();
    }

    static int indexOf(List<String> texts, String part) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).contains(part)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
