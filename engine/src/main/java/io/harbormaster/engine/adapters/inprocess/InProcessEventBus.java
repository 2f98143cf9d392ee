package io.harbormaster.engine.adapters.inprocess;

import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEvents;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The embedded {@link DeployEvents} when no Kafka is configured (the sandbox, a single replica): every subscriber
 * gets every event, in publication order (so in order per service), on one delivery thread that is not the
 * publisher's. A subscriber that throws is logged and counted; the others still get the event.
 */
public final class InProcessEventBus implements DeployEvents, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InProcessEventBus.class.getName());

    private final List<Consumer<DeployEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "harbormaster-event-bus");
        thread.setDaemon(true);
        return thread;
    });
    private final LongAdder published = new LongAdder();
    private final LongAdder subscriberFailures = new LongAdder();

    /** Adds a subscriber for every event published from now on; close the handle to remove it. */
    public AutoCloseable subscribe(Consumer<DeployEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Completes once every current subscriber has been given the event. */
    @Override
    public CompletionStage<Void> publish(DeployEvent event) {
        Objects.requireNonNull(event, "event");
        try {
            return CompletableFuture.runAsync(() -> deliver(event), delivery);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the event bus is closed", e));
        }
    }

    private void deliver(DeployEvent event) {
        for (Consumer<DeployEvent> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                subscriberFailures.increment();
                LOG.log(
                        Level.WARNING,
                        "a subscriber failed on event " + event.sequence() + " of deploy " + event.deployId(),
                        e);
            }
        }
        published.increment();
    }

    /** Events delivered since start. */
    public long published() {
        return published.sum();
    }

    /** Times a subscriber threw. */
    public long subscriberFailures() {
        return subscriberFailures.sum();
    }

    /** Delivers what was published before, waiting up to 5 s, then stops. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Delivers what was published before, waiting up to {@code deadline}; returns whether all of it was. */
    public boolean close(Duration deadline) {
        delivery.shutdown();
        try {
            return delivery.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
