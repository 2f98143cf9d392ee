package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.ALICE;
import static io.harbormaster.bot.assembly.InProcessBot.APP_TOKEN;
import static io.harbormaster.bot.assembly.InProcessBot.AUDREY;
import static io.harbormaster.bot.assembly.InProcessBot.BOB;
import static io.harbormaster.bot.assembly.InProcessBot.MALLORY;
import static io.harbormaster.bot.assembly.InProcessBot.MIGRATION;
import static io.harbormaster.bot.assembly.InProcessBot.SMALL_CHANGE;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static io.harbormaster.bot.assembly.InProcessBot.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.sandbox.Fault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole bot through HTTP: signed Slack requests and signed CI requests in, the Slack stand-in's messages out, a
 * real (H2) database, and the sandbox's simulated cluster and metrics behind a real-time pipeline with a fast canary.
 */
class EndToEndTest {
    static final List<String> SERVICES = List.of(
            "checkout",
            "payments",
            "inventory",
            "search",
            "cart",
            "orders",
            "shipping",
            "reviews",
            "ratings",
            "wishlist",
            "catalog",
            "profile");
    static final String ONCALL = "C0ONCALL";
    static final String CONFIG = InProcessBot.harbormasterYml("""
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
              auditors: [U0AUDITOR]
            audit:
              auditors: auditors
            defaults:
              oncall_channel: "#oncall"
            services:
            """
            + String.join(
                    "",
                    SERVICES.stream()
                            .map(s -> "  " + s + ": {namespace: shop, approvers: approvers}\n")
                            .toList()));

    /** One bot for the class: each test deploys its own service. */
    @RegisterExtension
    static final InProcessBot bot =
            new InProcessBot(InProcessBot.Options.of("e2e", CONFIG, users(ALICE, BOB, AUDREY, MALLORY), SERVICES)
                    .withSocketMode());

    @BeforeAll
    static void oncallChannel() {
        bot.slack().addChannel(new SlackStandIn.Channel(ONCALL, "oncall"));
    }

    // ------------------------------------------------------------------------------------------------ scenarios

    @Test
    void aLowRiskDeployFromSlackGetsAThreadWithEveryPhaseAndItsParentMessageEndsPromoted() {
        assertThat(bot.announce("checkout", "1.1.0", SMALL_CHANGE, false).statusCode())
                .isEqualTo(202);
        assertThat(bot.requests()
                        .slashCommand(ALICE, "/deploy", "checkout 1.1.0")
                        .statusCode())
                .isEqualTo(200);

        var parent = bot.await("the parent message", () -> bot.parent("checkout 1.1.0"));
        bot.await("the parent message updated to promoted", () -> bot.updated(parent, "promoted"));
        var thread = bot.thread(parent);
        var text = String.join(
                "\n", thread.stream().map(SlackStandIn.Message::allText).toList());
        assertThat(text).contains("Request received", "Risk", "Preflight passed", "Canary step 1/1", "Promoted");
        // checkout's 4 replicas give its one 50% step a canary of 1 pod: the thread says so, and what it asked for
        assertThat(text)
                .contains("*Canary step 1/1*: 1 of 4 pods (25% of traffic; the step asks for 50%)")
                .doesNotContain("at 50% of traffic", "canary to 50%");
        assertThat(bot.cluster().workloads(target("checkout")).values())
                .anyMatch(w -> w.image().endsWith(":1.1.0"));
        bot.assertEveryMessageWithinBlockKitLimits();

        // The canary's evaluations were timed for /metrics, as was the deploy's outcome.
        var metrics = bot.scrape();
        var count = java.util.regex.Pattern.compile("(?m)^harbormaster_canary_analysis_seconds_count (\\S+)$")
                .matcher(metrics);
        assertThat(count.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(count.group(1))).isPositive();
        assertThat(metrics).containsPattern("harbormaster_deploys_total\\{outcome=\"promoted\"\\} [1-9]");

        // Every decision names the configuration that made it (a hash of harbormaster.yml) and the engine's version.
        var entries = bot.audited(io.harbormaster.engine.audit.AuditQuery.all());
        assertThat(entries).isNotEmpty().allSatisfy(e -> {
            assertThat(e.record().policyVersion())
                    .isEqualTo(io.harbormaster.bot.config.HarbormasterConfig.policyVersionOf(CONFIG))
                    .matches("sha256:[0-9a-f]{12}");
            assertThat(e.record().engineVersion()).startsWith("harbormaster-");
        });
    }

