package io.harbormaster.storage.slack;

/**
 * An emergency deploy's review request: the message {@code ts} in {@code channel} (a reply in the deploy's thread)
 * that carries its Mark reviewed button.
 */
public record SlackReviewCard(long deployId, String channel, String ts) {}
