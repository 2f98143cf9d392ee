package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An outbox row this version cannot read (a newer version's event during a rolling upgrade, a payload damaged by hand)
 * holds back its own deploy's later events and nothing else: the relay neither stops nor drops it.
 */
class EventRelayUnreadableTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    /** An outbox in memory, as the relay sees one: rows in id order, published ones left out. */
    static final class Outbox implements EventOutbox {
        final List<Pending> rows = new ArrayList<>();
        final List<Long> published = new ArrayList<>();

        synchronized void add(Pending p) {
            rows.add(p);
        }

        @Override
        public synchronized List<Pending> pending(int limit) {
            return rows.stream()
                    .filter(p -> !published.contains(p.id()))
                    .limit(limit)
                    .toList();
        }

        @Override
        public synchronized long pendingCount() {
            return rows.stream().filter(p -> !published.contains(p.id())).count();
        }

        @Override
        public synchronized void published(List<Long> ids, Instant at) {
            published.addAll(ids);
        }

        @Override
        public int forgetPublished(Instant before) {
            return 0;
        }

        @Override
        public boolean tryLead(String owner, Instant now, Instant until) {
            return true;
        }

        @Override
        public void releaseLead(String owner) {}
    }

    /** A transport that takes every event, in the order given. */
    static final class Sent implements DeployEvents {
        final List<DeployEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> publish(DeployEvent event) {
            events.add(event);
            return CompletableFuture.completedFuture(null);
        }
    }

    static EventOutbox.Pending readable(long id, long deployId, int sequence, String service) {
        return new EventOutbox.Pending(
                id,
                new DeployEvent(
                        deployId,
                        sequence,
                        service,
                        "1.0." + sequence,
                        "production",
                        sequence == 0 ? Optional.empty() : Optional.of(DeployState.REQUESTED),
                        sequence == 0 ? DeployState.REQUESTED : DeployState.SCORED,
                        0,
                        "engine",
                        "step " + sequence,
                        T0.plusSeconds(id)));
    }

    static EventRelay relay(EventOutbox outbox, DeployEvents transport, int batch) {
        var defaults = EventRelay.Settings.defaults("replica-a").withPoll(Duration.ofMillis(50));
        return new EventRelay(
                outbox,
                transport,
                Clock.systemUTC(),
                new EventRelay.Settings(
                        defaults.owner(),
                        defaults.poll(),
                        defaults.lease(),
                        defaults.sendTimeout(),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        defaults.keepPublished(),
                        batch));
    }

    static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        var until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void anUnreadableEventHoldsBackItsDeployAndTheOtherDeploysEventsGoOn() throws Exception {
        var outbox = new Outbox();
        outbox.add(readable(1, 10, 0, "checkout"));
        outbox.add(EventOutbox.Pending.unreadable(2, 20, "deploy event has unknown state \"reverting\""));
        outbox.add(readable(3, 20, 1, "payments"));
        outbox.add(readable(4, 30, 0, "payments"));
        outbox.add(readable(5, 10, 1, "checkout"));
        var sent = new Sent();

        try (var relay = relay(outbox, sent, 500)) {
            relay.start();
            await("the readable deploys' events", () -> sent.events.size() == 3);
            await("the unreadable row counted", () -> relay.unreadable() == 1);
            Thread.sleep(300); // several more passes

            assertThat(sent.events)
                    .extracting(DeployEvent::deployId, DeployEvent::sequence)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(10L, 0),
                            org.assertj.core.groups.Tuple.tuple(10L, 1),
                            org.assertj.core.groups.Tuple.tuple(30L, 0));
            assertThat(sent.events.stream().filter(e -> e.deployId() == 10).map(DeployEvent::sequence))
                    .containsExactly(0, 1);
            assertThat(outbox.published).containsExactlyInAnyOrder(1L, 4L, 5L);
            assertThat(outbox.pendingCount())
                    .as("the unreadable row and its deploy's later event wait, neither dropped")
                    .isEqualTo(2);
            assertThat(relay.failed()).as("nothing counts as a failed send").isZero();
            assertThat(relay.pending()).isEqualTo(2);
        }
    }

    @Test
    void moreUnreadableRowsThanABatchDoNotHideTheEventsBehindThem() throws Exception {
        var outbox = new Outbox();
        for (long id = 1; id <= 5; id++) {
            outbox.add(EventOutbox.Pending.unreadable(id, 100 + id, "deploy event is not JSON"));
        }
        outbox.add(readable(6, 7, 0, "search"));
        outbox.add(readable(7, 7, 1, "search"));
        var sent = new Sent();

        try (var relay = relay(outbox, sent, 2)) {
            relay.start();
            await("the events behind the unreadable rows", () -> sent.events.size() == 2);
            await("all five unreadable rows counted", () -> relay.unreadable() == 5);

            assertThat(sent.events).extracting(DeployEvent::sequence).containsExactly(0, 1);
            assertThat(outbox.pendingCount()).isEqualTo(5);
        }
    }

    @Test
    void aPendingEventIsEitherReadOrHasAProblem() {
        var event = readable(1, 10, 0, "checkout");
        assertThat(event.deployId()).isEqualTo(10);
        assertThat(event.problem()).isEmpty();
        var unreadable = EventOutbox.Pending.unreadable(2, 20, " ");
        assertThat(unreadable.event()).isEmpty();
        assertThat(unreadable.problem()).isEqualTo("unreadable");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new EventOutbox.Pending(3, 30, event.event(), "also broken"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
