package io.harbormaster.bot.slack.api;

/**
 * Where a deploy's conversation lives: its parent message in a channel. Store it with the deploy, so that after a
 * restart the updates still go to the same thread.
 */
public record ThreadRef(String channel, String ts) {}
