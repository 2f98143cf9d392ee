package io.harbormaster.storage.slack;

/** Where a deploy's Slack conversation lives: the parent message {@code ts} in {@code channel}. */
public record SlackThread(long deployId, String channel, String ts) {}
