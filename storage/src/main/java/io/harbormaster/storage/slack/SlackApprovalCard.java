package io.harbormaster.storage.slack;

/**
 * A deploy's approval card: the message {@code ts} in {@code channel} (a reply in the deploy's thread), and what it
 * shows, as the bot wrote it ({@code card}, JSON the database does not read).
 */
public record SlackApprovalCard(long deployId, String channel, String ts, String card) {}
