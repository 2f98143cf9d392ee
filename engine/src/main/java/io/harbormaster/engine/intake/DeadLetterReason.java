package io.harbormaster.engine.intake;

import java.util.Locale;

/** Why a record was dead-lettered. */
public enum DeadLetterReason {
    /** The message is not a valid deploy request; sending it again unchanged will fail again. */
    INVALID,
    /** The message is valid but the handler failed on every attempt; it may succeed when replayed later. */
    HANDLER_FAILED;

    /** The name in headers and logs: {@code invalid}, {@code handler-failed}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
