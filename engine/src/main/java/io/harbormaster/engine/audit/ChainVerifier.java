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
 *
 * <p>A checkpoint's signature is checked when the walk reaches its entry ({@link CheckpointWalk}).
 */
public final class ChainVerifier {
    private final CheckpointWalk checkpoints;

    private long expectedSeq = 1;
    private String prevHash = AuditChain.GENESIS;
    private long entries;
    private long signedThrough;
    private long firstInvalid = Long.MAX_VALUE;
    private String reason = "";

    /**
     * @param trustedKeys public keys by key id; a checkpoint signed by any other key does not verify
     * @param checkpoints every checkpoint of the log, in any order
     */
    public ChainVerifier(Map<String, PublicKey> trustedKeys, Collection<AuditCheckpoint> checkpoints) {
        this.checkpoints = new CheckpointWalk(new HashMap<>(trustedKeys), checkpoints, this::fail);
    }

    /** Checks the next entry; returns false once a problem has been found earlier in the log than this entry. */
    public boolean accept(AuditEntry e) {
        checkpoints.checkSignaturesThrough(e.seq());
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
            var cp = checkpoints.at(e.seq());
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
        checkpoints.checkSignaturesThrough(seq);
        entries++;
        fail(seq, "entry " + seq + " cannot be read: " + why);
    }

    /** The outcome, once every entry has been offered. */
    public VerifyReport finish() {
        checkpoints.checkSignaturesThrough(Long.MAX_VALUE);
        long last = expectedSeq - 1;
        long maxCheckpointSeq = checkpoints.lastSeq();
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
                checkpoints.entries(),
                signedThrough);
    }

    private void fail(long seq, String why) {
        if (seq < firstInvalid) {
            firstInvalid = seq;
            reason = why;
        }
    }

    /** What is wrong with {@code cp}'s signature under {@code trustedKeys}; null when it verifies. */
    static String signatureProblem(AuditCheckpoint cp, Map<String, PublicKey> trustedKeys) {
        var key = trustedKeys.get(cp.keyId());
        if (key == null) {
            return "checkpoint at entry " + cp.seq() + " is signed by unknown key " + cp.keyId();
        }
        if (!CheckpointSigner.verify(key, cp.signedBytes(), decode(cp.signature()))) {
            return "checkpoint at entry " + cp.seq() + " has a signature that does not verify";
        }
        return null;
    }

    /** A checkpoint's base64 signature as bytes; none (which no key verifies) when it is not base64. */
    static byte[] decode(String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
