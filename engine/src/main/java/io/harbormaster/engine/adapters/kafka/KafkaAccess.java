package io.harbormaster.engine.adapters.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the brokers last said about this replica's access, and since when: a refused login or a withheld permission
 * that every check since {@code since} has found again makes the replica unready once it has lasted {@code grace}. An
 * answer without the problem ends it at once; a check the brokers did not answer changes nothing (the clients ride out
 * brokers out of reach, and the last answer stands). Thread-safe.
 */
public final class KafkaAccess {

    /** The access as last checked. */
    public sealed interface Status {
        /** Whether {@code /readyz} may say ready. */
        boolean ready();

        /** No problem on record (nothing checked yet, or the last answer was fine). */
        record Ok() implements Status {
            @Override
            public boolean ready() {
                return true;
            }
        }

        /**
         * Every check since {@code since} found {@code problem}; {@code lasting} how long that is now; ready while it
         * has lasted less than the grace.
         */
        record Failing(
                KafkaConnectionCheck.Problem problem, String message, Instant since, Duration lasting, boolean ready)
                implements Status {}
    }

    private final Duration grace;
    private Optional<Streak> streak = Optional.empty();

    private record Streak(KafkaConnectionCheck.Problem problem, String message, Instant since) {}

    /** @param grace how long a problem must last before the replica says it is not ready */
    public KafkaAccess(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException(
                    "the grace before Kafka access makes a replica unready cannot be negative");
        }
        this.grace = grace;
    }

    public Duration grace() {
        return grace;
    }

    /** The brokers answered and all was well: a problem on record ends. Returns whether one did. */
    public synchronized boolean answered() {
        boolean ended = streak.isPresent();
        streak = Optional.empty();
        return ended;
    }

    /**
     * The brokers answered with a problem at {@code at}; it counts from the first check that found it (a different
     * problem, or a different message, still continues the same run of failures). Returns whether it is a new run.
     */
    public synchronized boolean refused(KafkaConnectionCheck.Problem problem, String message, Instant at) {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(message, "message");
        boolean started = streak.isEmpty();
        var since = streak.map(Streak::since).orElse(at);
        streak = Optional.of(new Streak(problem, message, since));
        return started;
    }

    /** The access as of {@code now}. */
    public synchronized Status status(Instant now) {
        if (streak.isEmpty()) {
            return new Status.Ok();
        }
        var s = streak.get();
        var lasting = Duration.between(s.since(), now);
        if (lasting.isNegative()) {
            lasting = Duration.ZERO;
        }
        return new Status.Failing(s.problem(), s.message(), s.since(), lasting, lasting.compareTo(grace) < 0);
    }
}
