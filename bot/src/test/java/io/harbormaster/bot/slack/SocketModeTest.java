package io.harbormaster.bot.slack;

import static io.harbormaster.bot.slack.SlackFixture.ALICE;
import static io.harbormaster.bot.slack.SlackFixture.BOB;
import static io.harbormaster.bot.slack.SlackFixture.BOT_TOKEN;
import static io.harbormaster.bot.slack.SlackFixture.CHANNEL;
import static io.harbormaster.bot.slack.SlackFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.bot.slack.api.SlackResult;
import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.messages.EscalationView;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.bot.slack.standin.SocketModeStandIn;
import io.harbormaster.engine.rollout.Approval;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Socket Mode against the stand-in's Socket Mode protocol on loopback: the same Bolt app and handlers as over HTTP,
 * with requests arriving as envelopes on a WebSocket the bot opened and acknowledgements going back on it.
 */
class SocketModeTest {
    static final String APP_TOKEN = "xapp-1-A0HARBORMASTER-1234567890-abcdef0123456789";

    private SlackFixture f;
    private SocketModeStandIn socket;

    @BeforeEach
    void start() {
        f = new SlackFixture();
        socket = f.slack.socketMode();
        socket.enable(APP_TOKEN);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private SocketModeConnection connect() throws InterruptedException {
        var connection = f.frontEnd.connectSocketMode(APP_TOKEN);
        assertThat(connection.awaitHello(Duration.ofSeconds(10)))
                .as("Slack's hello")
                .isTrue();
        return connection;
    }

    private SocketModeStandIn.Ack ack(String envelopeId) {
        await("the ack of " + envelopeId, () -> socket.ack(envelopeId).isPresent());
        return socket.ack(envelopeId).orElseThrow();
    }

    @Test
    void aSlashCommandOverTheSocketIsAckedThereWithTheAnswerHttpWouldGiveAndRunsTheSameWork() throws Exception {
        connect();

        var help = ack(socket.slashCommand(ALICE, "/deploy", "help"));
        assertThat(help.payload()).hasValueSatisfying(p -> assertThat(p.toString())
                .contains("/deploy <service> <version> [to <env>] [--emergency]", "/deploy lock"));
        assertThat(f.slack.ephemerals(CHANNEL)).singleElement().satisfies(m -> assertThat(m.ephemeralTo())
                .contains(ALICE.userId()));
        assertThat(f.desk.calls()).isZero();

        var deploy = ack(socket.slashCommand(ALICE, "/deploy", "checkout 1.2.3"));
        assertThat(deploy.payload())
                .hasValueSatisfying(p -> assertThat(p.toString()).contains("Checking `checkout` `1.2.3`"));
        await("the desk to hear of it", () -> !f.desk.requests.isEmpty());
        var request = f.desk.requests.getFirst();
        assertThat(request.command()).isEqualTo(new DeployCommand.Deploy("checkout", "1.2.3", Optional.empty(), false));
        assertThat(request.requester()).isEqualTo(new SlackUser("U0REQUESTER", "alice"));
        assertThat(request.key()).startsWith("slack:");
        await("the thread to open", () -> f.desk.threads.containsKey(42L));
        assertThat(f.slack.messages(CHANNEL)).singleElement().satisfies(m -> assertThat(m.allText())
                .contains("checkout 1.2.3 → production", "deploy #42"));
        // the acknowledgement's "Checking …" gives way to where to follow the deploy, through the command's
        // response_url
        await("the Checking message answered", () -> f.slack.ephemerals(CHANNEL).stream()
                .anyMatch(m -> m.text().contains("Deploy #42 (`checkout` `1.2.3` to production) started")));
        assertThat(f.slack.ephemerals(CHANNEL)).noneMatch(m -> m.allText().contains("Checking"));
        assertThat(socket.unacknowledged()).isEmpty();
        assertThat(f.metrics.scrape()).asString().contains("harbormaster_slack_commands_total");
    }

    @Test
    void aButtonClickOverTheSocketReachesTheDeskWithTheClicker() throws Exception {
        connect();
        var thread = new ThreadRef(CHANNEL, sent(f.frontEnd.web().post(CHANNEL, SlackMessage.text("parent"))));
        var escalation = sent(f.frontEnd.web().reply(thread, EscalationMessages.request(escalation())));
        var message = f.slack.message(CHANNEL, escalation).orElseThrow();

        var ack = ack(socket.blockAction(
                BOB, EscalationMessages.APPROVE_ACTION, "escalation-42", "42", SlackStandIn.asSlackJson(message)));
        assertThat(ack.payload()).isEmpty();

        await("the decision", () -> !f.desk.decisions.isEmpty());
        var decision = f.desk.decisions.getFirst();
        assertThat(decision.deployId()).isEqualTo(42);
        assertThat(decision.clicker()).isEqualTo(new SlackUser("U0APPROVER", "bob"));
        assertThat(decision.decision()).isEqualTo(Approval.Decision.APPROVE);
        assertThat(decision.key())
                .isEqualTo("slack-action:" + CHANNEL + ":" + escalation + ":U0APPROVER:deploy_approve");
        // the decision goes on the request through the notifier, whichever way the click came (SlackApprovalThreadTest)
        assertThat(socket.unacknowledged()).isEmpty();
    }

    @Test
    void slacksDisconnectRequestIsAnsweredWithANewConnectionThatCarriesTheNextCommand() throws Exception {
        var connection = connect();
        var first = socket.connections().getFirst();

        assertThat(socket.requestReconnect()).isEqualTo(1);
        await("a second hello", () -> connection.connections() == 2 && socket.hellos() == 2);
        await("the old connection closed by the bot", () -> socket.connections().size() == 1);
        var second = socket.connections().getFirst();
        assertThat(second).isNotEqualTo(first);

        var help = ack(socket.slashCommand(ALICE, "/deploy", "help"));
        assertThat(help.connection()).isEqualTo(second);
        assertThat(help.payload())
                .hasValueSatisfying(p -> assertThat(p.toString()).contains("/deploy lock"));
        assertThat(f.slack.calls())
                .filteredOn(c -> c.method().equals("apps.connections.open"))
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.error()).isEmpty());
    }

    @Test
    void aConnectionSlackDropsIsReplacedByTheClientsOwnCheckAndCommandsFlowAgain() throws Exception {
        var connection = connect();
        socket.dropConnections();
        await("the dropped connection gone", () -> socket.connections().isEmpty());

        // Slack's client checks its connection every 5 s and opens a new one when the old is gone.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (socket.connections().isEmpty()) {
            assertThat(System.nanoTime()).as("a new connection").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(connection.connections()).isGreaterThanOrEqualTo(1);
        var help = ack(socket.slashCommand(ALICE, "/deploy", "help"));
        assertThat(help.payload())
                .hasValueSatisfying(p -> assertThat(p.toString()).contains("/deploy lock"));
        assertThat(socket.hellos()).isEqualTo(2);
    }

    @Test
    void aTokenThatIsNotThisAppsAppLevelTokenIsRefusedWithSlacksReason() {
        assertThatThrownBy(() -> f.frontEnd.connectSocketMode(BOT_TOKEN))
                .isInstanceOfSatisfying(SocketModeConnection.TokenRefused.class, e -> assertThat(e.error())
                        .isEqualTo("not_allowed_token_type"))
                .hasMessageNotContaining(BOT_TOKEN);
        assertThat(socket.connections()).isEmpty();
    }

    @Test
    void anUnknownAppLevelTokenIsRefusedAsInvalid() {
        var other = new SlackFixture();
        try {
            other.slack.socketMode().enable("xapp-1-OTHER-1-0000");
            assertThatThrownBy(() -> other.frontEnd.connectSocketMode(APP_TOKEN))
                    .isInstanceOfSatisfying(SocketModeConnection.TokenRefused.class, e -> assertThat(e.error())
                            .isEqualTo("invalid_auth"));
        } finally {
            other.close();
        }
    }

    private static String sent(java.util.concurrent.CompletableFuture<SlackResult> result) {
        return ((SlackResult.Sent) result.join()).ts();
    }

    private static EscalationView escalation() {
        return SlackFrontEndTest.escalation();
    }
}
