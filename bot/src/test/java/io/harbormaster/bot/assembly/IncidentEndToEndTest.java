package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The incident a rollback opens, through the whole bot as Slack drives it: it holds back the deploys of the services
 * that depend on the rolled-back one, and says since when, until when at most, and how to clear it; {@code /deploy
 * status} lists it under Held back; an emergency deploy goes ahead despite it and says so; a later promotion of the
 * service, or an approver's {@code /deploy resolve}, resolves it, audited, and the dependents deploy again. A person's
 * rollback is told as theirs, not blamed on a metric or on the change.
 */
class IncidentEndToEndTest {
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER]
            services:
              inventory: {namespace: shop, approvers: approvers}
              checkout: {namespace: shop, approvers: approvers, dependencies: {inventory: {}}}
            """);

    @RegisterExtension
    final InProcessBot bot = new InProcessBot(
            InProcessBot.Options.of("incidents", CONFIG, users(ALICE, BOB, MALLORY), List.of("inventory", "checkout"))
                    .withPatience(Duration.ofSeconds(60)));

    @Test
    void aManualRollbacksIncidentHoldsDependentsBackUntilTheServiceIsPromotedAgainAndAnEmergencyGoesAhead() {
        var rolledBack = rolledBackByHand();
        var incident = incidentOf(rolledBack);

        // the hypothesis says a person stopped it, named as Slack shows a person: no metric tripped, and the change is
        // not the proven cause
        var hypothesis = bot.await("the incident hypothesis", () -> bot.reply(rolledBack, "Incident hypothesis"));
        assertThat(hypothesis.allText())
                .contains(
                        "<@U0APPROVER> stopped the canary of inventory 2.7.6 by hand, not a metric",
                        "what <@U0APPROVER> saw that made them stop it (ask them")
                .doesNotContain("tripped on the canary", "it is the only difference between canary and baseline");
        assertThat(hypothesis.allText().replace("<@U0APPROVER>", "")).doesNotContain("U0APPROVER");

        // an ordinary deploy of a dependent is held back, and told since when, until when and how to clear it
        bot.announceNewBuild("checkout", "1.4.1", InProcessBot.SMALL_CHANGE);
        bot.requests().slashCommand(ALICE, "/deploy", "checkout 1.4.1");
        var held = bot.await("checkout 1.4.1's parent message", () -> parent("checkout 1.4.1", 0));
        var blocked = bot.await("the blocked preflight", () -> bot.reply(held, "Preflight blocked the deploy"));
        assertThat(blocked.allText())
                .contains(
                        "inventory: incident #" + incident + " is open since ",
                        "rollback requested by <@U0APPROVER>",
                        "until it is resolved, at most until ",
                        "`/deploy resolve " + incident + "`",
                        "promote a deploy of it",
                        "--emergency");

        // so do its failure and its parent message
        assertThat(bot.await("the failure", () -> bot.reply(held, "The deploy stopped"))
                        .allText())
                .contains("rollback requested by <@U0APPROVER>");
        assertThat(bot.await("the parent failed", () -> bot.updated(held, "*failed*"))
                        .allText())
                .contains("rollback requested by <@U0APPROVER>")
                .doesNotContain("by U0APPROVER");

        // status lists it under Held back
        bot.requests().slashCommand(MALLORY, "/deploy", "status");
        var status = bot.answerTo(MALLORY, "Held back");
        assertThat(status.allText())
                .contains(
                        "*checkout* held back by incident #" + incident + " of its dependency *inventory*",
                        "rollback requested by <@U0APPROVER>",
                        "at most until",
                        "/deploy resolve " + incident);
        bot.requests().slashCommand(MALLORY, "/deploy", "status inventory");
        assertThat(bot.answerTo(MALLORY, "of its dependency *inventory*").allText())
                .as("asked of the service whose incident it is")
                .contains("*checkout* held back by incident #" + incident);

        // an emergency deploy goes ahead despite the incident, and its thread and the audit log say so
        bot.requests().slashCommand(ALICE, "/deploy", "checkout 1.4.1 --emergency");
        var emergency = bot.await("the emergency deploy's parent message", () -> parent("checkout 1.4.1", 1));
        bot.await("the emergency deploy promoted", () -> bot.updated(emergency, "promoted"));
        assertThat(bot.reply(emergency, "Preflight passed").allText())
                .contains("overridden by --emergency: inventory: incident #" + incident + " is open");
        var emergencyId = deployIdOf(emergency);
        assertThat(entries("preflight").stream()
                        .filter(e -> e.record().deployId().equals(emergencyId))
                        .findFirst()
                        .orElseThrow()
                        .record()
                        .reasoningJson())
                .contains("overridden by --emergency: inventory: incident #" + incident);

        // inventory 2.7.6 deployed again and promoted: the incident is resolved, audited, and its thread told
        bot.cluster().crash("registry.example/inventory:2.7.6", false);
        bot.requests().slashCommand(ALICE, "/deploy", "inventory 2.7.6");
        var again = bot.await("inventory 2.7.6's second parent message", () -> parent("inventory 2.7.6", 1));
        bot.await("inventory 2.7.6 promoted", () -> bot.updated(again, "promoted"));
        var told = bot.await(
                "the incident resolved, in the rollback's thread", () -> bot.reply(rolledBack, "is resolved"));
        assertThat(told.allText())
                .contains("Incident #" + incident, "promotion of inventory 2.7.6", "checkout are no longer held back");
        var resolved = entries("incident.resolved");
        assertThat(resolved).hasSize(1);
        assertThat(resolved.getFirst().record().actor()).isEqualTo("engine");
        assertThat(resolved.getFirst().record().reasoningJson())
                .contains("\"resolved_by\":\"promotion\"", "\"promoted_deploy\":" + deployIdOf(again));

        // the escalated checkout 1.5.0, approved, is not held back any more
        bot.announceNewBuild("checkout", "1.5.0", InProcessBot.MIGRATION);
        bot.requests().slashCommand(ALICE, "/deploy", "checkout 1.5.0");
        var risky = bot.await("checkout 1.5.0's parent message", () -> parent("checkout 1.5.0", 0));
        var card = bot.await("the approval request", () -> bot.reply(risky, "Approve"));
        bot.approve(BOB, card);
        bot.await("checkout 1.5.0 promoted", () -> bot.updated(risky, "promoted"));
        bot.requests().slashCommand(MALLORY, "/deploy", "status");
        assertThat(bot.answerTo(MALLORY, "checkout* `1.5.0`").allText()).doesNotContain("held back by incident");
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void anApproverOfTheServiceResolvesItsIncidentByHandAndNobodyElseMay() {
        var rolledBack = rolledBackByHand();
        var incident = incidentOf(rolledBack);

        bot.requests().slashCommand(MALLORY, "/deploy", "resolve " + incident);
        assertThat(bot.answerTo(MALLORY, "may resolve incident #" + incident).allText())
                .contains("Only members of approvers (inventory's approvers)");
        bot.requests().slashCommand(BOB, "/deploy", "resolve 999999");
        bot.answerTo(BOB, "There is no incident #999999");
        assertThat(bot.requests().slashCommand(BOB, "/deploy", "resolve").body())
                .as("answered with the ack, as every command that does not parse")
                .contains("Which incident?");

        bot.requests().slashCommand(BOB, "/deploy", "resolve #" + incident + " cache warmed, errors back to normal");
        var announced = bot.await("the resolution in the channel", () -> bot.posted("Incident #" + incident + " of"));
        assertThat(announced.allText())
                .contains(
                        "(rollback requested by <@U0APPROVER>) is resolved: cache warmed, errors back to normal",
                        "no longer holds back deploys of checkout",
                        "<@U0APPROVER>");
        var told = bot.await(
                "the incident resolved, in the rollback's thread", () -> bot.reply(rolledBack, "is resolved"));
        assertThat(told.allText()).contains("resolved by <@U0APPROVER>: cache warmed, errors back to normal");

        bot.requests().slashCommand(BOB, "/deploy", "resolve " + incident);
        assertThat(bot.answerTo(BOB, "was resolved already").allText())
                .contains("resolved by <@U0APPROVER>: cache warmed", "Nothing was changed")
                .doesNotContain("by U0APPROVER");

        var resolved = entries("incident.resolved");
        assertThat(resolved).hasSize(1);
        assertThat(resolved.getFirst().record().actor()).isEqualTo("U0APPROVER");
        assertThat(resolved.getFirst().record().reasoningJson()).contains("\"note\":\"cache warmed");
        assertThat(entries("resolve.refused"))
                .singleElement()
                .satisfies(e -> assertThat(e.record().actor()).isEqualTo("U0MALLORY"));

        // its dependent deploys again
        bot.announceNewBuild("checkout", "1.4.1", InProcessBot.SMALL_CHANGE);
        bot.requests().slashCommand(ALICE, "/deploy", "checkout 1.4.1");
        var checkout = bot.await("checkout 1.4.1's parent message", () -> parent("checkout 1.4.1", 0));
        bot.await("checkout 1.4.1 promoted", () -> bot.updated(checkout, "promoted"));
    }

    @Test
    void aCiDeployBlockedByALockOrByTheBlockAfterARollbackNamesThePeopleAsSlackShowsThem() {
        // a lock whose reason someone typed with a broadcast and a disguised link in it
        bot.requests()
                .slashCommand(ALICE, "/deploy", "lock checkout <!channel> db migration <https://evil.example|here>");
        bot.await("the lock", () -> bot.posted("checkout is locked"));
        assertThat(bot.announce("checkout", "1.4.1", InProcessBot.SMALL_CHANGE, true)
                        .statusCode())
                .isEqualTo(202);
        var locked = bot.await("checkout 1.4.1's parent message", () -> parent("checkout 1.4.1", 0));
        var preflight = bot.await("the blocked preflight", () -> bot.reply(locked, "Preflight blocked the deploy"));
        assertThat(preflight.allText())
                .contains(
                        "locked by <@U0REQUESTER> since",
                        "&lt;!channel&gt; db migration &lt;https://evil.example|here&gt;")
                .doesNotContain("by U0REQUESTER", "<!channel>", "<https://evil");
        assertThat(bot.await("the failure", () -> bot.reply(locked, "The deploy stopped"))
                        .allText())
                .contains("locked by <@U0REQUESTER> since")
                .doesNotContain("<!channel>");
        var failed = bot.await("the parent failed", () -> bot.updated(locked, "*failed*"));
        assertThat(failed.allText())
                .contains("locked by <@U0REQUESTER> since")
                .doesNotContain("<!channel>", "<https://");
        // the notification text the same
        assertThat(failed.text()).contains("locked by <@U0REQUESTER>", "&lt;!channel&gt;");
        bot.requests().slashCommand(ALICE, "/deploy", "unlock checkout");
        bot.await("the unlock", () -> bot.posted("checkout is unlocked"));

        // after Bob rolls inventory back by hand, CI's automatic deploys of it are blocked, and say whose rollback
        rolledBackByHand();
        assertThat(bot.announce("inventory", "2.7.7", InProcessBot.SMALL_CHANGE, true)
                        .statusCode())
                .isEqualTo(202);
        var blocked = bot.await("inventory 2.7.7's parent message", () -> parent("inventory 2.7.7", 0));
        var blockedPreflight =
                bot.await("the blocked preflight", () -> bot.reply(blocked, "Preflight blocked the deploy"));
        assertThat(blockedPreflight.allText())
                .contains("automatic deploys are blocked until", "rollback requested by <@U0APPROVER>")
                .doesNotContain("by U0APPROVER");
        bot.requests().slashCommand(MALLORY, "/deploy", "status inventory");
        assertThat(bot.answerTo(MALLORY, "automatic deploys blocked").allText())
                .contains("rollback requested by <@U0APPROVER>")
                .doesNotContain("by U0APPROVER");
    }

    /**
     * Alice deploys inventory 2.7.6, whose canary pods never get ready (so it waits in its step), and Bob rolls it back
     * by hand with {@code /deploy rollback}: its parent message once it says rolled back.
     */
    private SlackStandIn.Message rolledBackByHand() {
        bot.cluster().crash("registry.example/inventory:2.7.6", true);
        bot.announceNewBuild("inventory", "2.7.6", InProcessBot.SMALL_CHANGE);
        bot.requests().slashCommand(ALICE, "/deploy", "inventory 2.7.6");
        var parent = bot.await("inventory 2.7.6's parent message", () -> parent("inventory 2.7.6", 0));
        bot.await("its canary", () -> bot.updated(parent, "*canary*"));
        bot.requests().slashCommand(BOB, "/deploy", "rollback inventory");
        return bot.await("the rollback", () -> bot.updated(parent, "rolled back"));
    }

    /** The number of the incident the rollback notice in {@code parent}'s thread names. */
    private String incidentOf(SlackStandIn.Message parent) {
        var notice = bot.await("the rollback broadcast", () -> bot.thread(parent).stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElse(null));
        var m = Pattern.compile("incident #(\\d+)").matcher(notice.allText());
        assertThat(m.find()).as(notice.allText()).isTrue();
        return m.group(1);
    }

    /** The {@code nth} parent message (from 0) whose text starts with {@code title}, or null while there is none. */
    private SlackStandIn.Message parent(String title, int nth) {
        var all = bot.slack().messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(title))
                .toList();
        return all.size() > nth ? all.get(nth) : null;
    }

    /** The deploy number a parent message shows ({@code #12}). */
    private static String deployIdOf(SlackStandIn.Message parent) {
        var m = Pattern.compile("#(\\d+)").matcher(parent.allText());
        assertThat(m.find()).as(parent.allText()).isTrue();
        return m.group(1);
    }

    private List<AuditEntry> entries(String action) {
        return bot.audited(AuditQuery.all()).stream()
                .filter(e -> e.record().action().equals(action))
                .toList();
    }
}
