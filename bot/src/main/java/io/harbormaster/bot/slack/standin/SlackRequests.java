package io.harbormaster.bot.slack.standin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends requests to a bot's {@code /slack/events} the way Slack does: a slash command's form body, a button click's
 * {@code payload=} form body, each signed with {@code v0} HMAC-SHA256 over {@code v0:{timestamp}:{raw body}}. The
 * sandbox console and the tests use it, so the bot's code they exercise is the production code. Given the Slack
 * stand-in, it also plays the rest of Slack's part in a slash command: the command carries a response_url of the
 * stand-in's, and the bot's immediate answer is shown to the person there.
 */
public final class SlackRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI events;
    private final String signingSecret;
    private final Clock clock;
    private final Optional<SlackStandIn> slack;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Requests whose answers nobody is shown: a slash command's response_url leads nowhere.
     *
     * @param events the bot's {@code /slack/events} URL
     */
    public SlackRequests(URI events, String signingSecret, Clock clock) {
        this(events, signingSecret, clock, Optional.empty());
    }

    /**
     * ... as Slack sends them with {@code slack} as its workspace: a slash command carries one of its response URLs,
     * and its immediate answer is shown there ({@link SlackStandIn#showCommandAnswer}).
     */
    public SlackRequests(URI events, String signingSecret, Clock clock, SlackStandIn slack) {
        this(events, signingSecret, clock, Optional.of(slack));
    }

    private SlackRequests(URI events, String signingSecret, Clock clock, Optional<SlackStandIn> slack) {
        this.events = events;
        this.signingSecret = signingSecret;
        this.clock = clock;
        this.slack = slack;
    }

    /** Who sends a request, and from where. */
    public record Origin(String userId, String userName, String channelId, String channelName) {}

    /** The form body Slack sends for a slash command (with a response_url that leads nowhere). */
    public static String slashCommandBody(Origin from, String command, String text) {
        return form(slashCommandFields(from, command, text, NOWHERE.get()));
    }

    /** The same slash command as Socket Mode carries it: the form's fields as one JSON object. */
    public static ObjectNode slashCommandPayload(Origin from, String command, String text) {
        return slashCommandPayload(from, command, text, NOWHERE.get());
    }

    /** ... whose response_url is {@code responseUrl}. */
    public static ObjectNode slashCommandPayload(Origin from, String command, String text, String responseUrl) {
        var p = JSON.createObjectNode();
        slashCommandFields(from, command, text, responseUrl).forEach(p::put);
        return p;
    }

    /** A response_url of Slack's form on a host that does not exist: for requests whose answers nobody is shown. */
    private static final java.util.function.Supplier<String> NOWHERE =
            () -> "https://hooks.slack.invalid/commands/T0SANDBOX/" + UUID.randomUUID();

    private static Map<String, String> slashCommandFields(
            Origin from, String command, String text, String responseUrl) {
        var form = new LinkedHashMap<String, String>();
        form.put("token", "legacy-verification-token");
        form.put("team_id", "T0SANDBOX");
        form.put("team_domain", "sandbox");
        form.put("channel_id", from.channelId());
        form.put("channel_name", from.channelName());
        form.put("user_id", from.userId());
        form.put("user_name", from.userName());
        form.put("command", command);
        form.put("text", text);
        form.put("api_app_id", "A0HARBORMASTER");
        form.put("is_enterprise_install", "false");
        form.put("response_url", responseUrl);
        form.put("trigger_id", triggerId());
        return form;
    }

    /**
     * The {@code payload=} form body Slack sends when a button is clicked.
     *
     * @param message the message the button is in, as Slack gave it to the bot (ts, thread_ts, text, blocks)
     */
    public static String blockActionBody(
            Origin from, String actionId, String blockId, String value, ObjectNode message) {
        return "payload="
                + URLEncoder.encode(
                        blockActionPayload(from, actionId, blockId, value, message)
                                .toString(),
                        StandardCharsets.UTF_8);
    }

    /** A button click's {@code block_actions} payload, as Socket Mode carries it (and HTTP inside {@code payload=}). */
    public static ObjectNode blockActionPayload(
            Origin from, String actionId, String blockId, String value, ObjectNode message) {
        var p = JSON.createObjectNode();
        p.put("type", "block_actions");
        var user = p.putObject("user");
        user.put("id", from.userId());
        user.put("username", from.userName());
        user.put("name", from.userName());
        user.put("team_id", "T0SANDBOX");
        p.put("api_app_id", "A0HARBORMASTER");
        p.put("token", "legacy-verification-token");
        var container = p.putObject("container");
        container.put("type", "message");
        container.put("message_ts", message.path("ts").asText());
        container.put("channel_id", from.channelId());
        container.put("is_ephemeral", false);
        if (message.has("thread_ts")) {
            container.put("thread_ts", message.path("thread_ts").asText());
        }
        p.put("trigger_id", triggerId());
        var team = p.putObject("team");
        team.put("id", "T0SANDBOX");
        team.put("domain", "sandbox");
        var channel = p.putObject("channel");
        channel.put("id", from.channelId());
        channel.put("name", from.channelName());
        p.set("message", message);
        p.put("response_url", "https://hooks.slack.invalid/actions/T0SANDBOX/" + UUID.randomUUID());
        var action = p.putArray("actions").addObject();
        action.put("action_id", actionId);
        action.put("block_id", blockId);
        var text = action.putObject("text");
        text.put("type", "plain_text");
        text.put("text", actionId);
        action.put("value", value);
        action.put("type", "button");
        action.put("action_ts", Double.toString(System.currentTimeMillis() / 1000.0));
        return p;
    }

    /** The {@code X-Slack-Signature} Slack would send for this body at this time. */
    public static String signature(String signingSecret, long timestamp, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            var digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Posts a slash command, signed now. With the stand-in, the command carries one of its response URLs, and the
     * bot's immediate answer is shown as Slack shows it: its text and blocks to the person (in the channel with {@code
     * response_type: in_channel}), or, when the bot did not answer 200, Slack's {@code dispatch_failed}.
     */
    public HttpResponse<String> slashCommand(Origin from, String command, String text) {
        if (slack.isEmpty()) {
            return send(slashCommandBody(from, command, text));
        }
        var responseUrl = slack.get().responseUrl(from.channelId(), from.userId());
        var response = send(form(slashCommandFields(from, command, text, responseUrl)));
        showAnswer(slack.get(), from, command, response, responseUrl);
        return response;
    }

    private static void showAnswer(
            SlackStandIn slack, Origin from, String command, HttpResponse<String> response, String responseUrl) {
        var url = Optional.of(responseUrl);
        if (response.statusCode() != 200) {
            slack.showCommandAnswer(
                    from.channelId(),
                    from.userId(),
                    command + " failed with the error \"dispatch_failed\" (the app answered HTTP "
                            + response.statusCode() + ")",
                    "[]",
                    false,
                    url);
            return;
        }
        var body = response.body() == null ? "" : response.body().strip();
        if (body.isEmpty()) {
            return; // an empty acknowledgement shows nothing
        }
        try {
            var answer = JSON.readTree(body);
            var shown = answer.path("text").asText("");
            var blocks = answer.has("blocks") ? answer.get("blocks").toString() : "[]";
            if (!shown.isBlank() || !blocks.equals("[]")) {
                slack.showCommandAnswer(
                        from.channelId(),
                        from.userId(),
                        shown,
                        blocks,
                        answer.path("response_type").asText("").equals("in_channel"),
                        url);
            }
        } catch (IOException e) {
            // Slack shows a plain-text answer as it is.
            slack.showCommandAnswer(from.channelId(), from.userId(), body, "[]", false, url);
        }
    }

    /** Posts a button click, signed now. */
    public HttpResponse<String> blockAction(
            Origin from, String actionId, String blockId, String value, ObjectNode message) {
        return send(blockActionBody(from, actionId, blockId, value, message));
    }

    /** Posts {@code body} signed at the current time. */
    public HttpResponse<String> send(String body) {
        long ts = clock.instant().getEpochSecond();
        return send(
                body,
                Map.of(
                        "X-Slack-Request-Timestamp", Long.toString(ts),
                        "X-Slack-Signature", signature(signingSecret, ts, body)));
    }

    /** Posts {@code body} with exactly these Slack headers (for tests of forged, stale or unsigned requests). */
    public HttpResponse<String> send(String body, Map<String, String> slackHeaders) {
        var request = HttpRequest.newBuilder(events)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        slackHeaders.forEach(request::header);
        try {
            return http.send(
                    request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String triggerId() {
        return System.nanoTime() + "." + UUID.randomUUID().toString().replace("-", "");
    }
}
