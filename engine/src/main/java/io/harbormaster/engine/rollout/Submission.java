package io.harbormaster.engine.rollout;

/** The answer to a deploy request: accepted (new or a redelivery of one already accepted), or refused with why. */
public sealed interface Submission {
    /** The deploy exists; {@code duplicate} when an earlier delivery of the same request created it. */
    record Accepted(Deploy deploy, boolean duplicate) implements Submission {}

    /**
     * Nothing was started, for this reason, which says what to do instead; {@code people}: the Slack members it names
     * by their ids (who holds a lock, who asked for a revert), for a front end that shows them as mentions.
     */
    record Refused(String reason, java.util.List<String> people) implements Submission {
        public Refused {
            people = java.util.List.copyOf(people);
        }

        /** A refusal that names no one. */
        public Refused(String reason) {
            this(reason, java.util.List.of());
        }
    }
}
