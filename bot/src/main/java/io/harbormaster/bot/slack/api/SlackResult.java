package io.harbormaster.bot.slack.api;

/**
 * What became of a Web API call. It never throws: a Slack outage is logged and counted, and the caller may ignore
 * the failure (the deploy goes on; only the message is missing).
 */
public sealed interface SlackResult {
    /** The message is in Slack: {@code ts} identifies it in {@code channel}. */
    record Sent(String channel, String ts) implements SlackResult {}

    /** Slack refused or could not be reached; {@code error} is Slack's code, or ours for transport failures. */
    record Failed(String method, String error) implements SlackResult {}

    default boolean ok() {
        return this instanceof Sent;
    }
}
