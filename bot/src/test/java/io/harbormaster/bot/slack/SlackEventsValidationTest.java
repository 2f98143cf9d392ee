package io.harbormaster.bot.slack;

import static io.harbormaster.bot.slack.SlackFixture.BOB;
import static io.harbormaster.bot.slack.SlackFixture.CHANNEL;
import static io.harbormaster.bot.slack.SlackFixture.SIGNING_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What reaches {@code /slack/events} that Slack would not send: the signature is checked before the body is read,
 * and a signed payload that is unreadable or lacks who and where is refused with 400, before anything runs.
 */
class SlackEventsValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackFixture f;

    @BeforeEach
    void start() {
        f = new SlackFixture();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static String payload(String json) {
        return "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    private static ObjectNode click() {
        return SlackRequests.blockActionPayload(
                BOB,
                EscalationMessages.APPROVE_ACTION,
                "escalation-42",
                "42",
                JSON.createObjectNode().put("ts", "1.5"));
    }

    private void nothingRan() {
        f.frontEnd.close(Duration.ofSeconds(5));
        assertThat(f.desk.calls()).isZero();
        assertThat(f.slack.calls()).noneMatch(c -> c.method().startsWith("chat."));
    }

    @Test
    void aRequestSignedWithATimestampFromTheFutureIsRefused() {
        var body = SlackRequests.slashCommandBody(SlackFixture.ALICE, "/deploy", "checkout 1.2.3");
        long future = Instant.now().getEpochSecond() + 10 * 60;

        var response = f.requests.send(
                body,
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(future),
                        "X-Slack-Signature", SlackRequests.signature(SIGNING_SECRET, future, body)));

        assertThat(response.statusCode()).isEqualTo(401);
        nothingRan();
    }

    @Test
    void anUnsignedOrForgedBodyIsRefusedWith401BeforeItIsRead() {
        long now = Instant.now().getEpochSecond();
        var notJson = payload("{not json");

        var unsigned = f.requests.send(notJson, Map.of());
        var forged = f.requests.send(
                notJson,
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(now),
                        "X-Slack-Signature", SlackRequests.signature("not-the-secret", now, notJson)));
        var oddTimestamp = f.requests.send(
                notJson,
                Map.of(
                        "X-Slack-Request-Timestamp",
                        "-1e3",
                        "X-Slack-Signature",
                        SlackRequests.signature(SIGNING_SECRET, now, notJson)));

        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(oddTimestamp.statusCode()).isEqualTo(401);
        nothingRan();
    }

    @Test
    void aSignedPayloadThatIsNotAJsonObjectIsRefusedWith400() {
        assertThat(f.requests.send(payload("{not json")).statusCode()).isEqualTo(400);
        assertThat(f.requests.send(payload("[1, 2]")).statusCode()).isEqualTo(400);
        nothingRan();
    }

    @Test
    void aSignedClickWithoutItsUserOrChannelIsRefusedWith400AndNothingRuns() {
        var noUser = click();
        noUser.remove("user");
        var noChannel = click();
        noChannel.remove("channel");
        noChannel.remove("container");

        assertThat(f.requests.send(payload(noUser.toString())).statusCode()).isEqualTo(400);
        var response = f.requests.send(payload(noChannel.toString()));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("cannot reach Slack");
        nothingRan();
    }

    @Test
    void aSignedClickOnAnActionNobodyHandlesIsNotFound() {
        var unknown = SlackRequests.blockActionPayload(
                BOB,
                "escalation.delete-everything",
                "b",
                "42",
                JSON.createObjectNode().put("ts", "1.5"));

        assertThat(f.requests.send(payload(unknown.toString())).statusCode()).isEqualTo(404);
        nothingRan();
    }

    @Test
    void aSignedSlashCommandWithoutUserChannelOrTriggerIsRefusedWith400AndNothingRuns() {
        var noUser = "command=%2Fdeploy&text=status&channel_id=" + CHANNEL + "&trigger_id=1.2";
        var noChannel = "command=%2Fdeploy&text=status&user_id=U0APPROVER&trigger_id=1.2";
        var noTrigger = "command=%2Fdeploy&text=status&user_id=U0APPROVER&channel_id=" + CHANNEL;
        var auditNoUser = "command=%2Faudit&text=verify&channel_id=" + CHANNEL;

        for (var body : new String[] {noUser, noChannel, noTrigger, auditNoUser}) {
            assertThat(f.requests.send(body).statusCode()).as(body).isEqualTo(400);
        }
        nothingRan();
    }
}
