package io.harbormaster.engine.rollout;

/** Where a deploy request came from; part of its idempotency key's meaning. */
public enum RequestSource {
    SLACK,
    KAFKA,
    HTTP,
    CLI
}
