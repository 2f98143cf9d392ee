package io.harbormaster.engine.policy;

import java.time.Instant;

/**
 * The changes of the policy version in force (which harbormaster.yml the rules come from), one after another, as one
 * record shared by every replica over one database. Each replica reads the file on its own and sees an edit at its own
 * moment, and all of them put it in force; the record lets the first of them audit the change and the others know
 * that it is audited.
 *
 * <p>A change is known by its place in the record, not by its versions: a change back to a version in force before
 * (A to B, then back to A) is a change of its own, at a later place. A replica keeps the place of the last change it
 * knows of, and asks about the next one it sees from there ({@link #claim}).
 */
public interface PolicyVersionChanges {
    /** The place of the newest change recorded, 0 before any: a replica that starts now knows of the changes so far. */
    long newest();

    /**
     * The change to policy version {@code to} that a replica sees after change {@code since} (the last one it knows
     * of). A change to {@code to} recorded after {@code since}, by any replica, is that change: it is {@link
     * Claim.Seen}, and nothing is recorded. Otherwise it is recorded as the newest change, in one step that one replica
     * at a time takes for a place: {@code beforeRecording} runs first (the audit entry; when it throws, nothing is
     * recorded and the change is free for the next look of any replica), and the outcome is {@link Claim.Recorded}.
     * When several changes to {@code to} were recorded after {@code since} (the file went to it and away again before
     * this replica looked), the one seen is the newest change if that is one to {@code to}, else the first.
     *
     * @param from the version in force on this replica until now, which the record keeps with the change
     * @param replica which replica this is, which the record keeps with the change
     */
    Claim claim(long since, String from, String to, String replica, Instant at, Runnable beforeRecording);

    /** What a {@link #claim} came to; {@link #place()} is the change's place, for the replica's next claim. */
    sealed interface Claim {
        long place();

        /** This replica recorded the change (and ran {@code beforeRecording}). */
        record Recorded(long place) implements Claim {}

        /** Another replica (named {@code replica}) had recorded the change; nothing was run. */
        record Seen(long place, String replica) implements Claim {}
    }
}
