package io.harbormaster.bot.slack;

import static io.harbormaster.bot.slack.SlackFixture.ALICE;
import static io.harbormaster.bot.slack.SlackFixture.BOB;
import static io.harbormaster.bot.slack.SlackFixture.CHANNEL;
import static io.harbormaster.bot.slack.SlackFixture.MALLORY;
import static io.harbormaster.bot.slack.SlackFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.api.SlackResult;
import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.messages.EscalationView;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.Threshold;
import io.harbormaster.engine.rollout.Approval;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlackFrontEndTest {
    private SlackFixture f;

    @BeforeEach
    void start() {
        f = new SlackFixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private List<SlackStandIn.Call> chatCalls() {
        return f.slack.calls().stream()
                .filter(c -> c.method().startsWith("chat."))
                .toList();
    }

    @Test
    void deployHelpIsAnsweredInTheAckWellWithinThreeSeconds() {
        long started = System.nanoTime();
        var response = f.requests.slashCommand(ALICE, "/deploy", "help");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(millis).isLessThan(3_000);
        assertThat(json(response.body()))
                .contains("/deploy <service> <version> [to <env>] [--emergency]", "/deploy lock");
        assertThat(f.desk.calls()).isZero();
    }

    @Test
    void aDeployReachesTheDeskParsedAndOpensAThreadWithItsParentMessage() {
        var response = f.requests.slashCommand(ALICE, "/deploy", "checkout 1.2.3");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Checking `checkout` `1.2.3`");

        await("the desk to hear of it", () -> !f.desk.requests.isEmpty());
        var request = f.desk.requests.getFirst();
        assertThat(request.command()).isEqualTo(new DeployCommand.Deploy("checkout", "1.2.3", Optional.empty(), false));
        assertThat(request.requester()).isEqualTo(new SlackUser("U0REQUESTER", "alice"));
        assertThat(request.channel()).isEqualTo(CHANNEL);
        assertThat(request.key()).startsWith("slack:");

        await("the thread to open", () -> f.desk.threads.containsKey(42L));
        var parent = f.slack.messages(CHANNEL);
        assertThat(parent).singleElement().satisfies(m -> assertThat(m.allText())
                .contains("checkout 1.2.3 → production", "<@U0REQUESTER>", "deploy #42"));
        assertThat(f.desk.threads.get(42L))
                .isEqualTo(new ThreadRef(CHANNEL, parent.getFirst().ts()));
        await(
                "the first thread reply",
                () -> !f.slack.replies(CHANNEL, parent.getFirst().ts()).isEmpty());
        assertThat(f.slack.replies(CHANNEL, parent.getFirst().ts()).getFirst().allText())
                .contains("Request received from <@U0REQUESTER>");
    }

    @Test
    void aRefusalFromTheDeskIsToldOnlyToTheRequester() {
        f.requests.slashCommand(ALICE, "/deploy", "checkout 0.0.0-unannounced");
        await("the ephemeral answer", () -> !f.slack.ephemerals(CHANNEL).isEmpty());
        assertThat(f.slack.ephemerals(CHANNEL).getFirst().ephemeralTo()).contains("U0REQUESTER");
        assertThat(f.slack.ephemerals(CHANNEL).getFirst().text()).contains("No build announced");
        assertThat(f.slack.messages(CHANNEL)).isEmpty();
    }

    /** Requests as Slack sends them to this workspace: with its response URLs, and their first answers shown. */
    private SlackRequests slackSends() {
        return new SlackRequests(
                java.net.URI.create(f.base() + "/slack/events"),
                SlackFixture.SIGNING_SECRET,
                Clock.systemUTC(),
                f.slack);
    }

    @Test
    void aRefusedDeployIsAnsweredInPlaceOfItsCheckingMessage() {
        slackSends().slashCommand(ALICE, "/deploy", "checkout 0.0.0-unannounced");

        await("the answer in place of Checking", () -> f.slack.ephemerals(CHANNEL).stream()
                .anyMatch(m -> m.text().contains("No build announced")));
        // one message for the person: the acknowledgement, replaced by the answer (or, when the answer came first,
        // the answer standing for it); no stale "Checking" above it
        assertThat(f.slack.ephemerals(CHANNEL)).singleElement().satisfies(m -> {
            assertThat(m.ephemeralTo()).contains(ALICE.userId());
            assertThat(m.allText()).contains(":no_entry: No build announced").doesNotContain("Checking");
        });
        assertThat(chatCalls()).noneMatch(c -> c.method().equals("chat.postEphemeral"));
        assertThat(f.slack.calls())
                .filteredOn(c -> c.method().equals("response_url"))
                .singleElement()
                .satisfies(c -> assertThat(c.error()).isEmpty());
    }

    @Test
    void anAcceptedDeployReplacesItsCheckingMessageWithWhereToFollowIt() {
        slackSends().slashCommand(ALICE, "/deploy", "checkout 1.2.3");

        await("the thread to open", () -> f.desk.threads.containsKey(42L));
        await("the Checking message answered", () -> f.slack.ephemerals(CHANNEL).stream()
                .anyMatch(m -> m.text().contains("started: follow it")));
        var parent = f.slack.messages(CHANNEL).getFirst();
        assertThat(f.slack.ephemerals(CHANNEL)).singleElement().satisfies(m -> assertThat(m.text())
                .startsWith(":white_check_mark: Deploy #42 (`checkout` `1.2.3` to production) started: follow it in <")
                .contains("/archives/" + CHANNEL + "/p" + parent.ts().replace(".", "") + "|its thread>")
                .doesNotContain("Checking"));
    }

    @Test
    void withoutAResponseUrlSlackTakesTheAnswerComesAsANewEphemeralMessage() {
        // Slack's own requests in these tests carry a response_url that leads nowhere
        f.requests.slashCommand(ALICE, "/deploy", "checkout 0.0.0-unannounced");
        await("the ephemeral answer", () -> !f.slack.ephemerals(CHANNEL).isEmpty());
        assertThat(chatCalls())
                .filteredOn(c -> c.method().equals("chat.postEphemeral"))
                .hasSize(1);
        assertThat(f.metrics.scrape())
                .asString()
                .contains("harbormaster_slack_api_errors_total{error=\"unreachable\",method=\"response_url\"} 1.0");
    }

    @Test
    void aMalformedArgumentIsAnsweredWithUsageAndTheClosestValueAndNothingRuns() {
        var service = f.requests.slashCommand(ALICE, "/deploy", "chekout 1.2.3");
        assertThat(service.statusCode()).isEqualTo(200);
        assertThat(service.body()).contains("Unknown service `chekout`", "Did you mean `checkout`?", "Usage:");
        var version = f.requests.slashCommand(ALICE, "/deploy", "checkout 1.2.3/../../etc");
        assertThat(version.body()).contains("is not an image tag");
        var sub = f.requests.slashCommand(ALICE, "/deploy", "stauts");
        assertThat(sub.body()).contains("Did you mean `status`?");

        frontEndDone();
        assertThat(f.desk.calls()).isZero();
        assertThat(chatCalls()).isEmpty();
    }

    @Test
    void requestsWithABadSignatureAStaleTimestampOrNoHeadersAreRefusedAndNothingRuns() throws Exception {
        var body = SlackRequests.slashCommandBody(ALICE, "/deploy", "checkout 1.2.3");
        long now = Instant.now().getEpochSecond();

        var forged = f.requests.send(
                body,
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(now),
                        "X-Slack-Signature", SlackRequests.signature("not-the-secret", now, body)));
        long stale = now - 6 * 60;
        var replayed = f.requests.send(
                body,
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(stale),
                        "X-Slack-Signature", SlackRequests.signature(SlackFixture.SIGNING_SECRET, stale, body)));
        var unsigned = f.requests.send(body, Map.of());
        var tampered = f.requests.send(
                body.replace("1.2.3", "6.6.6"),
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(now),
                        "X-Slack-Signature", SlackRequests.signature(SlackFixture.SIGNING_SECRET, now, body)));

        for (var response : List.of(forged, replayed, unsigned, tampered)) {
            assertThat(response.statusCode()).isEqualTo(401);
        }
        var click = SlackRequests.blockActionBody(
                BOB,
                EscalationMessages.APPROVE_ACTION,
                "escalation-42",
                "42",
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .createObjectNode()
                        .put("ts", "1.000001"));
        assertThat(f.requests
                        .send(click, Map.of("X-Slack-Request-Timestamp", Long.toString(now)))
                        .statusCode())
                .isEqualTo(401);

        frontEndDone();
        assertThat(f.desk.calls()).isZero();
        assertThat(chatCalls()).isEmpty();
    }

    /**
     * Slack sends a slash command once. The same signed request again, while its timestamp is within the 5 minutes
     * its signature is honoured, is someone replaying it: a lock or unlock is not run again (an unlock replayed after
     * someone locked the service anew would lift their lock). A new command, with its own trigger id, still runs.
     */
    @Test
    void aSignedLockOrUnlockReplayedWhileItsSignatureHoldsIsNotRunAgain() throws Exception {
        long now = Instant.now().getEpochSecond();
        var lock = SlackRequests.slashCommandBody(ALICE, "/deploy", "lock checkout release freeze");
        var unlock = SlackRequests.slashCommandBody(ALICE, "/deploy", "unlock checkout");
        for (var body : List.of(lock, unlock, lock, unlock)) {
            var response = f.requests.send(
                    body,
                    Map.of(
                            "X-Slack-Request-Timestamp", Long.toString(now),
                            "X-Slack-Signature", SlackRequests.signature(SlackFixture.SIGNING_SECRET, now, body)));
            assertThat(response.statusCode()).isEqualTo(200);
        }
        f.requests.slashCommand(ALICE, "/deploy", "lock checkout release freeze");

        await("the new lock to run", () -> f.desk.otherCalls.size() >= 3);
        frontEndDone();
        assertThat(f.desk.otherCalls)
                .filteredOn(DeployCommand.Lock.class::isInstance)
                .hasSize(2);
        assertThat(f.desk.otherCalls)
                .filteredOn(DeployCommand.Unlock.class::isInstance)
                .hasSize(1);
        assertThat(f.metrics.scrape())
                .asString()
                .contains("harbormaster_slack_commands_total{command=\"/deploy\",subcommand=\"replayed\"} 2.0");
    }

    @Test
    void whenSlackCannotBeReachedARequestIsRefusedWith503AndNothingRuns() throws Exception {
        f.slack.close();

        var response = f.requests.slashCommand(ALICE, "/deploy", "checkout 1.2.3");

        assertThat(response.statusCode()).isEqualTo(503);
        frontEndDone();
        assertThat(f.desk.calls()).isZero();
    }

    @Test
    void anApproveClickReachesTheDeskWithTheClickerAndLeavesTheRequestToTheNotifier() {
        var thread = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("parent"))));
        var escalation = sent(f.frontEnd.web().reply(thread, EscalationMessages.request(escalation())));
        var message = f.slack.message(CHANNEL, escalation).orElseThrow();

        var response = f.requests.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(message));
        assertThat(response.statusCode()).isEqualTo(200);

        await("the decision", () -> !f.desk.decisions.isEmpty());
        var decision = f.desk.decisions.getFirst();
        assertThat(decision.deployId()).isEqualTo(42);
        assertThat(decision.clicker()).isEqualTo(new SlackUser("U0APPROVER", "bob"));
        assertThat(decision.decision()).isEqualTo(Approval.Decision.APPROVE);

        frontEndDone();
        // the decision is written on the request, and told in the thread, by the notifier, once and in order with
        // the rollout it lets go (SlackApprovalThreadTest): nothing here
        assertThat(f.slack.message(CHANNEL, escalation).orElseThrow().edits()).isZero();
        assertThat(f.slack.replies(CHANNEL, thread.ts())).singleElement().satisfies(m -> assertThat(m.ts())
                .isEqualTo(escalation));
        assertThat(f.slack.ephemerals(CHANNEL)).isEmpty();
    }

    @Test
    void aDecisionOnARequestTheNotifierDoesNotKeepClosesTheClickedMessageOnce() {
        // posted before requests were kept with their deploy, or its record lost: the notifier cannot find it
        f.desk.cardKept = false;
        var thread = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("parent"))));
        var escalation = sent(f.frontEnd.web().reply(thread, EscalationMessages.request(escalation())));
        var message = f.slack.message(CHANNEL, escalation).orElseThrow();

        f.requests.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(message));
        frontEndDone();

        var closed = f.slack.message(CHANNEL, escalation).orElseThrow();
        assertThat(closed.edits()).isEqualTo(1);
        assertThat(closed.blocksJson())
                .doesNotContain(EscalationMessages.APPROVE_ACTION, EscalationMessages.REJECT_ACTION)
                .contains("Risk", "deploy #42", "Approved by <@U0APPROVER>: preflight next");
        // the line about deciding goes with the buttons: "0 approvals of 1 needed so far" beside "Approved by" would
        // mislead
        assertThat(message.blocksJson()).contains("so far", "may decide");
        assertThat(closed.blocksJson()).doesNotContain("so far", "may decide");
        assertThat(closed.text()).contains("Approval closed", "Approved by <@U0APPROVER>");
        assertThat(f.slack.ephemerals(CHANNEL)).isEmpty();
    }

    /**
     * Waits for the front end to be done with what it acknowledged: a request's work is handed to it before the
     * request is answered, and it finishes that work before it stops.
     */
    private void frontEndDone() {
        f.frontEnd.close(Duration.ofSeconds(5));
    }

    /**
     * A button's value names the deploy of the thread the bot posted it in. A click whose value names another deploy,
     * or that comes from another channel, was not made on a message the bot posted for that deploy: it is refused and
     * the desk never hears of it. The same click in the deploy's own thread counts.
     */
    @Test
    void aClickWhoseValueNamesTheDeployOfAnotherThreadIsRefused() {
        var home = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("deploy #42"))));
        f.desk.threads.put(42L, home);
        var other = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("deploy #43"))));
        var elsewhere = f.slack
                .message(CHANNEL, sent(f.frontEnd.web().reply(other, EscalationMessages.request(escalation()))))
                .orElseThrow();
        var own = sent(f.frontEnd.web().reply(home, EscalationMessages.request(escalation())));
        var inHome = f.slack.message(CHANNEL, own).orElseThrow();

        f.requests.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(elsewhere));
        var otherChannel = new SlackRequests.Origin("U0APPROVER", "bob", "C0ELSEWHERE", "elsewhere");
        f.requests.blockAction(
                otherChannel,
                EscalationMessages.APPROVE_ACTION,
                "escalation-42",
                "42",
                SlackStandIn.asSlackJson(inHome));
        f.requests.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(inHome));
        frontEndDone();

        assertThat(f.desk.decisions).singleElement().satisfies(d -> assertThat(d.key())
                .isEqualTo("slack-action:" + CHANNEL + ":" + own + ":U0APPROVER:deploy_approve"));
        assertThat(f.slack.ephemerals(CHANNEL)).singleElement().satisfies(m -> {
            assertThat(m.ephemeralTo()).contains("U0APPROVER");
            assertThat(m.text()).contains("names deploy #42, which is not this thread's deploy; nothing was done");
        });
    }

    @Test
    void aClickBySomeoneTheDeskRefusesIsToldOnlyToThem() {
        var thread = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("parent"))));
        var escalation = sent(f.frontEnd.web().reply(thread, EscalationMessages.request(escalation())));
        var message = f.slack.message(CHANNEL, escalation).orElseThrow();

        f.requests.blockAction(
                MALLORY, EscalationMessages.REJECT_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(message));

        await("the refusal", () -> !f.slack.ephemerals(CHANNEL).isEmpty());
        assertThat(f.slack.ephemerals(CHANNEL).getFirst().ephemeralTo()).contains("U0MALLORY");
        assertThat(f.slack.message(CHANNEL, escalation).orElseThrow().edits()).isZero();
    }

    @Test
    void lockAnnouncesInTheChannelAndAuditRefusesNonAuditors() {
        f.requests.slashCommand(ALICE, "/deploy", "lock payments migration running");
        await("the announcement", () -> !f.slack.messages(CHANNEL).isEmpty());
        assertThat(f.slack.messages(CHANNEL).getFirst().text()).contains("payments locked: migration running");

        var audit = f.requests.slashCommand(ALICE, "/audit", "service=checkout since=7d");
        assertThat(audit.statusCode()).isEqualTo(200);
        await("the audit refusal", () -> !f.slack.ephemerals(CHANNEL).isEmpty());
        assertThat(f.slack.ephemerals(CHANNEL).getFirst().text()).contains("auditor group only");
        assertThat(f.requests.slashCommand(ALICE, "/audit", "verfy").body()).contains("Did you mean `verify`?");
    }

    @Test
    void aTypedReviewOfADeployThatIsNotThereIsASentenceThatSaysWhereTheNumbersAre() {
        f.desk.review = new DeployDesk.ReviewOutcome.NotReviewable(
                "there is no deploy #9999: /deploy status lists the emergency deploys awaiting review, with their"
                        + " numbers");
        f.requests.slashCommand(BOB, "/deploy", "review 9999");
        await("the answer", () -> !f.slack.ephemerals(CHANNEL).isEmpty());
        assertThat(f.slack.ephemerals(CHANNEL).getFirst().text())
                .isEqualTo("There is no deploy #9999: /deploy status lists the emergency deploys awaiting review, with"
                        + " their numbers.");
    }

    /** The JSON as written, without the HTML-safe escapes Gson adds. */
    static String json(String body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(body)
                    .toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String sent(java.util.concurrent.CompletableFuture<SlackResult> result) {
        return ((SlackResult.Sent) result.join()).ts();
    }

    static EscalationView escalation() {
        var view = FakeDeployDesk.view(
                42,
                new DeployCommand.Deploy("checkout", "1.2.3", Optional.empty(), false),
                new SlackUser("U0REQUESTER", "alice"));
        var risk = new RiskAssessment(
                "checkout",
                "1.2.3",
                80,
                new Threshold(0.11, 60, 0.4, 0.11),
                new RiskDecision.Escalate(List.of("database schema migration")),
                List.of(),
                -2,
                List.of(),
                List.of(),
                List.of(),
                new io.harbormaster.engine.risk.RiskModelId(
                        "0".repeat(64), "in memory", "test", java.util.Optional.empty()));
        return new EscalationView(
                view, risk, "2 files", List.of(), Optional.empty(), "approvers", 1, List.of(), Instant.now());
    }
}
