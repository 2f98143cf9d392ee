package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The deploy events a store recorded in the same transaction as the state changes they tell (a transactional
 * outbox), until {@link EventRelay} has published them: a transport that is down delays events instead of losing
 * them, and a restarted engine sends what was left.
 */
public interface EventOutbox {

    /**
     * An event not yet published; {@code id} is its place in the outbox, increasing with each deploy's sequence. The
     * event is empty when this version cannot read what was stored ({@code problem} says why): written by a newer
     * version during a rolling upgrade (a state this one does not know), or damaged by hand. Its deploy is known from
     * its row, so it holds back that deploy's later events and nothing else.
     */
    record Pending(long id, long deployId, Optional<DeployEvent> event, String problem) {
        public Pending {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(problem, "problem");
            if (event.isPresent() == !problem.isEmpty()) {
                throw new IllegalArgumentException("a pending event is either read or has a problem, not both");
            }
        }

        public Pending(long id, DeployEvent event) {
            this(id, event.deployId(), Optional.of(event), "");
        }

        /** A stored event this version cannot read. */
        public static Pending unreadable(long id, long deployId, String problem) {
            return new Pending(id, deployId, Optional.empty(), problem.isBlank() ? "unreadable" : problem);
        }
    }

    /** The oldest events not yet published, at most {@code limit} of them, by {@link Pending#id()}. */
    List<Pending> pending(int limit);

    /** How many events are not yet published. */
    long pendingCount();

    /** Marks events published (the transport acknowledged them) at {@code at}. */
    void published(List<Long> ids, Instant at);

    /** Deletes the events published before {@code before}; returns how many. */
    int forgetPublished(Instant before);

    /**
     * Takes or renews the right to publish the outbox until {@code until}: granted when no one holds it, {@code owner}
     * already holds it, or the holder's lease ran out before {@code now}. One replica publishes at a time.
     */
    boolean tryLead(String owner, Instant now, Instant until);

    /** Gives the right up early (on shutdown), so another replica takes over at once. */
    void releaseLead(String owner);
}
