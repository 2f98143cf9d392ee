package io.harbormaster.engine.rollout;

/**
 * The outcome of storing a request: a new deploy, the one an earlier delivery of the same request created, or the one
 * in flight it repeats.
 */
public sealed interface Intake {
    Deploy deploy();

    /** The request was new: this deploy was created for it. */
    record Created(Deploy deploy) implements Intake {}

    /** The request had been stored before under the same idempotency key: nothing new was created. */
    record Duplicate(Deploy deploy) implements Intake {}

    /**
     * The request repeats this deploy of its service, in flight (the same version asked for again, by CI or a person):
     * nothing was stored, and nothing new was created.
     */
    record AlreadyInFlight(Deploy deploy) implements Intake {}
}
