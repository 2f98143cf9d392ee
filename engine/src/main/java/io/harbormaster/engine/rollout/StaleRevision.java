package io.harbormaster.engine.rollout;

/** Another writer changed the deploy since it was read; re-read it and decide again. */
public final class StaleRevision extends RuntimeException {
    public StaleRevision(long deployId, int expectedRevision) {
        super("deploy " + deployId + " changed since revision " + expectedRevision + " was read");
    }
}
