package io.harbormaster.engine.rollout;

/** Why a canary was rolled back: what the operator's metrics count it under, and what Slack says instead of figures. */
public sealed interface RollbackCause {
    /**
     * The canary analysis found a regression: the notice's evidence names the rule that fired (there is none when an
     * engine takes over a rollback another engine started and did not finish).
     */
    record Analysis() implements RollbackCause {}

    /** The canary's pods did not become ready within the readiness timeout. */
    record NotReady() implements RollbackCause {}

    /**
     * The cluster refused an operation of the running canary (a Deployment or route deleted by hand, a right taken
     * away): the canary is removed rather than left serving under a failed deploy; the change is not the suspect.
     */
    record ClusterRefused() implements RollbackCause {}

    /** A person asked for it; {@code by} is who, {@code via} how: {@code /deploy rollback}, or a paused canary's button. */
    record Requested(String by, Via via) implements RollbackCause {
        /** How a person asked for a rollback. */
        public enum Via {
            /** {@code /deploy rollback <service>}. */
            COMMAND,
            /** The Roll back button of a canary paused for a human. */
            PAUSE_BUTTON
        }

        /** Asked for with {@code /deploy rollback}. */
        public Requested(String by) {
            this(by, Via.COMMAND);
        }
    }
}
