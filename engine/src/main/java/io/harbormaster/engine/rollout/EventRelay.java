package io.harbormaster.engine.rollout;

import io.harbormaster.engine.text.Numbers;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Publishes the deploy events recorded in the {@link EventOutbox} to their transport (Kafka's {@code deploy.events}),
 * on a thread of its own, and marks each published once the transport acknowledged it.
 *
 * <ul>
 *   <li><b>Order.</b> The outbox is sent oldest first, and one event per service is in flight at a time: the next
 *       event of a service is sent only after the one before was acknowledged, so no failure lets a later event of a
 *       service (of a deploy) overtake an earlier one. A service whose event failed sends nothing more until the
 *       retry.
 *   <li><b>Retries.</b> When a send fails (the brokers are down, say) the relay waits and tries again from the oldest
 *       unpublished event, waiting twice as long after each failed pass (from {@link Settings#firstRetry()} up to
 *       {@link Settings#maxRetry()}); meanwhile events pile up in the outbox, counted by {@link #pending()}.
 *   <li><b>Replicas.</b> One replica at a time publishes: the one holding the outbox's lease ({@link
 *       EventOutbox#tryLead}), renewed while it works and given up on {@link #close()}; another replica takes over
 *       when the lease runs out. Two replicas do not send the same events in normal operation.
 *   <li><b>At least once.</b> An event sent but not yet marked published when its replica stops (or loses its lease
 *       while a send is slow) is sent again by the next one: consumers de-duplicate on {@code (deploy_id, sequence)}.
 *   <li><b>Bounded.</b> Published events are deleted after {@link Settings#keepPublished()}.
 *   <li><b>Unreadable events.</b> An event this version cannot read (written by a newer version during a rolling
 *       upgrade, or damaged by hand) is not sent and not dropped: it and its deploy's later events wait in the outbox
 *       for a relay that can read them, counted by {@link #unreadable()} and logged once, while every other deploy's
 *       events go on.
 * </ul>
 *
 * <p>As the pipeline's {@link DeployEvents} it sends nothing itself: the store recorded the event with its change, and
 * {@link #publish} only wakes the relay, so that the event goes out now rather than at the next poll.
 */
public final class EventRelay implements DeployEvents, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventRelay.class.getName());

    /** How often, at most, a send in flight is looked at (for a close, or to renew the lease). */
    private static final Duration SLICE = Duration.ofMillis(200);

    /** How often published events past {@link Settings#keepPublished()} are deleted. */
    private static final Duration FORGET_EVERY = Duration.ofHours(1);

    /**
     * How the relay works.
     *
     * @param owner this replica's name in the outbox's lease
     * @param poll how often the outbox is looked at when nothing woke the relay (and how often a replica that does not
     *     publish checks whether the publishing one is gone)
     * @param lease how long the right to publish lasts unless renewed (renewed every third of it)
     * @param sendTimeout the longest one send is waited for before it counts as failed (the transport's own timeout
     *     should end it sooner)
     * @param firstRetry the wait after a first failed pass, doubled after each further one
     * @param maxRetry the longest wait between passes that fail
     * @param keepPublished how long a published event stays in the outbox
     * @param batch how many events one pass reads
     */
    public record Settings(
            String owner,
            Duration poll,
            Duration lease,
            Duration sendTimeout,
            Duration firstRetry,
            Duration maxRetry,
            Duration keepPublished,
            int batch) {
        public Settings {
            Objects.requireNonNull(owner, "owner");
            for (var d : List.of(poll, lease, sendTimeout, firstRetry, maxRetry, keepPublished)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("relay durations must be positive, got " + d);
                }
            }
            if (maxRetry.compareTo(firstRetry) < 0) {
                throw new IllegalArgumentException("the longest retry wait is shorter than the first");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("a batch has at least one event, got " + batch);
            }
        }

        /** Polls every second, a 30 s lease, retries from 1 s to 30 s apart, published events kept 7 days. */
        public static Settings defaults(String owner) {
            return new Settings(
                    owner,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    Duration.ofMinutes(2),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    Duration.ofDays(7),
                    500);
        }

        public Settings withPoll(Duration every) {
            return new Settings(owner, every, lease, sendTimeout, firstRetry, maxRetry, keepPublished, batch);
        }

        public Settings withRetries(Duration first, Duration max) {
            return new Settings(owner, poll, lease, sendTimeout, first, max, keepPublished, batch);
        }
    }

    /** What a pass over the outbox came to. */
    private enum Pass {
        /** Everything read was sent, and there may be more. */
        MORE,
        /** Everything read was sent, and nothing was left. */
        DONE,
        /** Another replica publishes. */
        FOLLOWING,
        /** A send failed, or the outbox could not be read or written. */
        FAILED
    }

    private final EventOutbox outbox;
    private final DeployEvents transport;
    private final Clock clock;
    private final Settings settings;
    private final LongSupplier monotonicNanos = System::nanoTime;
    private final Thread thread;
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final LongAdder published = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile long pending;
    private volatile long unreadable;

    // the relay thread's own
    private Instant leadUntil;
    private long leadWrittenNanos;
    /** When published events were last deleted, on the monotonic clock; empty before the first time. */
    private java.util.OptionalLong forgotAt = java.util.OptionalLong.empty();

    private int failedPasses;

    /** Rows the last pass read but could not send (unreadable, or behind an unreadable one of their deploy). */
    private int heldBack;

    /** The unreadable rows already logged, so that each is logged once (bounded: a flood is not remembered whole). */
    private final java.util.Set<Long> toldUnreadable = new java.util.HashSet<>();

    /** {@code transport} stays the caller's to close, after this relay. */
    public EventRelay(EventOutbox outbox, DeployEvents transport, Clock clock, Settings settings) {
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.thread = new Thread(this::run, "harbormaster-event-relay");
        this.thread.setDaemon(true);
    }

    /** Starts publishing: what was left in the outbox goes first. */
    public void start() {
        thread.start();
    }

    /** Wakes the relay: the store recorded {@code event} with its change, and it is sent soon. */
    @Override
    public CompletionStage<Void> publish(DeployEvent event) {
        wake.release();
        return CompletableFuture.completedFuture(null);
    }

    /** Events recorded but not yet acknowledged, in the whole outbox (every replica's), as last counted. */
    public long pending() {
        return pending;
    }

    /**
     * Events in the outbox that this version cannot read, as the last pass found them (0 while another replica
     * publishes): they wait for a replica that can read them, with their deploy's later events.
     */
    public long unreadable() {
        return unreadable;
    }

    /** Sends that failed since start (each is retried). */
    public long failed() {
        return failed.sum();
    }

    /** Events this relay published since start. */
    public long published() {
        return published.sum();
    }

    private void run() {
        try {
            while (stopping.getCount() > 0) {
                wake.drainPermits();
                Pass pass;
                try {
                    pass = pass();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "publishing deploy events failed; retrying", e);
                    pass = Pass.FAILED;
                }
                if (pass == Pass.FAILED) {
                    failedPasses++;
                    pause(retryWait(failedPasses));
                    continue;
                }
                if (failedPasses > 0 && pass != Pass.FOLLOWING) {
                    LOG.log(Level.INFO, publishedAgain(failedPasses));
                }
                failedPasses = 0;
                switch (pass) {
                    case MORE -> {} // at once
                    case DONE -> awaitWork(settings.poll());
                    default -> pause(settings.poll());
                }
            }
        } finally {
            giveUpLead();
        }
    }

    /** One look at the outbox: sends what waits, if this replica publishes. */
    private Pass pass() {
        if (!leading()) {
            pending = outbox.pendingCount();
            unreadable = 0;
            return Pass.FOLLOWING;
        }
        forgetOldEvents();
        // rows held back last time are read again, and as many more as a batch holds
        int limit = settings.batch() + heldBack;
        var batch = outbox.pending(limit);
        if (batch.isEmpty()) {
            pending = 0;
            unreadable = 0;
            heldBack = 0;
            return Pass.DONE;
        }
        pending = outbox.pendingCount();
        boolean all = send(sendable(batch));
        pending = outbox.pendingCount();
        if (!all) {
            return Pass.FAILED;
        }
        return batch.size() == limit ? Pass.MORE : Pass.DONE;
    }

    /**
     * The events of {@code batch} that can be sent: not those this version cannot read, nor the later events of their
     * deploys (a deploy's events go out in order or not at all). Counts and logs what is held back.
     */
    private List<EventOutbox.Pending> sendable(List<EventOutbox.Pending> batch) {
        var held = new java.util.HashSet<Long>();
        var sendable = new ArrayList<EventOutbox.Pending>(batch.size());
        int found = 0;
        for (var p : batch) {
            if (p.event().isEmpty()) {
                found++;
                held.add(p.deployId());
                tellUnreadable(p);
            } else if (!held.contains(p.deployId())) {
                sendable.add(p);
            }
        }
        unreadable = found;
        heldBack = batch.size() - sendable.size();
        return sendable;
    }

    private void tellUnreadable(EventOutbox.Pending p) {
        if (toldUnreadable.size() >= 10_000 || !toldUnreadable.add(p.id())) {
            return;
        }
        LOG.log(
                Level.ERROR,
                "deploy.events: outbox row " + p.id() + " of deploy " + p.deployId()
                        + " cannot be read by this version (" + p.problem() + "); it and that deploy's later events"
                        + " stay in the outbox for a replica that can read them (a newer version, during an upgrade),"
                        + " and the other deploys' events go on. If no version wrote it, the row was changed by hand:"
                        + " restore its payload from a backup");
    }

    /**
     * Sends {@code batch} in rounds, each round the oldest unsent event of every service, after the round before was
     * acknowledged; marks what was acknowledged published. A service whose event failed sends nothing more in this
     * pass. Returns whether every event was sent.
     */
    private boolean send(List<EventOutbox.Pending> batch) {
        var byService = new LinkedHashMap<String, ArrayDeque<EventOutbox.Pending>>();
        for (var p : batch) {
            byService
                    .computeIfAbsent(p.event().orElseThrow().service(), s -> new ArrayDeque<>())
                    .add(p);
        }
        boolean all = true;
        while (!byService.isEmpty()) {
            if (stopping.getCount() == 0 || !leading()) {
                return false;
            }
            var round = byService.values().stream().map(ArrayDeque::peekFirst).toList();
            var sends = round.stream().map(p -> send(p.event().orElseThrow())).toList();
            awaitAll(sends);
            var acknowledged = new ArrayList<Long>();
            for (int i = 0; i < round.size(); i++) {
                var p = round.get(i);
                var event = p.event().orElseThrow();
                var service = event.service();
                var send = sends.get(i);
                if (send.isDone() && !send.isCompletedExceptionally()) {
                    acknowledged.add(p.id());
                    byService.get(service).removeFirst();
                    if (byService.get(service).isEmpty()) {
                        byService.remove(service);
                    }
                } else {
                    failed.increment();
                    all = false;
                    byService.remove(service);
                    if (failedPasses == 0) { // once per run of failures
                        LOG.log(
                                Level.WARNING,
                                "event " + event.sequence() + " of deploy "
                                        + event.deployId() + " (" + service
                                        + ") was not published ("
                                        + (send.isDone() ? cause(send) : "no answer within " + settings.sendTimeout())
                                        + "); it and the events after it wait in the outbox and are retried");
                    }
                }
            }
            if (!acknowledged.isEmpty()) {
                published.add(acknowledged.size()); // on the broker, whether or not the outbox can be told
                outbox.published(acknowledged, clock.instant());
            }
        }
        return all;
    }

    private CompletableFuture<Void> send(DeployEvent event) {
        try {
            return transport.publish(event).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Waits until every send completed, the send timeout passed or the relay is closing; keeps the lease meanwhile (a
     * send waits up to the transport's timeout while the brokers are down).
     */
    private void awaitAll(List<CompletableFuture<Void>> sends) {
        var all = CompletableFuture.allOf(sends.toArray(CompletableFuture<?>[]::new));
        long deadline = monotonicNanos.getAsLong() + settings.sendTimeout().toNanos();
        while (stopping.getCount() > 0) {
            long left = deadline - monotonicNanos.getAsLong();
            if (left <= 0) {
                return;
            }
            try {
                all.get(Math.min(left, SLICE.toNanos()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                return; // every send completed, some of them failed
            } catch (TimeoutException e) {
                renewLead();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String cause(CompletableFuture<Void> failed) {
        try {
            failed.join();
            return "no error";
        } catch (RuntimeException e) {
            var cause = e.getCause() != null ? e.getCause() : e;
            return cause.toString();
        }
    }

    /**
     * Whether this relay holds the outbox's lease, renewing it once a third of it has gone, measured on the clock the
     * lease is written in and on the monotonic clock (as {@link DeployPipeline} does with deploy leases).
     */
    private boolean leading() {
        var now = clock.instant();
        var third = settings.lease().dividedBy(3);
        if (leadUntil != null
                && now.isBefore(leadUntil.minus(settings.lease()).plus(third))
                && monotonicNanos.getAsLong() - leadWrittenNanos < third.toNanos()) {
            return true;
        }
        var until = now.plus(settings.lease());
        long written = monotonicNanos.getAsLong();
        if (outbox.tryLead(settings.owner(), now, until)) {
            leadUntil = until;
            leadWrittenNanos = written;
            return true;
        }
        leadUntil = null;
        return false;
    }

    /** Renews the lease when due while sends are in flight; whether it still holds is asked before the next round. */
    private void renewLead() {
        try {
            leading();
        } catch (RuntimeException e) {
            // the database does not answer: the next round finds out
        }
    }

    private void giveUpLead() {
        if (leadUntil == null) {
            return;
        }
        try {
            outbox.releaseLead(settings.owner());
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "could not give up publishing deploy events; another replica takes over when the"
                            + " lease runs out: " + e);
        }
        leadUntil = null;
    }

    /** Deletes published events past their keeping, once an hour (and once after start). */
    private void forgetOldEvents() {
        long now = monotonicNanos.getAsLong();
        if (forgotAt.isPresent() && now - forgotAt.getAsLong() < FORGET_EVERY.toNanos()) {
            return;
        }
        int deleted = outbox.forgetPublished(clock.instant().minus(settings.keepPublished()));
        forgotAt = java.util.OptionalLong.of(now);
        if (deleted > 0) {
            LOG.log(Level.DEBUG, forgotten(deleted, settings.keepPublished()));
        }
    }

    /** The log line once events are published again: "... after 1 failed pass", "... after 3 failed passes". */
    static String publishedAgain(int failedPasses) {
        return "deploy events are published again after " + Numbers.count(failedPasses, "failed pass", "failed passes");
    }

    /** The log line after published events older than {@code keep} were deleted, each count in the right number. */
    static String forgotten(int deleted, Duration keep) {
        return "deleted " + Numbers.count(deleted, "deploy event", "deploy events") + " published before the last "
                + Numbers.count(keep.toDays(), "day", "days");
    }

    private Duration retryWait(int failedPasses) {
        var wait = settings.firstRetry();
        for (int i = 1; i < failedPasses && wait.compareTo(settings.maxRetry()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.maxRetry()) > 0 ? settings.maxRetry() : wait;
    }

    /** Waits {@code d}, or less when the relay is closed. */
    private void pause(Duration d) {
        try {
            stopping.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.countDown();
        }
    }

    /** Waits {@code d}, or less when an event is recorded or the relay is closed. */
    private void awaitWork(Duration d) {
        try {
            wake.tryAcquire(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.countDown();
        }
    }

    /**
     * Stops: a send in flight is waited for up to {@code SLICE}, and the lease is given up so that another replica
     * publishes at once. What is left in the outbox is sent by the next relay to start (or another replica's).
     */
    @Override
    public void close() {
        stopping.countDown();
        wake.release();
        if (thread.isAlive()) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
