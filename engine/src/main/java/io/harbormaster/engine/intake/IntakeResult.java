package io.harbormaster.engine.intake;

import java.util.Objects;

/** What became of one message: handled, to be dead-lettered, or left for redelivery. */
public sealed interface IntakeResult {

    /** The handler decided; the message is done with. */
    record Handled(CiDeployRequest request, String idempotencyKey, DeployRequestHandler.Outcome outcome, int attempts)
            implements IntakeResult {
        public Handled {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(idempotencyKey, "idempotencyKey");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** The message must go to the dead-letter destination with {@code error}. */
    record DeadLetter(DeadLetterReason reason, String error, int attempts) implements IntakeResult {
        public DeadLetter {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(error, "error");
        }
    }

    /** Processing was interrupted (shutdown) before a decision: the message must be delivered again. */
    record Interrupted() implements IntakeResult {}
}
