package io.harbormaster.bot.slack;

import static io.harbormaster.bot.slack.SlackFixture.ALICE;
import static io.harbormaster.bot.slack.SlackFixture.BOT_TOKEN;
import static io.harbormaster.bot.slack.SlackFixture.SIGNING_SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.bot.slack.standin.SlackRequests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void settingsNeverShowTheirSecrets() {
        var settings = new SlackSettings(SIGNING_SECRET, BOT_TOKEN, Optional.empty());
        assertThat(settings.toString())
                .doesNotContain(SIGNING_SECRET, BOT_TOKEN)
                .contains("[redacted]");
    }

    @Test
    void missingSecretsAreNamedAndTheirValuesNeverEchoed() {
        assertThatThrownBy(() -> SlackSettings.fromEnvironment(Map.of()))
                .hasMessageContaining("SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
        assertThatThrownBy(() -> SlackSettings.fromEnvironment(Map.of("SLACK_BOT_TOKEN", BOT_TOKEN)))
                .hasMessageContaining("set SLACK_SIGNING_SECRET (")
                .hasMessageNotContaining(BOT_TOKEN);
        var settings = SlackSettings.fromEnvironment(
                Map.of("SLACK_BOT_TOKEN", BOT_TOKEN, "SLACK_SIGNING_SECRET", SIGNING_SECRET));
        assertThat(settings.botToken()).isEqualTo(BOT_TOKEN);
    }

    @Test
    void aWholeSessionLogsNeitherTheSigningSecretNorTheBotToken() {
        var captured = new ByteArrayOutputStream();
        var err = System.err;
        var out = System.out;
        var tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(tee);
        System.setOut(tee);
        try (var f = new SlackFixture()) {
            f.requests.slashCommand(ALICE, "/deploy", "checkout 1.2.3");
            SlackFixture.await("the thread", () -> !f.desk.threads.isEmpty());
            f.requests.slashCommand(ALICE, "/deploy", "checkout 0.0.0-unannounced");
            long now = Instant.now().getEpochSecond();
            var body = SlackRequests.slashCommandBody(ALICE, "/deploy", "help");
            f.requests.send(
                    body,
                    Map.of(
                            "X-Slack-Request-Timestamp", Long.toString(now),
                            "X-Slack-Signature", SlackRequests.signature("wrong", now, body)));
            f.slack.rateLimitNext(1, 0);
            f.frontEnd
                    .web()
                    .post("C404", io.harbormaster.bot.slack.messages.SlackMessage.text("nowhere"))
                    .join();
            SlackFixture.await(
                    "the refusal",
                    () -> !f.slack.ephemerals(SlackFixture.CHANNEL).isEmpty());
            assertThat(f.slack.calls())
                    .allSatisfy(c -> assertThat(c.args().toString()).doesNotContain(BOT_TOKEN));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        var logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("Listening on", "channel_not_found");
        assertThat(logs).doesNotContain(SIGNING_SECRET, BOT_TOKEN, BOT_TOKEN.substring(5));
    }

    @Test
    void aSocketModeSessionLogsNoAppLevelToken() throws Exception {
        var appToken = SocketModeTest.APP_TOKEN;
        var wrong = "xapp-1-A0HARBORMASTER-1-wrong0token0value";
        var captured = new ByteArrayOutputStream();
        var err = System.err;
        var out = System.out;
        var tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(tee);
        System.setOut(tee);
        try (var f = new SlackFixture()) {
            f.slack.socketMode().enable(appToken);
            assertThatThrownBy(() -> f.frontEnd.connectSocketMode(wrong))
                    .isInstanceOf(SocketModeConnection.TokenRefused.class)
                    .hasMessageNotContaining(wrong);
            var connection = f.frontEnd.connectSocketMode(appToken);
            assertThat(connection.awaitHello(java.time.Duration.ofSeconds(10))).isTrue();
            var id = f.slack.socketMode().slashCommand(ALICE, "/deploy", "checkout 1.2.3");
            SlackFixture.await("the ack", () -> f.slack.socketMode().ack(id).isPresent());
            f.slack.socketMode().requestReconnect();
            SlackFixture.await("the reconnection", () -> connection.connections() == 2);
            assertThat(f.slack.calls())
                    .allSatisfy(c -> assertThat(c.args().toString()).doesNotContain(appToken));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        var logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("Socket Mode connected");
        assertThat(logs).doesNotContain(appToken, appToken.substring(5), wrong, wrong.substring(5));
    }
}
