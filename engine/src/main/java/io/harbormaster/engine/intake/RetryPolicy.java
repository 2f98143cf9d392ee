package io.harbormaster.engine.intake;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently a failing handler is tried before its record is dead-lettered.
 *
 * @param maxAttempts attempts in total (1 = no retry)
 * @param initialBackoff pause before the first retry, doubled for each further one
 * @param maxBackoff the longest pause
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** 3 attempts, 200 ms then 400 ms apart (capped at 5 s): well inside Kafka's 5-minute poll interval. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(5));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("a retry policy needs at least 1 attempt, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must be >= 0 and the maximum at least the initial one, got "
                    + initialBackoff + " and " + maxBackoff);
        }
    }

    /** The pause before attempt {@code attempt} (2 for the first retry). */
    public Duration backoffBefore(int attempt) {
        Duration pause = initialBackoff;
        for (int i = 2; i < attempt && pause.compareTo(maxBackoff) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(maxBackoff) > 0 ? maxBackoff : pause;
    }
}
