package io.harbormaster.engine.rollout;

/** The outcome of storing a request: a new deploy, or the one an earlier delivery of the same request created. */
public sealed interface Intake {
    Deploy deploy();

    /** The request was new: this deploy was created for it. */
    record Created(Deploy deploy) implements Intake {}

    /** The request had been stored before under the same idempotency key: nothing new was created. */
    record Duplicate(Deploy deploy) implements Intake {}
}
