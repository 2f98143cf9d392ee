package io.harbormaster.bot.slack.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlackWebApiTest {
    private static final String TOKEN = "xoxb-test-token";
    private SlackStandIn slack;
    private final BotMetrics metrics = new BotMetrics();

    @BeforeEach
    void start() {
        slack = SlackStandIn.start(
                TOKEN,
                List.of(new SlackStandIn.User("U1", "alice", "Alice")),
                List.of(new SlackStandIn.Channel("C1", "deploys"), new SlackStandIn.Channel("C2", "oncall")));
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    private SlackWebApi api(String urlPrefix, String token, SlackWebApi.Settings settings) {
        var config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(urlPrefix);
        return new SlackWebApi(Slack.getInstance(config).methods(token), metrics, settings);
    }

    private SlackWebApi api(SlackWebApi.Settings settings) {
        return api(slack.methodsUrlPrefix(), TOKEN, settings);
    }

    private String metricsText() {
        return new String(metrics.scrape(), StandardCharsets.UTF_8);
    }

    @Test
    void whoHasAnEmailAddressIsFoundNobodyOrUnavailableWithWhatToDo() {
        slack.addUser(new SlackStandIn.User("U2", "bob", "Bob", "bob@example.com"));
        try (var api = api(new SlackWebApi.Settings(Duration.ZERO, 1, Duration.ofMillis(100)))) {
            assertThat(api.memberByEmail("bob@example.com").join())
                    .isEqualTo(new io.harbormaster.engine.policy.PersonDirectory.Lookup.Found("U2"));
            assertThat(api.memberByEmail("zed@example.com").join())
                    .isEqualTo(new io.harbormaster.engine.policy.PersonDirectory.Lookup.NotFound());
            // nobody having the address is an answer, not a Slack error
            assertThat(metricsText()).doesNotContain("users.lookupByEmail");

            slack.revokeScope("users:read.email");
            assertThat(api.memberByEmail("bob@example.com").join())
                    .asString()
                    .contains("Unavailable", "missing_scope", "users:read.email", "reinstall");
            slack.grantScope("users:read.email");
            slack.rateLimitNext(5, 30);
            assertThat(api.memberByEmail("bob@example.com").join())
                    .asString()
                    .contains("Unavailable", "could not be asked", "ratelimited");
        }
    }

    @Test
    void aRateLimitedPostIsRetriedAfterRetryAfterAndSucceeds() {
        try (var api = api(new SlackWebApi.Settings(Duration.ZERO, 3, Duration.ofSeconds(5)))) {
            slack.rateLimitNext(1, 1);
            long started = System.nanoTime();

            var result = api.post("C1", SlackMessage.text("hello")).join();

            assertThat(result).isInstanceOf(SlackResult.Sent.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(slack.calls()).extracting(SlackStandIn.Call::error).containsExactly("ratelimited", "");
            assertThat(slack.messages("C1")).hasSize(1);
            assertThat(metricsText()).contains("harbormaster_slack_api_retries_total{method=\"chat.postMessage\"} 1.0");
        }
    }

    @Test
    void retriesAreBoundedAndGivingUpIsAResultNotAnException() {
        try (var api = api(new SlackWebApi.Settings(Duration.ZERO, 1, Duration.ofMillis(100)))) {
            slack.rateLimitNext(5, 30);
            long started = System.nanoTime();

            var result = api.post("C1", SlackMessage.text("hello")).join();

            assertThat(result).isEqualTo(new SlackResult.Failed("chat.postMessage", "ratelimited"));
            // Retry-After said 30 s; the client waits at most its own bound.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(metricsText())
                    .contains(
                            "harbormaster_slack_api_errors_total{error=\"ratelimited\",method=\"chat.postMessage\"} 1.0");
        }
    }

    @Test
    void aSlackOutageNeverThrowsIntoTheCaller() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (var api = api(
                "http://127.0.0.1:" + closedPort + "/api/",
                TOKEN,
                new SlackWebApi.Settings(Duration.ZERO, 1, Duration.ofMillis(100)))) {
            assertThat(api.post("C1", SlackMessage.text("x")).join())
                    .isEqualTo(new SlackResult.Failed("chat.postMessage", "unreachable"));
            assertThat(api.update("C1", "1.0", SlackMessage.text("x")).join()).isInstanceOf(SlackResult.Failed.class);
            assertThat(api.ephemeral("C1", "U1", SlackMessage.text("x")).join()).isInstanceOf(SlackResult.Failed.class);
            assertThat(api.permalink(new ThreadRef("C1", "1.0")).join()).isEmpty();
        }
    }

    @Test
    void slackRefusalsComeBackWithSlacksErrorCode() {
        try (var api = api(SlackWebApi.Settings.defaults());
                var wrongToken = api(slack.methodsUrlPrefix(), "xoxb-wrong", SlackWebApi.Settings.defaults())) {
            assertThat(api.post("C404", SlackMessage.text("x")).join())
                    .isEqualTo(new SlackResult.Failed("chat.postMessage", "channel_not_found"));
            assertThat(api.update("C1", "9.9", SlackMessage.text("x")).join())
                    .isEqualTo(new SlackResult.Failed("chat.update", "message_not_found"));
            assertThat(wrongToken.post("C1", SlackMessage.text("x")).join())
                    .isEqualTo(new SlackResult.Failed("chat.postMessage", "invalid_auth"));
        }
    }

    @Test
    void postsToOneChannelArePacedAndKeepTheirOrderWhileOtherChannelsDoNotWait() {
        try (var api = api(new SlackWebApi.Settings(Duration.ofMillis(300), 3, Duration.ofSeconds(5)))) {
            var first = api.post("C1", SlackMessage.text("one"));
            var second = api.post("C1", SlackMessage.text("two"));
            var third = api.post("C1", SlackMessage.text("three"));
            var elsewhere = api.post("C2", SlackMessage.text("other channel"));
            List.of(first, second, third, elsewhere).forEach(java.util.concurrent.CompletableFuture::join);

            assertThat(slack.messages("C1"))
                    .extracting(SlackStandIn.Message::text)
                    .containsExactly("one", "two", "three");
            var times = slack.calls().stream()
                    .filter(c -> c.args().get("channel").equals("C1"))
                    .map(SlackStandIn.Call::at)
                    .toList();
            for (int i = 1; i < times.size(); i++) {
                assertThat(Duration.between(times.get(i - 1), times.get(i)))
                        .isGreaterThanOrEqualTo(Duration.ofMillis(280));
            }
            Instant otherAt = slack.calls().stream()
                    .filter(c -> c.args().get("channel").equals("C2"))
                    .findFirst()
                    .orElseThrow()
                    .at();
            assertThat(otherAt).isBefore(times.get(1));
        }
    }

    @Test
    void aThreadReplyCanBeBroadcastAndTheParentUpdatedInPlace() {
        try (var api = api(new SlackWebApi.Settings(Duration.ZERO, 3, Duration.ofSeconds(5)))) {
            var parent = (SlackResult.Sent)
                    api.post("deploys", SlackMessage.text("parent")).join();
            var thread = new ThreadRef(parent.channel(), parent.ts());
            api.reply(thread, SlackMessage.text("phase")).join();
            api.broadcast(thread, SlackMessage.text("rolled back")).join();
            api.update(thread.channel(), thread.ts(), SlackMessage.text("parent, updated"))
                    .join();

            assertThat(slack.messages("C1")).singleElement().satisfies(m -> {
                assertThat(m.text()).isEqualTo("parent, updated");
                assertThat(m.edits()).isEqualTo(1);
            });
            assertThat(slack.replies("C1", thread.ts()))
                    .extracting(SlackStandIn.Message::text, SlackStandIn.Message::replyBroadcast)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("phase", false),
                            org.assertj.core.groups.Tuple.tuple("rolled back", true));
            assertThat(api.permalink(thread).join())
                    .hasValueSatisfying(l -> assertThat(l).contains("/archives/C1/p"));
        }
    }
}