    @Test
    void aDeployRequestedOverSocketModeIsAckedOnTheSocketAndGetsTheSameThreadAsOverHttp() throws Exception {
        var socket = bot.slack().socketMode();
        assertThat(bot.harbormaster().frontEnd().connectSocketMode(APP_TOKEN).awaitHello(Duration.ofSeconds(10)))
                .isTrue();
        bot.announce("shipping", "1.1.0", SMALL_CHANGE, false);

        var envelope = socket.slashCommand(ALICE, "/deploy", "shipping 1.1.0");
        var ack = bot.await("the ack on the socket", () -> socket.ack(envelope).orElse(null));
        assertThat(ack.payload())
                .hasValueSatisfying(p -> assertThat(p.toString()).contains("Checking `shipping` `1.1.0`"));
        assertThat(ack.connection()).isEqualTo(socket.connections().getFirst());

        var parent = bot.await("the parent message", () -> bot.parent("shipping 1.1.0"));
        bot.await("the parent message updated to promoted", () -> bot.updated(parent, "promoted"));
        var text = String.join(
                "\n",
                bot.thread(parent).stream().map(SlackStandIn.Message::allText).toList());
        assertThat(text).contains("Request received", "Risk", "Preflight passed", "Canary step 1/1", "Promoted");
        assertThat(bot.cluster().workloads(target("shipping")).values())
                .anyMatch(w -> w.image().endsWith(":1.1.0"));
        assertThat(socket.unacknowledged()).doesNotContain(envelope);
    }

