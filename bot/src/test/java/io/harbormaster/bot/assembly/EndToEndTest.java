package io.harbormaster.bot.assembly;

import static io.harbormaster.bot.assembly.InProcessBot.APP_TOKEN;
import static io.harbormaster.bot.assembly.InProcessBot.CHANNEL;
import static io.harbormaster.bot.assembly.InProcessBot.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole bot through HTTP: signed Slack requests and signed CI requests in, the Slack stand-in's messages out, a
 * real (H2) database, and the sandbox's simulated cluster and metrics behind a real-time pipeline with a fast canary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    static final SlackRequests.Origin ALICE = new SlackRequests.Origin("U0REQUESTER", "alice", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0APPROVER", "bob", CHANNEL, "deploys");
    static final SlackRequests.Origin AUDREY = new SlackRequests.Origin("U0AUDITOR", "audrey", CHANNEL, "deploys");
    static final SlackRequests.Origin MALLORY = new SlackRequests.Origin("U0MALLORY", "mallory", CHANNEL, "deploys");
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
            "catalog");
    static final String ONCALL = "C0ONCALL";
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER, U0REQUESTER]
              auditors: [U0AUDITOR]
            audit:
              auditors: auditors
            defaults:
              channel: "#deploys"
              oncall_channel: "#oncall"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 30
                steps: [{weight: 50, intervals: 6}]
            services:
            """
            + String.join(
                    "",
                    SERVICES.stream()
                            .map(s -> "  " + s + ": {namespace: shop, approvers: approvers}\n")
                            .toList());
    static final List<SlackStandIn.User> USERS = List.of(
            new SlackStandIn.User("U0REQUESTER", "alice", "Alice Requester"),
            new SlackStandIn.User("U0APPROVER", "bob", "Bob Approver"),
            new SlackStandIn.User("U0AUDITOR", "audrey", "Audrey Auditor"),
            new SlackStandIn.User("U0MALLORY", "mallory", "Mallory"));

    InProcessBot bot;
    SlackStandIn slack;
    SimulatedCluster cluster;
    SimulatedMetrics metrics;
    SlackRequests requests;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        bot = InProcessBot.start(
                InProcessBot.Options.of("e2e", CONFIG, USERS, SERVICES).withSocketMode());
        slack = bot.slack;
        slack.addChannel(new SlackStandIn.Channel(ONCALL, "oncall"));
        cluster = bot.cluster;
        metrics = bot.metrics;
        requests = bot.requests;
    }

    @AfterAll
    void stop() {
        bot.close();
    }

    // ------------------------------------------------------------------------------------------------ scenarios

    @Test
    void aLowRiskDeployFromSlackGetsAThreadWithEveryPhaseAndItsParentMessageEndsPromoted() throws Exception {
        assertThat(announce("checkout", "1.1.0", SMALL_CHANGE, false).statusCode())
                .isEqualTo(202);
        assertThat(requests.slashCommand(ALICE, "/deploy", "checkout 1.1.0").statusCode())
                .isEqualTo(200);

        var parent = await("the parent message", () -> parent("checkout 1.1.0"));
        await("the parent message updated to promoted", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        var thread = slack.replies(CHANNEL, parent.ts());
        var text = String.join(
                "\n", thread.stream().map(SlackStandIn.Message::allText).toList());
        assertThat(text).contains("Request received", "Risk", "Preflight passed", "Canary step 1/1", "Promoted");
        assertThat(cluster.workloads(target("checkout")).values())
                .anyMatch(w -> w.image().endsWith(":1.1.0"));
        assertEveryMessageWithinBlockKitLimits();

        // The canary's evaluations were timed for /metrics, as was the deploy's outcome.
        var metrics = http.send(
                        HttpRequest.newBuilder(URI.create(bot.base + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        var count = java.util.regex.Pattern.compile("(?m)^harbormaster_canary_analysis_seconds_count (\\S+)$")
                .matcher(metrics);
        assertThat(count.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(count.group(1))).isPositive();
        assertThat(metrics).containsPattern("harbormaster_deploys_total\\{outcome=\"promoted\"\\} [1-9]");
    }

    @Test
    void aDeployRequestedOverSocketModeIsAckedOnTheSocketAndGetsTheSameThreadAsOverHttp() throws Exception {
        var socket = slack.socketMode();
        assertThat(bot.harbormaster.frontEnd().connectSocketMode(APP_TOKEN).awaitHello(Duration.ofSeconds(10)))
                .isTrue();
        announce("shipping", "1.1.0", SMALL_CHANGE, false);

        var envelope = socket.slashCommand(ALICE, "/deploy", "shipping 1.1.0");
        var ack = await("the ack on the socket", () -> socket.ack(envelope).orElse(null));
        assertThat(ack.payload())
                .hasValueSatisfying(p -> assertThat(p.toString()).contains("Checking `shipping` `1.1.0`"));
        assertThat(ack.connection()).isEqualTo(socket.connections().getFirst());

        var parent = await("the parent message", () -> parent("shipping 1.1.0"));
        await("the parent message updated to promoted", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        var text = String.join(
                "\n",
                slack.replies(CHANNEL, parent.ts()).stream()
                        .map(SlackStandIn.Message::allText)
                        .toList());
        assertThat(text).contains("Request received", "Risk", "Preflight passed", "Canary step 1/1", "Promoted");
        assertThat(cluster.workloads(target("shipping")).values())
                .anyMatch(w -> w.image().endsWith(":1.1.0"));
        assertThat(socket.unacknowledged()).doesNotContain(envelope);
    }

    @Test
    void aRiskyBuildWaitsForAnApproverTheRequesterCannotApproveAndAnApproversClickLetsItProceed() throws Exception {
        announce("payments", "2.0.0", MIGRATION, false);
        requests.slashCommand(ALICE, "/deploy", "payments 2.0.0");
        var parent = await("the parent message", () -> parent("payments 2.0.0"));
        var escalation = await("the approval request", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains(EscalationMessages.APPROVE_ACTION))
                .findFirst()
                .orElse(null));
        assertThat(escalation.allText()).contains("Approval needed", "V7__orders.sql", "+40 / -0 lines");
        var advice = await("the context package", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains("Context package"))
                .findFirst()
                .orElse(null));
        assertThat(advice.allText())
                .contains("a database schema migration is touched", "Check first:", "V7__orders.sql")
                .contains("no language model configured");

        requests.blockAction(
                ALICE, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(escalation), json(escalation));
        await("the requester's refusal", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(ALICE.userId())))
                .filter(m -> m.allText().contains("you requested this deploy"))
                .findFirst()
                .orElse(null));
        assertThat(slack.message(CHANNEL, escalation.ts()).orElseThrow().allText())
                .contains(EscalationMessages.APPROVE_ACTION);

        requests.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation", deployIdIn(escalation), json(escalation));
        await("the buttons replaced by the outcome", () -> slack.message(CHANNEL, escalation.ts())
                .filter(m -> !m.allText().contains(EscalationMessages.APPROVE_ACTION))
                .filter(m -> m.allText().contains("Approved by"))
                .orElse(null));
        await("promotion after the approval", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        assertEveryMessageWithinBlockKitLimits();
    }

    @Test
    void aFaultyVersionIsRolledBackAndTheNoticeIsBroadcastToTheChannelNamingTheMetric() throws Exception {
        metrics.inject("inventory", "3.0.0", Fault.errors(0.1));
        announce("inventory", "3.0.0", SMALL_CHANGE, false);
        requests.slashCommand(ALICE, "/deploy", "inventory 3.0.0");
        var parent = await("the parent message", () -> parent("inventory 3.0.0"));
        var notice = await("the rollback broadcast", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(SlackStandIn.Message::replyBroadcast)
                .findFirst()
                .orElse(null));
        assertThat(notice.text()).contains("Rolled back inventory 3.0.0", "error", "incident #");
        // the on-call channel gets the same notice, with the link to the thread
        var oncall = await("the on-call notice", () -> slack.messages(ONCALL).stream()
                .filter(m -> m.allText().contains("Rolled back inventory 3.0.0"))
                .findFirst()
                .orElse(null));
        assertThat(oncall.allText()).contains("error", "incident #", "thread");
        var hypothesis = await("the incident hypothesis", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains("Incident hypothesis"))
                .findFirst()
                .orElse(null));
        assertThat(hypothesis.allText())
                .contains("tripped on the canary of inventory 3.0.0", "Cart.java", "Check first:");
        await("the parent message updated to rolled back", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("rolled back"))
                .orElse(null));
        assertThat(cluster.workloads(target("inventory")).values())
                .noneMatch(w -> w.image().endsWith(":3.0.0"));
    }

    @Test
    void aLockedServiceRefusesDeploysWithTheLocksReasonUntilItIsUnlocked() throws Exception {
        requests.slashCommand(ALICE, "/deploy", "lock search waiting for the index rebuild");
        await("the lock announcement", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains("search is locked"))
                .findFirst()
                .orElse(null));
        requests.slashCommand(MALLORY, "/deploy", "search 1.1.0");
        var refusal = await("the refusal", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(MALLORY.userId())))
                .filter(m -> m.allText().contains("waiting for the index rebuild"))
                .findFirst()
                .orElse(null));
        assertThat(refusal.allText()).contains("locked by U0REQUESTER");

        requests.slashCommand(ALICE, "/deploy", "unlock search");
        await("the unlock announcement", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains("search is unlocked"))
                .findFirst()
                .orElse(null));
    }

    @Test
    void auditorsGetTheAuditSummaryAndEveryoneElseIsRefused() throws Exception {
        requests.slashCommand(ALICE, "/deploy", "lock cart audited lock");
        await("the lock", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains("cart is locked"))
                .findFirst()
                .orElse(null));
        requests.slashCommand(AUDREY, "/audit", "service=cart");
        var summary = await("the auditor's summary", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(AUDREY.userId())))
                .findFirst()
                .orElse(null));
        assertThat(summary.allText()).contains("service.locked");
        // a misspelt service matches nothing, and the answer names the services the log has
        requests.slashCommand(AUDREY, "/audit", "service=crat");
        var typo = await("the answer to a misspelt service", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(AUDREY.userId())))
                .filter(m -> m.allText().contains("service=crat"))
                .findFirst()
                .orElse(null));
        assertThat(typo.allText())
                .contains("0 audit entries")
                .contains("no entry in the audit log has service=crat")
                .contains("Did you mean service=cart?");
        requests.slashCommand(MALLORY, "/audit", "");
        await("the refusal", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(MALLORY.userId())))
                .filter(m -> m.allText().contains("auditor group"))
                .findFirst()
                .orElse(null));
        requests.slashCommand(ALICE, "/deploy", "unlock cart");
    }

    @Test
    void aBuildCiAsksToDeployGetsItsParentMessageInTheServicesChannel() throws Exception {
        assertThat(announce("orders", "5.0.0", SMALL_CHANGE, true).statusCode()).isEqualTo(202);
        var parent = await("the parent message posted for CI", () -> parent("orders 5.0.0"));
        assertThat(parent.allText()).contains("ci-bot");
        await("promotion", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));
        assertThat(announce("orders", "5.0.0", SMALL_CHANGE, true).statusCode()).isEqualTo(200);
    }

    @Test
    void aRollbackSomeoneAsksForIsBroadcastAsTheirRequestWithoutEmptyFigures() throws Exception {
        cluster.crash("registry.example/wishlist:1.1.0", true); // its canary never gets ready: it waits in its step
        announce("wishlist", "1.1.0", SMALL_CHANGE, false);
        requests.slashCommand(ALICE, "/deploy", "wishlist 1.1.0");
        var parent = await("the parent message", () -> parent("wishlist 1.1.0"));
        await("the canary", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("*canary*"))
                .orElse(null));

        requests.slashCommand(BOB, "/deploy", "rollback wishlist");
        var notice = await("the rollback broadcast", () -> slack.replies(CHANNEL, parent.ts()).stream()
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
        var decision = await("the decision in the thread", () -> slack.replies(CHANNEL, parent.ts()).stream()
                .filter(m -> m.allText().contains("Rolled back"))
                .filter(m -> !m.replyBroadcast())
                .findFirst()
                .orElse(null));
        assertThat(decision.allText()).contains("Requested by <@U0APPROVER>").doesNotContain("n/a");
        // a person's rollback is theirs to tell: the on-call channel hears only of automatic ones
        assertThat(slack.messages(ONCALL)).noneMatch(m -> m.allText().contains("wishlist"));
    }

    @Test
    void statusShowsAServicesLastFinishedDeployWithItsOutcomeAndWhenOnceNothingIsInFlight() throws Exception {
        announce("ratings", "1.1.0", SMALL_CHANGE, false);
        requests.slashCommand(ALICE, "/deploy", "ratings 1.1.0");
        var parent = await("the parent message", () -> parent("ratings 1.1.0"));
        await("the parent message updated to promoted", () -> slack.message(CHANNEL, parent.ts())
                .filter(m -> m.allText().contains("promoted"))
                .orElse(null));

        requests.slashCommand(BOB, "/deploy", "status ratings");
        var status = await("the status", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(BOB.userId())))
                .filter(m -> m.allText().contains("ratings"))
                .findFirst()
                .orElse(null));
        assertThat(status.allText())
                .contains("Last finished", "*ratings* `1.1.0` → production: promoted 2026-11-24 ", " UTC")
                .doesNotContain("No deploys", "In flight");
    }

    @Test
    void statusShowsALockOnAServiceThatHasNoDeployYet() throws Exception {
        requests.slashCommand(ALICE, "/deploy", "lock catalog db maintenance");
        await("the lock", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.allText().contains("catalog is locked"))
                .findFirst()
                .orElse(null));
        requests.slashCommand(BOB, "/deploy", "status catalog");
        var status = await("the status", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(BOB.userId())))
                .filter(m -> m.allText().contains("catalog"))
                .findFirst()
                .orElse(null));
        assertThat(status.allText())
                .contains("Held back", "*catalog* locked by <@" + ALICE.userId() + "> since ", "db maintenance")
                .contains("/deploy unlock catalog")
                .contains("nothing is in flight and nothing has finished yet");
        requests.slashCommand(ALICE, "/deploy", "unlock catalog");
    }

    @Test
    void aDeployThatNamesAnotherEnvironmentIsRefusedSayingWhereThisInstanceDeploysAndNothingStarts() throws Exception {
        announce("reviews", "1.1.0", SMALL_CHANGE, false);
        requests.slashCommand(ALICE, "/deploy", "reviews 1.1.0 to staging");
        var refusal = await("the refusal", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(ALICE.userId())))
                .filter(m -> m.allText().contains("staging"))
                .findFirst()
                .orElse(null));
        assertThat(refusal.allText())
                .contains("deploys to *production* only", "nothing was started", "Harbormaster instance of staging");

        // CI asking for staging, announcement and deploy alike, is refused whole: no build is recorded here either.
        var ci = announce("reviews", "1.2.0", SMALL_CHANGE, true, ",\"environment\":\"staging\"");
        assertThat(ci.statusCode()).isEqualTo(409);
        assertThat(ci.body()).contains("deploys to production only", "the request names staging");
        requests.slashCommand(ALICE, "/deploy", "reviews 1.2.0");
        await("the refusal of a build never announced here", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(ALICE.userId())))
                .filter(m -> m.allText().contains("no build announced reviews 1.2.0"))
                .findFirst()
                .orElse(null));

        assertThat(parent("reviews")).isNull();
        assertThat(cluster.workloads(target("reviews")).values())
                .allMatch(w -> w.image().endsWith(":1.0.0"))
                .hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static final String SMALL_CHANGE = """
            {"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],"author":"U0DEV"}""";
    static final String MIGRATION = """
            {"ns":1,"nd":2,"nf":2,"entropy":0.9,"la":40,"ld":0,"lt":50,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/resources/db/migration/V7__orders.sql","src/Order.java"],
             "author":"U0DEV"}""";

    HttpResponse<String> announce(String service, String version, String change, boolean autoDeploy) throws Exception {
        return announce(service, version, change, autoDeploy, "");
    }

    /** ... with {@code extraFields} (",\"key\":value...") added to the request. */
    HttpResponse<String> announce(String service, String version, String change, boolean autoDeploy, String extraFields)
            throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":%s,"requested_by":"ci-bot",
                 "change":%s%s}""".formatted(service, version, service, version, service, version, autoDeploy, change, extraFields);
        var response = http.send(bot.deployRequest(body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(500);
        return response;
    }

    SlackStandIn.Message parent(String titleStart) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(titleStart))
                .findFirst()
                .orElse(null);
    }

    static String deployIdIn(SlackStandIn.Message escalation) {
        var m = java.util.regex.Pattern.compile("deploy #(\\d+)").matcher(escalation.allText());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static com.fasterxml.jackson.databind.node.ObjectNode json(SlackStandIn.Message m) {
        return SlackStandIn.asSlackJson(m);
    }

    void assertEveryMessageWithinBlockKitLimits() {
        for (var m : slack.allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    /** Waits up to 30 s for {@code probe} to give something. */
    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(30), probe);
    }
}
