package io.harbormaster.engine.advice;

import java.time.Duration;

/**
 * The engine's port to a chat model that writes the advice's summary from the facts. Implementations bound their own
 * time, never throw, and say why they have no answer.
 */
public interface SummaryWriter {
    /** The provider's name as the audit log records it (openai, none). */
    String provider();

    /** The model's name as configured. */
    String model();

    /** Whether a model is configured at all; without one the advice is built from templates only. */
    default boolean configured() {
        return true;
    }

    Written write(Prompt prompt);

    /** What came back. */
    sealed interface Written {
        Duration latency();

        /** The model's text, unchecked. */
        record Answer(String text, String model, Duration latency) implements Written {}

        /**
         * No usable answer.
         *
         * @param reason one of timeout, rate_limited, error, malformed, empty (a metric label: a short fixed set)
         * @param detail what happened, for the log and the audit entry; never a secret
         */
        record Failure(String reason, String detail, Duration latency) implements Written {}
    }

    /** No model configured: every advice comes from the templates. */
    SummaryWriter NONE = new SummaryWriter() {
        @Override
        public String provider() {
            return "none";
        }

        @Override
        public String model() {
            return "";
        }

        @Override
        public boolean configured() {
            return false;
        }

        @Override
        public Written write(Prompt prompt) {
            return new Written.Failure("error", "no model configured", Duration.ZERO);
        }
    };
}
