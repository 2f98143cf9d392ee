package io.harbormaster.bot.slack.standin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlackStandInTest {
    private SlackStandIn slack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        slack = SlackStandIn.start(
                "xoxb-good",
                List.of(new SlackStandIn.User("U1", "alice", "Alice A")),
                List.of(new SlackStandIn.Channel("C1", "deploys")));
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    private JsonNode call(String method, String form, String bearer) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(slack.methodsUrlPrefix() + method))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void theTokenIsCheckedFromTheHeaderOrTheTokenParameter() throws Exception {
        assertThat(call("auth.test", "", null).path("error").asText()).isEqualTo("not_authed");
        assertThat(call("auth.test", "", "xoxb-bad").path("error").asText()).isEqualTo("invalid_auth");
        assertThat(call("auth.test", "token=xoxb-good", null).path("user_id").asText())
                .isEqualTo(slack.botUserId());
        assertThat(call("auth.test", "", "xoxb-good").path("ok").asBoolean()).isTrue();
    }

    @Test
    void requiredArgumentsAreCheckedTheWaySlackDoes() throws Exception {
        assertThat(call("chat.postMessage", "channel=C9&text=hi", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("channel_not_found");
        assertThat(call("chat.postMessage", "channel=C1", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("no_text");
        assertThat(call("chat.update", "channel=C1&ts=1.2&text=x", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("message_not_found");
        assertThat(call("chat.getPermalink", "channel=C1&message_ts=1.2", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("message_not_found");
        assertThat(call("chat.postEphemeral", "channel=C1&user=U9&text=x", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("user_not_in_channel");
        assertThat(call("users.info", "user=U9", "xoxb-good").path("error").asText())
                .isEqualTo("user_not_found");
        var tooMany = "[" + String.join(",", java.util.Collections.nCopies(51, "{\"type\":\"divider\"}")) + "]";
        var refused = call("chat.postMessage", "channel=C1&text=x&blocks=" + tooMany, "xoxb-good");
        assertThat(refused.path("error").asText()).isEqualTo("invalid_blocks");
    }

    @Test
    void messagesAreKeptPerChannelAndThreadAndUsersAndChannelsAreDescribed() throws Exception {
        var parent = call("chat.postMessage", "channel=%23deploys&text=parent", "xoxb-good");
        var ts = parent.path("ts").asText();
        assertThat(parent.path("channel").asText()).isEqualTo("C1");
        call("chat.postMessage", "channel=C1&text=reply&thread_ts=" + ts, "xoxb-good");

        assertThat(slack.messages("C1")).extracting(SlackStandIn.Message::text).containsExactly("parent");
        assertThat(slack.replies("C1", ts))
                .extracting(SlackStandIn.Message::text)
                .containsExactly("reply");
        assertThat(call("users.info", "user=U1", "xoxb-good")
                        .path("user")
                        .path("real_name")
                        .asText())
                .isEqualTo("Alice A");
        assertThat(call("conversations.info", "channel=C1", "xoxb-good")
                        .path("channel")
                        .path("name")
                        .asText())
                .isEqualTo("deploys");
        var state = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slack.port() + "/_standin/state"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(state.body()).contains("\"text\":\"reply\"", "\"thread_ts\":\"" + ts + "\"");
        assertThat(slack.calls()).allSatisfy(c -> assertThat(c.args().values()).doesNotContain("xoxb-good"));
    }

    @Test
    void rateLimitingAnswers429WithRetryAfterForTheNextCalls() throws Exception {
        slack.rateLimitNext(1, 7);
        var request = HttpRequest.newBuilder(URI.create(slack.methodsUrlPrefix() + "auth.test"))
                .header("Authorization", "Bearer xoxb-good")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        var limited = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }
}
