package io.harbormaster.engine.audit;

import java.security.PublicKey;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Walks a log in sequence order, one entry at a time (so a million entries need no more memory than one), and
 * checks every link, every hash and every signed checkpoint. The first problem found is kept with its reason.
 */
public final class ChainVerifier {
    private final Map<Long, AuditCheckpoint> checkpointsBySeq = new HashMap<>();
    private long expectedSeq = 1;
    private String prevHash = AuditChain.GENESIS;
    private long entries;
    private long signedThrough;
    private long maxCheckpointSeq;
    private long firstInvalid = Long.MAX_VALUE;
    private String reason = "";

    /**
     * @param trustedKeys public keys by key id; a checkpoint signed by any other key does not verify
     * @param checkpoints every checkpoint of the log, in any order
     */
    public ChainVerifier(Map<String, PublicKey> trustedKeys, Collection<AuditCheckpoint> checkpoints) {
        for (var cp : checkpoints) {
            var key = trustedKeys.get(cp.keyId());
            if (key == null) {
                fail(cp.seq(), "checkpoint at entry " + cp.seq() + " is signed by unknown key " + cp.keyId());
            } else if (!CheckpointSigner.verify(key, cp.signedBytes(), decode(cp.signature()))) {
                fail(cp.seq(), "checkpoint at entry " + cp.seq() + " has a signature that does not verify");
            }
            checkpointsBySeq.put(cp.seq(), cp);
            maxCheckpointSeq = Math.max(maxCheckpointSeq, cp.seq());
        }
    }

    /** Checks the next entry; returns false once a problem has been found earlier in the log than this entry. */
    public boolean accept(AuditEntry e) {
        if (e.seq() >= firstInvalid) {
            return false;
        }
        entries++;
        if (e.seq() != expectedSeq) {
            fail(e.seq(), "entry " + e.seq() + " follows entry " + (expectedSeq - 1) + ": entries are missing");
        } else if (!e.prevHash().equals(prevHash)) {
            fail(e.seq(), "entry " + e.seq() + " does not link to the entry before it");
        } else if (!e.hashMatches()) {
            fail(e.seq(), "entry " + e.seq() + " was changed after it was written: its fields do not give its hash");
        } else {
            var cp = checkpointsBySeq.get(e.seq());
            if (cp != null) {
                if (!cp.entryHash().equals(e.hash())) {
                    fail(e.seq(), "entry " + e.seq() + " differs from what the signed checkpoint says");
                } else if (firstInvalid > e.seq()) {
                    signedThrough = e.seq();
                }
            }
        }
        expectedSeq = e.seq() + 1;
        prevHash = e.hash();
        return firstInvalid > e.seq();
    }

    /** Records that the entry at {@code seq} could not even be read back as an entry (a field was made invalid). */
    public void unreadable(long seq, String why) {
        entries++;
        fail(seq, "entry " + seq + " cannot be read: " + why);
    }

    /** The outcome, once every entry has been offered. */
    public VerifyReport finish() {
        long last = expectedSeq - 1;
        if (maxCheckpointSeq > last && firstInvalid > last + 1) {
            fail(
                    last + 1,
                    "the log ends at entry " + last + " but a signed checkpoint covers entry " + maxCheckpointSeq
                            + ": entries were removed from the end");
        }
        boolean valid = firstInvalid == Long.MAX_VALUE;
        return new VerifyReport(
                entries,
                valid,
                valid ? OptionalLong.empty() : OptionalLong.of(firstInvalid),
                valid ? "" : reason,
                checkpointsBySeq.size(),
                signedThrough);
    }

    private void fail(long seq, String why) {
        if (seq < firstInvalid) {
            firstInvalid = seq;
            reason = why;
        }
    }

    private static byte[] decode(String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