    @Test
    void aRiskyBuildWaitsForAnApproverTheRequesterCannotApproveAndAnApproversClickLetsItProceed() {
        bot.announce("payments", "2.0.0", MIGRATION, false);
        bot.requests().slashCommand(ALICE, "/deploy", "payments 2.0.0");
        var parent = bot.await("the parent message", () -> bot.parent("payments 2.0.0"));
        var escalation = bot.await("the approval request", () -> bot.reply(parent, EscalationMessages.APPROVE_ACTION));
        assertThat(escalation.allText()).contains("Approval needed", "V7__orders.sql", "+40 / -0 lines");
        var advice = bot.await("the context package", () -> bot.reply(parent, "Context package"));
        assertThat(advice.allText())
                .contains("a database schema migration is touched", "Check first:", "V7__orders.sql")
                .contains("no language model configured");

        bot.approve(ALICE, escalation);
        bot.answerTo(ALICE, "you requested this deploy");
        assertThat(bot.current(escalation).orElseThrow().allText()).contains(EscalationMessages.APPROVE_ACTION);

        bot.approve(BOB, escalation);
        bot.await("the buttons replaced by the outcome", () -> bot.current(escalation)
                .filter(m -> !m.allText().contains(EscalationMessages.APPROVE_ACTION))
                .filter(m -> m.allText().contains("Approved by"))
                .orElse(null));
        bot.await("promotion after the approval", () -> bot.updated(parent, "promoted"));
        bot.assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void aFaultyVersionIsRolledBackAndTheNoticeIsBroadcastToTheChannelNamingTheMetric() {
        bot.metrics().inject("inventory", "3.0.0", Fault.errors(0.1));
        bot.announce("inventory", "3.0.0", SMALL_CHANGE, false);
        bot.requests().slashCommand(ALICE, "/deploy", "inventory 3.0.0");
        var parent = bot.await("the parent message", () -> bot.parent("inventory 3.0.0"));
        var notice = bot.await("the rollback broadcast", () -> bot.thread(parent).stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElse(null));
        assertThat(notice.text()).contains("Rolled back inventory 3.0.0", "error", "incident #");
        // the on-call channel gets the same notice, with the link to the thread
        var oncall = bot.await("the on-call notice", () -> bot.slack().messages(ONCALL).stream()
                .filter(m -> m.allText().contains("Rolled back inventory 3.0.0"))
                .findFirst()
                .orElse(null));
        assertThat(oncall.allText()).contains("error", "incident #", "thread");
        var hypothesis = bot.await("the incident hypothesis", () -> bot.reply(parent, "Incident hypothesis"));
        assertThat(hypothesis.allText())
                .contains("tripped on the canary of inventory 3.0.0", "Cart.java", "Check first:");
        bot.await("the parent message updated to rolled back", () -> bot.updated(parent, "rolled back"));
        assertThat(bot.cluster().workloads(target("inventory")).values())
                .noneMatch(w -> w.image().endsWith(":3.0.0"));
    }

    @Test
    void aLockedServiceRefusesDeploysWithTheLocksReasonUntilItIsUnlocked() {
        bot.requests().slashCommand(ALICE, "/deploy", "lock search waiting for the index rebuild");
        bot.await("the lock announcement", () -> bot.posted("search is locked"));
        bot.requests().slashCommand(MALLORY, "/deploy", "search 1.1.0");
        var refusal = bot.answerTo(MALLORY, "waiting for the index rebuild");
        assertThat(refusal.allText()).contains("locked by <@U0REQUESTER>", "<@U0REQUESTER> or a member of");

        bot.requests().slashCommand(ALICE, "/deploy", "unlock search");
        bot.await("the unlock announcement", () -> bot.posted("search is unlocked"));
    }

    @Test
    void auditorsGetTheAuditSummaryAndEveryoneElseIsRefused() {
        bot.requests().slashCommand(ALICE, "/deploy", "lock cart audited lock");
        bot.await("the lock", () -> bot.posted("cart is locked"));
        bot.requests().slashCommand(AUDREY, "/audit", "service=cart");
        var summary = bot.answerTo(AUDREY, "");
        assertThat(summary.allText()).contains("service.locked");
        // a misspelt service matches nothing, and the answer names the services the log has
        bot.requests().slashCommand(AUDREY, "/audit", "service=crat");
        var typo = bot.answerTo(AUDREY, "service=crat");
        assertThat(typo.allText())
                .contains("0 audit entries")
                .contains("no entry in the audit log has service=crat")
                .contains("Did you mean service=cart?");
        bot.requests().slashCommand(MALLORY, "/audit", "service=cart since=30d");
        bot.answerTo(MALLORY, "auditor group");
        // the refused attempt to read the trail is in the trail, where an auditor finds it
        bot.requests().slashCommand(AUDREY, "/audit", "service=cart decision=refused");
        var attempts = bot.answerTo(AUDREY, "decision=refused");
        assertThat(attempts.allText())
                .contains("audit.refused", MALLORY.userId(), "cart")
                .doesNotContain("service.locked");
        bot.requests().slashCommand(ALICE, "/deploy", "unlock cart");
    }

    @Test
    void aBuildCiAsksToDeployGetsItsParentMessageInTheServicesChannel() {
        assertThat(bot.announce("orders", "5.0.0", SMALL_CHANGE, true).statusCode())
                .isEqualTo(202);
        var parent = bot.await("the parent message posted for CI", () -> bot.parent("orders 5.0.0"));
        assertThat(parent.allText()).contains("ci-bot");
        bot.await("promotion", () -> bot.updated(parent, "promoted"));
        assertThat(bot.announce("orders", "5.0.0", SMALL_CHANGE, true).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aRollbackSomeoneAsksForIsBroadcastAsTheirRequestWithoutEmptyFigures() {
        bot.cluster()
                .crash("registry.example/wishlist:1.1.0", true); // its canary never gets ready: it waits in its step
        bot.announce("wishlist", "1.1.0", SMALL_CHANGE, false);
        bot.requests().slashCommand(ALICE, "/deploy", "wishlist 1.1.0");
        var parent = bot.await("the parent message", () -> bot.parent("wishlist 1.1.0"));
        bot.await("the canary", () -> bot.updated(parent, "*canary*"));

        bot.requests().slashCommand(BOB, "/deploy", "rollback wishlist");
        var notice = bot.await("the rollback broadcast", () -> bot.thread(parent).stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElse(null));
        assertThat(notice.text())
                .contains(
                        "Rolled back wishlist 1.1.0 in production at the request of <@U0APPROVER>",
                        "`/deploy rollback wishlist`",
                        "incident #")
                .doesNotContain("n/a", "canary canary", "baseline");
        assertThat(notice.allText()).doesNotContain("n/a");
        var decision = bot.await("the decision in the thread", () -> bot.thread(parent).stream()
                .filter(m -> m.allText().contains("Rolled back"))
                .filter(m -> !m.replyBroadcast())
                .findFirst()
                .orElse(null));
        assertThat(decision.allText()).contains("Requested by <@U0APPROVER>").doesNotContain("n/a");
        // a person's rollback is theirs to tell: the on-call channel hears only of automatic ones
        assertThat(bot.slack().messages(ONCALL)).noneMatch(m -> m.allText().contains("wishlist"));
    }

    @Test
    void statusShowsAServicesLastFinishedDeployWithItsOutcomeAndWhenOnceNothingIsInFlight() {
        bot.announce("ratings", "1.1.0", SMALL_CHANGE, false);
        bot.requests().slashCommand(ALICE, "/deploy", "ratings 1.1.0");
        var parent = bot.await("the parent message", () -> bot.parent("ratings 1.1.0"));
        bot.await("the parent message updated to promoted", () -> bot.updated(parent, "promoted"));

        bot.requests().slashCommand(BOB, "/deploy", "status ratings");
        var status = bot.answerTo(BOB, "ratings");
        assertThat(status.allText())
                .contains("Last finished", "*ratings* `1.1.0` → production: promoted 2026-11-24 ", " UTC")
                .doesNotContain("No deploys", "In flight");
    }

    @Test
    void statusShowsALockOnAServiceThatHasNoDeployYet() {
        bot.requests().slashCommand(ALICE, "/deploy", "lock catalog db maintenance");
        bot.await("the lock", () -> bot.posted("catalog is locked"));
        bot.requests().slashCommand(BOB, "/deploy", "status catalog");
        var status = bot.answerTo(BOB, "catalog");
        assertThat(status.allText())
                .contains("Held back", "*catalog* locked by <@" + ALICE.userId() + "> since ", "db maintenance")
                .contains("/deploy unlock catalog")
                .contains("nothing is in flight and nothing has finished yet");
        bot.requests().slashCommand(ALICE, "/deploy", "unlock catalog");
    }

    @Test
    void nearlyRightArgumentsAreAnsweredWithWhatWasMeantAndACapitalisedServiceIsDeployed() {
        bot.announceNewBuild("profile", "1.1.0", SMALL_CHANGE);

        // a leading v that the service's builds do not have
        bot.requests().slashCommand(ALICE, "/deploy", "profile v1.1.0");
        assertThat(bot.answerTo(ALICE, "profile v1.1.0").allText())
                .contains("no build announced profile v1.1.0, but CI announced profile 1.1.0 (without a leading v):"
                        + " did you mean version 1.1.0?");
        // and an emergency deploy would have sent an image tag nobody built: refused the same
        bot.requests().slashCommand(ALICE, "/deploy", "profile V1.1.0 --emergency");
        bot.answerTo(ALICE, "did you mean version 1.1.0?");

        // this instance's environment in short, and the service's namespace, for an environment
        bot.requests().slashCommand(ALICE, "/deploy", "profile 1.1.0 to prod");
        assertThat(bot.answerTo(ALICE, "`prod`").allText())
                .contains("`prod` is not the name of this Harbormaster's environment, so nothing was started. It"
                        + " deploys to *production* only (its `defaults.environment`), and profile into the namespace"
                        + " harbormaster.yml gives it (`shop`): neither is typed, and `to` may be left out. Did you"
                        + " mean `/deploy profile 1.1.0`?");
        bot.requests().slashCommand(ALICE, "/deploy", "profile 1.1.0 to shop");
        assertThat(bot.answerTo(ALICE, "namespace of profile").allText())
                .contains("`shop` is the Kubernetes namespace of profile, not an environment")
                .contains("`services.profile.namespace`", "Did you mean `/deploy profile 1.1.0`?");
        // (the parser's answers are the command's own response)
        assertThat(bot.requests()
                        .slashCommand(ALICE, "/deploy", "profile to production 1.1.0")
                        .body())
                .contains("Give the version first", "Did you mean `/deploy profile 1.1.0 to production`?");
        assertThat(bot.parent("profile")).isNull();

        // the service in capitals, the environment too: there is no other they could mean
        bot.requests().slashCommand(ALICE, "/deploy", "PROFILE 1.1.0 to Production");
        bot.await("the deploy of profile", () -> bot.parent("profile 1.1.0"));
    }

    @Test
    void aDeployThatNamesAnotherEnvironmentIsRefusedSayingWhereThisInstanceDeploysAndNothingStarts() {
        bot.announce("reviews", "1.1.0", SMALL_CHANGE, false);
        bot.requests().slashCommand(ALICE, "/deploy", "reviews 1.1.0 to staging");
        var refusal = bot.answerTo(ALICE, "staging");
        assertThat(refusal.allText())
                .contains("deploys to *production* only", "nothing was started", "Harbormaster instance of staging");

        // CI asking for staging, announcement and deploy alike, is refused whole: no build is recorded here either.
        var ci = bot.announce("reviews", "1.2.0", SMALL_CHANGE, true, ",\"environment\":\"staging\"");
        assertThat(ci.statusCode()).isEqualTo(409);
        assertThat(ci.body()).contains("deploys to production only", "the request names staging");
        bot.requests().slashCommand(ALICE, "/deploy", "reviews 1.2.0");
        bot.answerTo(ALICE, "no build announced reviews 1.2.0");

        assertThat(bot.parent("reviews")).isNull();
        assertThat(bot.cluster().workloads(target("reviews")).values())
                .allMatch(w -> w.image().endsWith(":1.0.0"))
                .hasSize(1);
    }
}
