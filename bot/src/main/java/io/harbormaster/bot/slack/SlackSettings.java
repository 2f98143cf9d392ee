package io.harbormaster.bot.slack;

import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;

/**
 * The Slack app's secrets and where the Web API is. The secrets come from the environment only; {@link #toString()}
 * never shows them, so a logged settings object leaks nothing.
 *
 * @param methodsUrlPrefix the Web API's base URL when it is not slack.com (the stand-in, the sandbox)
 */
public record SlackSettings(String signingSecret, String botToken, Optional<String> methodsUrlPrefix) {
    public static final String SIGNING_SECRET = "SLACK_SIGNING_SECRET";
    public static final String BOT_TOKEN = "SLACK_BOT_TOKEN";
    public static final String API_URL = "SLACK_API_URL";
    public static final String APP_TOKEN = "SLACK_APP_TOKEN";

    /** The bot token's scopes that slack-app.yml asks for, and what the bot cannot do without each. */
    public static final Map<String, String> SCOPES = Map.of(
            "commands", "answer /deploy and /audit",
            "chat:write", "post and update deploy threads",
            "chat:write.public", "post in channels it was not invited to",
            "users:read", "look people up",
            "users:read.email",
                    "tell whether an approver wrote a change CI names by an email address (such approvals are"
                            + " refused until it is granted)");

    public SlackSettings {
        if (signingSecret == null || signingSecret.isBlank() || botToken == null || botToken.isBlank()) {
            throw new IllegalArgumentException("the Slack signing secret and bot token are both required");
        }
    }

    /** Reads {@code SLACK_SIGNING_SECRET}, {@code SLACK_BOT_TOKEN} and optionally {@code SLACK_API_URL}. */
    public static SlackSettings fromEnvironment(Map<String, String> env) {
        var missing = new ArrayList<String>();
        for (var name : new String[] {SIGNING_SECRET, BOT_TOKEN}) {
            if (env.getOrDefault(name, "").isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("set " + String.join(" and ", missing)
                    + " (the Slack app's Basic Information > Signing Secret, and OAuth & Permissions > Bot User OAuth"
                    + " Token)");
        }
        var api = Optional.ofNullable(env.get(API_URL)).filter(s -> !s.isBlank());
        return new SlackSettings(env.get(SIGNING_SECRET), env.get(BOT_TOKEN), api);
    }

    /**
     * The app-level token Socket Mode connects with ({@code SLACK_APP_TOKEN}), when {@code socketMode} is on. A missing
     * token, or a token of another kind, is refused with what to set instead; the message never shows the token.
     */
    public static Optional<String> socketModeToken(boolean socketMode, Map<String, String> env) {
        if (!socketMode) {
            return Optional.empty();
        }
        var token = Optional.ofNullable(env.get(APP_TOKEN)).map(String::strip).filter(s -> !s.isEmpty());
        if (token.isEmpty()) {
            throw new IllegalArgumentException("slack.socket_mode is on in harbormaster.yml, so set " + APP_TOKEN
                    + " to the Slack app's app-level token (xapp-..., from Basic Information > App-Level Tokens, with"
                    + " the connections:write scope); or set slack.socket_mode: false to take Slack's requests at"
                    + " /slack/events");
        }
        if (!token.get().startsWith(SocketModeConnection.APP_TOKEN_PREFIX)) {
            throw new IllegalArgumentException(APP_TOKEN + " must be the Slack app's app-level token, which starts"
                    + " with xapp- (Basic Information > App-Level Tokens, with the connections:write scope); "
                    + kind(token.get()));
        }
        return token;
    }

    private static String kind(String token) {
        if (token.startsWith("xoxb-")) {
            return "this one starts with xoxb-, a bot token, which belongs in " + BOT_TOKEN;
        }
        if (token.startsWith("xoxp-")) {
            return "this one starts with xoxp-, a user token";
        }
        return "this one does not";
    }

    @Override
    public String toString() {
        return "SlackSettings[signingSecret=[redacted], botToken=[redacted], methodsUrlPrefix="
                + methodsUrlPrefix.orElse("https://slack.com/api/") + "]";
    }
}
