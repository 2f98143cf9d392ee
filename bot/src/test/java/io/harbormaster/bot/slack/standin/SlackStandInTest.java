package io.harbormaster.bot.slack.standin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private HttpResponse<String> respond(String url, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aResponseUrlReplacesTheCommandsFirstAnswerAddsToItOrDeletesItAndIsTakenFiveTimes() throws Exception {
        var url = slack.responseUrl("C1", "U1");
        var first = slack.showCommandAnswer("C1", "U1", "Checking…", "[]", false, java.util.Optional.of(url))
                .orElseThrow();

        var replaced = respond(url, "{\"replace_original\":true,\"text\":\"Done\"}");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(replaced.body()).isEqualTo("ok");
        assertThat(slack.ephemerals("C1")).singleElement().satisfies(m -> {
            assertThat(m.ts()).isEqualTo(first.ts());
            assertThat(m.text()).isEqualTo("Done");
            assertThat(m.ephemeralTo()).contains("U1");
            assertThat(m.edits()).isEqualTo(1);
        });
        respond(url, "{\"text\":\"And one more thing\"}");
        assertThat(slack.ephemerals("C1"))
                .extracting(SlackStandIn.Message::text)
                .containsExactly("Done", "And one more thing");
        assertThat(respond(url, "{\"replace_original\":true,\"text\":\"\"}").body())
                .isEqualTo("no_text");
        respond(url, "{\"delete_original\":true}");
        assertThat(slack.ephemerals("C1"))
                .extracting(SlackStandIn.Message::text)
                .containsExactly("And one more thing");
        assertThat(respond(url, "{\"text\":\"a fifth time\"}").statusCode()).isEqualTo(200);
        assertThat(respond(url, "{\"text\":\"a sixth time\"}").statusCode()).isEqualTo(404);
        assertThat(respond(slack.responseUrl("C1", "U1").replaceAll("[0-9a-f]+$", "0"), "{\"text\":\"x\"}")
                        .body())
                .isEqualTo("no_active_hooks");
    }

    @Test
    void anAnswerThatArrivesBeforeTheAcknowledgementIsShownStandsForItAsSlackShowsTheAcknowledgementFirst()
            throws Exception {
        var url = slack.responseUrl("C1", "U1");
        respond(url, "{\"replace_original\":true,\"text\":\"Done\"}");
        assertThat(slack.showCommandAnswer("C1", "U1", "Checking…", "[]", false, java.util.Optional.of(url)))
                .isEmpty();
        assertThat(slack.ephemerals("C1"))
                .extracting(SlackStandIn.Message::text)
                .containsExactly("Done");
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
    void usersLookupByEmailAnswersAsSlackDocumentsItAndNeedsTheUsersReadEmailScope() throws Exception {
        slack.addUser(new SlackStandIn.User("U2", "bob", "Bob B", "Bob@Example.com"));
        var found = call("users.lookupByEmail", "email=bob%40example.com", "xoxb-good");
        assertThat(found.path("ok").asBoolean()).isTrue();
        assertThat(found.path("user").path("id").asText()).isEqualTo("U2");
        assertThat(found.path("user").path("profile").path("email").asText()).isEqualTo("Bob@Example.com");
        assertThat(found.path("user").path("deleted").asBoolean()).isFalse();
        assertThat(call("users.info", "user=U2", "xoxb-good")
                        .path("user")
                        .path("profile")
                        .path("email")
                        .asText())
                .isEqualTo("Bob@Example.com");

        assertThat(call("users.lookupByEmail", "email=alice%40example.com", "xoxb-good")
                        .path("error")
                        .asText())
                .isEqualTo("users_not_found");
        var missing = call("users.lookupByEmail", "", "xoxb-good");
        assertThat(missing.path("error").asText()).isEqualTo("invalid_arguments");
        assertThat(missing.path("response_metadata").path("messages").toString())
                .contains("email");

        slack.revokeScope("users:read.email");
        var refused = call("users.lookupByEmail", "email=bob%40example.com", "xoxb-good");
        assertThat(refused.path("ok").asBoolean()).isFalse();
        assertThat(refused.path("error").asText()).isEqualTo("missing_scope");
        assertThat(refused.path("needed").asText()).isEqualTo("users:read.email");
        assertThat(refused.path("provided").asText()).contains("chat:write").doesNotContain("users:read.email");
        // without the scope, users.info leaves the email out of the profile
        assertThat(call("users.info", "user=U2", "xoxb-good")
                        .path("user")
                        .path("profile")
                        .has("email"))
                .isFalse();
        assertThat(call("users.lookupByEmail", "email=bob%40example.com", "xoxb-bad")
                        .path("error")
                        .asText())
                .isEqualTo("invalid_auth");
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

    @Test
    void socketModeConnectionsOpenOnlyWithTheAppLevelTokenAndThatTokenDoesNothingElse() throws Exception {
        assertThat(call("apps.connections.open", "", "xapp-1-app").path("error").asText())
                .as("Socket Mode off")
                .isEqualTo("invalid_auth");
        slack.socketMode().enable("xapp-1-app");
        assertThat(call("apps.connections.open", "", "xoxb-good").path("error").asText())
                .isEqualTo("not_allowed_token_type");
        assertThat(call("chat.postMessage", "channel=C1&text=hi", "xapp-1-app")
                        .path("error")
                        .asText())
                .isEqualTo("not_allowed_token_type");
        assertThat(call("auth.test", "", "xapp-1-app").path("team_id").asText()).isEqualTo("T0SANDBOX");
        var open = call("apps.connections.open", "", "xapp-1-app");
        assertThat(open.path("ok").asBoolean()).isTrue();
        assertThat(open.path("url").asText()).startsWith("ws://127.0.0.1:" + slack.port() + "/link?ticket=");
        assertThat(slack.calls()).allSatisfy(c -> assertThat(c.args().values()).doesNotContain("xapp-1-app"));
    }

    @Test
    void aSocketModeUrlIsGreetedWithHelloOnceAndDeliversEnvelopesWhoseAckIsRecorded() throws Exception {
        slack.socketMode().enable("xapp-1-app");
        var url = call("apps.connections.open", "", "xapp-1-app").path("url").asText();
        var received = new java.util.concurrent.LinkedBlockingQueue<String>();
        var closed = new java.util.concurrent.CompletableFuture<Integer>();
        var listener = new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(
                    java.net.http.WebSocket ws, CharSequence data, boolean last) {
                received.add(data.toString());
                ws.request(1);
                return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(
                    java.net.http.WebSocket ws, int status, String reason) {
                closed.complete(status);
                return null;
            }
        };
        var ws =
                http.newWebSocketBuilder().buildAsync(URI.create(url), listener).get(5, TimeUnit.SECONDS);
        var hello = new ObjectMapper().readTree(received.poll(5, TimeUnit.SECONDS));
        assertThat(hello.path("type").asText()).isEqualTo("hello");
        assertThat(hello.path("num_connections").asInt()).isEqualTo(1);

        var origin = new SlackRequests.Origin("U1", "alice", "C1", "deploys");
        var id = slack.socketMode().slashCommand(origin, "/deploy", "help");
        var envelope = new ObjectMapper().readTree(received.poll(5, TimeUnit.SECONDS));
        assertThat(envelope.path("envelope_id").asText()).isEqualTo(id);
        assertThat(envelope.path("type").asText()).isEqualTo("slash_commands");
        assertThat(envelope.path("accepts_response_payload").asBoolean()).isTrue();
        assertThat(envelope.path("payload").path("command").asText()).isEqualTo("/deploy");
        assertThat(envelope.path("payload").path("user_id").asText()).isEqualTo("U1");
        assertThat(slack.socketMode().unacknowledged()).containsExactly(id);

        ws.sendText("{\"envelope_id\":\"" + id + "\",\"payload\":{\"text\":\"Usage: ...\"}}", true)
                .get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slack.socketMode().ack(id).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(slack.socketMode().ack(id)).hasValueSatisfying(a -> assertThat(a.payload())
                .hasValueSatisfying(p -> assertThat(p.path("text").asText()).isEqualTo("Usage: ...")));
        assertThat(slack.ephemerals("C1")).singleElement().satisfies(m -> assertThat(m.text())
                .isEqualTo("Usage: ..."));
        assertThat(slack.socketMode().unacknowledged()).isEmpty();

        slack.socketMode().requestReconnect();
        var disconnect = new ObjectMapper().readTree(received.poll(5, TimeUnit.SECONDS));
        assertThat(disconnect.path("type").asText()).isEqualTo("disconnect");
        assertThat(disconnect.path("reason").asText()).isEqualTo("refresh_requested");

        // A URL is good for one connection: the same ticket again is turned away.
        var again = new java.util.concurrent.CompletableFuture<Integer>();
        http.newWebSocketBuilder()
                .buildAsync(URI.create(url), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(
                            java.net.http.WebSocket w, int status, String reason) {
                        again.complete(status);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        assertThat(again.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(slack.socketMode().hellos()).isEqualTo(1);
        ws.abort();
    }

    private static String form(String... pairs) {
        var out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            out.append(out.isEmpty() ? "" : "&")
                    .append(pairs[i])
                    .append('=')
                    .append(java.net.URLEncoder.encode(pairs[i + 1], java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPermalinkOpensItsThreadAsAPageWithEveryMessageEscaped() throws Exception {
        var parent = call(
                "chat.postMessage",
                form("channel", "C1", "text", "checkout 1.4.1 <b>bold</b> & \"quoted\" 'single'"),
                "xoxb-good");
        var ts = parent.path("ts").asText();
        var reply = call(
                "chat.postMessage",
                form("channel", "C1", "thread_ts", ts, "text", "<script>alert(1)</script> from <@U1>"),
                "xoxb-good");
        call(
                "chat.postEphemeral",
                form("channel", "C1", "user", "U1", "thread_ts", ts, "text", "only for alice"),
                "xoxb-good");
        slack.postAsUser("C1", "U1", "a reply by a person", java.util.Optional.of(ts));
        call("chat.postMessage", form("channel", "C1", "text", "another thread"), "xoxb-good");

        var link = call("chat.getPermalink", form("channel", "C1", "message_ts", ts), "xoxb-good")
                .path("permalink")
                .asText();
        assertThat(link).isEqualTo("http://127.0.0.1:" + slack.port() + "/archives/C1/p" + ts.replace(".", ""));
        var page = get(link);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(page.body())
                .contains("Thread in #deploys")
                .contains("checkout 1.4.1 &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;single&#39;")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; from &lt;@U1&gt;")
                .contains("<b>Harbormaster</b>", "<b>Alice A</b>", "a reply by a person", "2 replies")
                .doesNotContain("<script>", "<b>bold</b>", "only for alice", "another thread", "Open in the console");
        // The parent comes first, then the replies in order.
        assertThat(page.body().indexOf("checkout 1.4.1"))
                .isLessThan(page.body().indexOf("alert(1)"))
                .isGreaterThan(0);
        assertThat(page.body().indexOf("alert(1)")).isLessThan(page.body().indexOf("a reply by a person"));

        // A reply's permalink opens the same thread, with that reply marked.
        var replyTs = reply.path("ts").asText();
        var replyLink = call("chat.getPermalink", form("channel", "C1", "message_ts", replyTs), "xoxb-good")
                .path("permalink")
                .asText();
        var replyPage = get(replyLink).body();
        assertThat(replyPage).contains("checkout 1.4.1", "a reply by a person");
        assertThat(replyPage).contains("<article class=\"message linked\" id=\"p" + replyTs.replace(".", "") + "\">");

        assertThat(get("http://127.0.0.1:" + slack.port() + "/archives/C1/p1234567890123456")
                        .statusCode())
                .isEqualTo(404);
        assertThat(get("http://127.0.0.1:" + slack.port() + "/archives/C9/p" + ts.replace(".", ""))
                        .statusCode())
                .isEqualTo(404);
        assertThat(get("http://127.0.0.1:" + slack.port() + "/archives/C1/" + ts)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void permalinksCanPointAtAServerInFront() throws Exception {
        var ts = call("chat.postMessage", form("channel", "C1", "text", "hello"), "xoxb-good")
                .path("ts")
                .asText();
        slack.linkThreadsTo(URI.create("http://console.example:8080/"));
        assertThat(call("chat.getPermalink", form("channel", "C1", "message_ts", ts), "xoxb-good")
                        .path("permalink")
                        .asText())
                .isEqualTo("http://console.example:8080/archives/C1/p" + ts.replace(".", ""));
        assertThat(slack.threadPage("C1", "p" + ts.replace(".", ""), java.util.Optional.of("/#thread=")))
                .hasValueSatisfying(page -> assertThat(page).contains("<a href=\"/#thread=" + ts + "\"", "hello"));
    }
}
