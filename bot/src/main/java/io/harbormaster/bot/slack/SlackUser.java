package io.harbormaster.bot.slack;

/** A Slack user as a request names them: the id (what authorization uses) and the handle (for messages). */
public record SlackUser(String id, String name) {}
