package io.harbormaster.engine.rollout;

import java.util.Objects;

/** Whether a service's Deployments have all their pods up to date and ready. */
public sealed interface Readiness {
    /** Every Deployment of the rollout has all its pods updated and ready. */
    record Ready() implements Readiness {}

    /** A Deployment will not get ready without a change (a crash-looping pod, an image that cannot be pulled...). */
    record NotReady(String reason) implements Readiness {
        public NotReady {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The deadline passed while pods were still coming up; {@code waitingFor} says which, as last seen. */
    record TimedOut(String waitingFor) implements Readiness {
        public TimedOut {
            Objects.requireNonNull(waitingFor, "waitingFor");
        }
    }
}
