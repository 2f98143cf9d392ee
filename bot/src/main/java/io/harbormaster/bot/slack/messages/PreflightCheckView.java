package io.harbormaster.bot.slack.messages;

/** One named preflight check and what it found. */
public record PreflightCheckView(String name, boolean passed, String reason) {}
