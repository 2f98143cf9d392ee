package io.harbormaster.engine.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The chain's arithmetic: the canonical encoding of an entry and its SHA-256.
 *
 * <p>The encoding is versioned and length-prefixed (name, byte length, value, newline per field) so no two different
 * entries can encode alike, whatever characters their values hold. The sequence number and the previous hash are
 * part of it, so an entry cannot be moved or re-linked without changing its hash.
 */
public final class AuditChain {
    /** The previous hash of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    static final String FORMAT = "harbormaster-audit-v1";

    private AuditChain() {}

    /** The canonical bytes that an entry's hash covers. */
    public static byte[] canonical(long seq, AuditRecord r, String prevHash) {
        var out = new StringBuilder(256 + r.reasoningJson().length());
        out.append(FORMAT).append('\n');
        field(out, "seq", Long.toString(seq));
        field(out, "time", r.time().toString());
        field(out, "actor", r.actor());
        field(out, "action", r.action());
        field(out, "deploy", r.deployId());
        field(out, "service", r.service());
        field(out, "version", r.version());
        field(out, "decision", r.decision());
        field(out, "reasoning", r.reasoningJson());
        field(out, "engine_version", r.engineVersion());
        field(out, "policy_version", r.policyVersion());
        field(out, "prev_hash", prevHash);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The hex SHA-256 of the canonical encoding. */
    public static String hash(long seq, AuditRecord r, String prevHash) {
        return HexFormat.of().formatHex(sha256().digest(canonical(seq, r, prevHash)));
    }

    /** Appends {@code r} after the entry {@code (prevSeq, prevHash)}. */
    public static AuditEntry link(long prevSeq, String prevHash, AuditRecord r) {
        long seq = prevSeq + 1;
        return new AuditEntry(seq, r, prevHash, hash(seq, r, prevHash));
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name)
                .append('=')
                .append(value.getBytes(StandardCharsets.UTF_8).length)
                .append(':')
                .append(value)
                .append('\n');
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
