package io.harbormaster.engine.intake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An idempotent handler for tests, the way the engine's will be: the first request under a key is accepted, later
 * ones are duplicates. Every delivery is recorded, with the thread that made it. It can fail a key a number of times
 * and hold a key's first delivery until released.
 */
public final class RecordingHandler implements DeployRequestHandler {

    /** One call of the handler. */
    public record Delivery(String idempotencyKey, CiDeployRequest request, String thread, Outcome outcome) {}

    private final Map<String, Long> entries = new ConcurrentHashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusals = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Hold hold;
    private volatile Hold lastHold;

    /** A key whose first delivery waits until {@link #release()}, for crash-before-commit tests. */
    private static final class Hold {
        final String key;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);

        Hold(String key) {
            this.key = key;
        }
    }

    @Override
    public Outcome handle(CiDeployRequest request, String idempotencyKey) {
        AtomicInteger left = failuresLeft.get(idempotencyKey);
        if (left != null && left.getAndDecrement() > 0) {
            throw new IllegalStateException("database unavailable (test failure for " + idempotencyKey + ")");
        }
        Outcome outcome;
        if (refusals.containsKey(request.service())) {
            outcome = new Outcome.Refused("unknown service " + request.service());
        } else {
            Long existing = entries.putIfAbsent(idempotencyKey, ids.incrementAndGet());
            outcome = existing == null
                    ? new Outcome.Accepted(OptionalLong.of(entries.get(idempotencyKey)))
                    : new Outcome.Duplicate(OptionalLong.of(existing));
        }
        synchronized (deliveries) {
            deliveries.add(
                    new Delivery(idempotencyKey, request, Thread.currentThread().getName(), outcome));
            deliveries.notifyAll();
        }
        Hold h = hold;
        if (h != null && h.key.equals(idempotencyKey)) {
            hold = null;
            h.reached.countDown();
            try {
                h.released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return outcome;
    }

    /** Makes the next {@code times} deliveries of {@code key} throw. */
    public RecordingHandler failing(String key, int times) {
        failuresLeft.put(key, new AtomicInteger(times));
        return this;
    }

    /** Refuses (as the engine refuses an unknown service) every request for {@code service}. */
    public RecordingHandler refusing(String service) {
        refusals.put(service, Boolean.TRUE);
        return this;
    }

    /** Makes the first delivery of {@code key} wait, after it is recorded, until {@link #release()}. */
    public RecordingHandler holding(String key) {
        Hold h = new Hold(key);
        lastHold = h;
        hold = h;
        return this;
    }

    /** Waits until the held delivery has been recorded and is waiting. */
    public boolean awaitHeld(Duration timeout) throws InterruptedException {
        Hold h = lastHold;
        return h != null && h.reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets a held delivery return. */
    public void release() {
        Hold h = lastHold;
        if (h != null) {
            h.released.countDown();
        }
    }

    /** The requests accepted, one per idempotency key. */
    public Map<String, Long> entries() {
        return Map.copyOf(entries);
    }

    public List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    /** Waits (bounded) until at least {@code count} deliveries match; returns all deliveries then. */
    public List<Delivery> awaitDeliveries(Predicate<Delivery> which, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (deliveries) {
            while (deliveries.stream().filter(which).count() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " deliveries within " + timeout + ", got "
                            + deliveries.stream().filter(which).count() + ": " + deliveries);
                }
                deliveries.wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(deliveries);
        }
    }

    public List<Delivery> awaitDeliveries(int count, Duration timeout) throws InterruptedException {
        return awaitDeliveries(d -> true, count, timeout);
    }
}
