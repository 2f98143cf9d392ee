package io.harbormaster.engine.audit;

import java.security.PublicKey;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A log's signed checkpoints as a verifier walking the log's entries in sequence order needs them: by entry, and in
 * sequence order with a cursor, so that a checkpoint's signature is checked when the walk reaches its entry (or passes
 * where it would be), not all of them up front. The outcome is the same, and the checks overlap the reading of the log
 * instead of delaying its start (a million entries have a thousand checkpoints). {@link ChainVerifier} and
 * {@link FilteredVerifier} both walk their checkpoints this way.
 */
final class CheckpointWalk {
    /** Where the walk reports a checkpoint whose signature does not verify: at its entry, with why. */
    interface Problems {
        void fail(long seq, String why);
    }

    private final Map<String, PublicKey> trustedKeys;
    private final Problems problems;
    private final Map<Long, AuditCheckpoint> bySeq = new HashMap<>();
    /** Every checkpoint in sequence order; those before {@link #unchecked} have had their signatures checked. */
    private final AuditCheckpoint[] inOrder;

    private final long lastSeq;
    private int unchecked;

    /**
     * @param trustedKeys public keys by key id; a checkpoint signed by any other key does not verify
     * @param checkpoints every checkpoint of the log, in any order
     */
    CheckpointWalk(Map<String, PublicKey> trustedKeys, Collection<AuditCheckpoint> checkpoints, Problems problems) {
        this.trustedKeys = trustedKeys;
        this.problems = problems;
        long last = 0;
        for (var cp : checkpoints) {
            bySeq.put(cp.seq(), cp);
            last = Math.max(last, cp.seq());
        }
        lastSeq = last;
        inOrder = checkpoints.stream()
                .sorted(Comparator.comparingLong(AuditCheckpoint::seq))
                .toArray(AuditCheckpoint[]::new);
    }

    /** The checkpoint at entry {@code seq} (the last given, when two name it); null when there is none. */
    AuditCheckpoint at(long seq) {
        return bySeq.get(seq);
    }

    /** How many checkpoints were given. */
    int count() {
        return inOrder.length;
    }

    /** How many entries have a checkpoint: fewer than {@link #count} when two checkpoints name the same entry. */
    int entries() {
        return bySeq.size();
    }

    /** The last entry a checkpoint covers; 0 when there is none. */
    long lastSeq() {
        return lastSeq;
    }

    /**
     * Checks the signatures of the checkpoints at entries up to {@code seq} not checked yet, reporting each that does
     * not verify: called before any entry at or after a checkpoint is judged, as if every signature had been checked
     * before the walk.
     */
    void checkSignaturesThrough(long seq) {
        while (unchecked < inOrder.length && inOrder[unchecked].seq() <= seq) {
            var cp = inOrder[unchecked++];
            var problem = ChainVerifier.signatureProblem(cp, trustedKeys);
            if (problem != null) {
                problems.fail(cp.seq(), problem);
            }
        }
    }
}
