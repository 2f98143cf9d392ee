package io.harbormaster.engine.adapters.inprocess;

import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.IntakeCounters;
import io.harbormaster.engine.intake.IntakeProcessor;
import io.harbormaster.engine.intake.IntakeResult;
import io.harbormaster.engine.intake.IntakeStats;
import io.harbormaster.engine.intake.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded intake queue that stands in for {@code deploy.requests} when no Kafka is configured: messages are
 * handled one at a time in submission order (so in order per service) with the same parsing, retries and
 * dead-lettering as the Kafka consumer. The dead-letter destination is a bounded in-memory list (oldest dropped first,
 * and counted).
 */
public final class InProcessDeployRequests implements AutoCloseable {

    /** Dead letters kept by default. */
    public static final int DEFAULT_DEAD_LETTER_CAPACITY = 1000;

    private final Clock clock;
    private final IntakeCounters counters = new IntakeCounters();
    private final IntakeProcessor processor;
    private final int capacity;
    private final Deque<DeadLetter> deadLetters = new ArrayDeque<>();
    private final AtomicLong deadLettersDropped = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "harbormaster-inprocess-intake");
        thread.setDaemon(true);
        return thread;
    });

    public InProcessDeployRequests(
            DeployRequestHandler handler, RetryPolicy retry, int deadLetterCapacity, Clock clock) {
        this(handler, retry, deadLetterCapacity, clock, IntakeProcessor.Sleeper.THREAD);
    }

    /** With a {@code sleeper} for the pauses between retries (tests pass one that does not sleep). */
    public InProcessDeployRequests(
            DeployRequestHandler handler,
            RetryPolicy retry,
            int deadLetterCapacity,
            Clock clock,
            IntakeProcessor.Sleeper sleeper) {
        if (deadLetterCapacity < 1) {
            throw new IllegalArgumentException("dead-letter capacity must be at least 1, got " + deadLetterCapacity);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = deadLetterCapacity;
        this.processor = new IntakeProcessor(handler, retry, counters, sleeper);
    }

    /** Queues a message as CI would publish it; the stage completes with what became of it. */
    public CompletableFuture<IntakeResult> submit(Optional<String> key, String json) {
        return submit(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** Queues a message as raw bytes; the stage completes with what became of it. */
    public CompletableFuture<IntakeResult> submit(Optional<String> key, byte[] value) {
        Objects.requireNonNull(key, "key (use Optional.empty())");
        byte[] copy = value == null ? null : value.clone();
        long number = sequence.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> process(key, copy, number), worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the in-process intake is closed", e));
        }
    }

    private IntakeResult process(Optional<String> key, byte[] value, long number) {
        IntakeResult result = processor.process(key, value, "in-process #" + number);
        if (result instanceof IntakeResult.DeadLetter dead) {
            synchronized (deadLetters) {
                if (deadLetters.size() == capacity) {
                    deadLetters.removeFirst();
                    deadLettersDropped.incrementAndGet();
                }
                deadLetters.addLast(
                        new DeadLetter(key, value, dead.reason(), dead.error(), dead.attempts(), clock.instant()));
            }
            counters.deadLettered(dead.reason());
        }
        return result;
    }

    /** The dead letters kept, oldest first. */
    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    /** Dead letters dropped because the list was full. */
    public long deadLettersDropped() {
        return deadLettersDropped.get();
    }

    public IntakeStats stats() {
        return counters.snapshot();
    }

    /** Finishes what was submitted before, waiting up to 20 s, then stops. */
    @Override
    public void close() {
        close(Duration.ofSeconds(20));
    }

    /** Finishes what was submitted before, waiting up to {@code deadline}; returns whether all of it was. */
    public boolean close(Duration deadline) {
        worker.shutdown();
        try {
            boolean done = worker.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                worker.shutdownNow();
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
            return false;
        }
    }
}
