package io.harbormaster.engine.adapters.inprocess;

import io.harbormaster.engine.intake.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A message the in-process intake gave up on, kept in memory as it arrived.
 *
 * @param key the routing key it was submitted with
 * @param value the message bytes, unchanged
 * @param reason why it was dead-lettered
 * @param error what was wrong, for a person
 * @param attempts handler attempts made (0 for an invalid message)
 * @param at when it was dead-lettered
 */
public record DeadLetter(
        Optional<String> key, byte[] value, DeadLetterReason reason, String error, int attempts, Instant at) {

    public DeadLetter {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The message as text (invalid UTF-8 shown with replacement characters). */
    public String valueText() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
