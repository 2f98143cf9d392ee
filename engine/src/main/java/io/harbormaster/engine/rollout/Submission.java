package io.harbormaster.engine.rollout;

/** The answer to a deploy request: accepted (new or a redelivery of one already accepted), or refused with why. */
public sealed interface Submission {
    /** The deploy exists; {@code duplicate} when an earlier delivery of the same request created it. */
    record Accepted(Deploy deploy, boolean duplicate) implements Submission {}

    /** Nothing was started, for this reason, which says what to do instead. */
    record Refused(String reason) implements Submission {}
}
