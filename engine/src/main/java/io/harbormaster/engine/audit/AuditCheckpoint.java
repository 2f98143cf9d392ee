package io.harbormaster.engine.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signed statement "the entry at {@code seq} has hash {@code entryHash}", so that an exported log can be checked
 * against the signer's public key without access to the database: rewriting the chain before a checkpoint breaks
 * the signature.
 */
public record AuditCheckpoint(long seq, String entryHash, Instant signedAt, String keyId, String signature) {

    /** The exact bytes that the signature covers. */
    public static byte[] signedBytes(long seq, String entryHash, Instant signedAt) {
        return ("harbormaster-audit-checkpoint-v1\n" + seq + "\n" + entryHash + "\n" + signedAt + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public byte[] signedBytes() {
        return signedBytes(seq, entryHash, signedAt);
    }
}
