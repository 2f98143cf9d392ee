package io.harbormaster.engine.intake;

import io.harbormaster.engine.text.Numbers;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One message's way through intake, the same for every transport: parse it once, hand a valid request to the
 * handler, retry the handler with bounded backoff when it throws, and say what to do with the message. The transport
 * does the rest: dead-lettering, committing, counting what it dead-lettered.
 */
public final class IntakeProcessor {

    private static final System.Logger LOG = System.getLogger(IntakeProcessor.class.getName());

    /** Waits between attempts; a test may replace it. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;

        Sleeper THREAD = pause -> Thread.sleep(pause.toMillis());
    }

    private final DeployRequestHandler handler;
    private final RetryPolicy retry;
    private final IntakeCounters counters;
    private final Sleeper sleeper;

    public IntakeProcessor(DeployRequestHandler handler, RetryPolicy retry, IntakeCounters counters, Sleeper sleeper) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Processes one message. {@code partitionKey} is the transport's routing key (the Kafka record key), checked to be
     * the service; {@code where} names the message in logs (topic, partition and offset).
     */
    public IntakeResult process(Optional<String> partitionKey, byte[] value, String where) {
        counters.received.increment();
        ParseResult parsed = CiDeployRequest.parse(value);
        if (parsed instanceof ParseResult.Refused refused) {
            LOG.log(Level.WARNING, "{0}: {1}", where, refused.message());
            return new IntakeResult.DeadLetter(DeadLetterReason.INVALID, refused.message(), 0);
        }
        CiDeployRequest request = ((ParseResult.Parsed) parsed).request();
        for (String warning : request.warnings()) {
            LOG.log(
                    Level.WARNING,
                    "{0}: deploy request for {1} {2}: {3}",
                    where,
                    request.service(),
                    request.version(),
                    warning);
        }
        if (partitionKey.isPresent() && !partitionKey.get().equals(request.service())) {
            counters.misKeyed.increment();
            LOG.log(
                    Level.WARNING,
                    "{0}: record key {1} is not the service {2}: key deploy requests by service, or requests of one"
                            + " service may be handled out of order by different replicas",
                    where,
                    CiDeployRequestParser.quote(partitionKey.get()),
                    request.service());
        }
        String key = request.idempotencyKey();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                counters.retries.increment();
                try {
                    sleeper.sleep(retry.backoffBefore(attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new IntakeResult.Interrupted();
                }
            }
            try {
                DeployRequestHandler.Outcome outcome = handler.handle(request, key);
                count(outcome);
                if (outcome instanceof DeployRequestHandler.Outcome.Refused refused) {
                    // Committed, not dead-lettered (sending it again changes nothing), and CI reads no answer on a
                    // topic: the log is where an operator finds why its build or deploy went nowhere.
                    LOG.log(
                            Level.WARNING,
                            "{0}: deploy request {1} for {2} {3} refused: {4}",
                            where,
                            key,
                            request.service(),
                            request.version(),
                            refused.reason());
                }
                if (outcome instanceof DeployRequestHandler.Outcome.Duplicate repeat
                        && repeat.deploy()
                                .filter(DeployRequestHandler.Standing::ended)
                                .isPresent()) {
                    // CI reads no answer here either: a retry of a deploy that ended must not look like one under way
                    var ended = repeat.deploy().get();
                    LOG.log(
                            Level.INFO,
                            "{0}: deploy request {1} repeats deploy #{2} of {3} {4}, which has ended ({5}: {6}):"
                                    + " nothing was started",
                            where,
                            key,
                            Long.toString(repeat.deployId().orElse(0)),
                            request.service(),
                            request.version(),
                            ended.state().words(),
                            ended.reason());
                }
                return new IntakeResult.Handled(request, key, outcome, attempt);
            } catch (RuntimeException e) {
                last = e;
                LOG.log(
                        Level.WARNING,
                        "{0}: handling {1} failed (attempt {2} of {3}): {4}",
                        where,
                        key,
                        attempt,
                        retry.maxAttempts(),
                        e.toString());
            }
            if (Thread.currentThread().isInterrupted()) {
                return new IntakeResult.Interrupted();
            }
        }
        String error = "handler failed " + Numbers.count(retry.maxAttempts(), "time", "times") + " for " + key
                + ", last: " + last;
        LOG.log(Level.ERROR, where + ": " + error, last);
        return new IntakeResult.DeadLetter(DeadLetterReason.HANDLER_FAILED, error, retry.maxAttempts());
    }

    private void count(DeployRequestHandler.Outcome outcome) {
        switch (outcome) {
            case DeployRequestHandler.Outcome.Accepted a -> counters.accepted.increment();
            case DeployRequestHandler.Outcome.Duplicate d -> counters.duplicates.increment();
            case DeployRequestHandler.Outcome.Refused r -> counters.refused.increment();
        }
    }
}
