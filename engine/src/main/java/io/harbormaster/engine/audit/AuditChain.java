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
        var out = new Encoder(256 + r.reasoningJson().length());
        out.raw(FORMAT);
        out.raw("\n");
        out.field("seq", Long.toString(seq));
        out.field("time", r.time().toString());
        out.field("actor", r.actor());
        out.field("action", r.action());
        out.field("deploy", r.deployId());
        out.field("service", r.service());
        out.field("version", r.version());
        out.field("decision", r.decision());
        out.field("reasoning", r.reasoningJson());
        out.field("engine_version", r.engineVersion());
        out.field("policy_version", r.policyVersion());
        out.field("prev_hash", prevHash);
        return out.bytes();
    }

    /** The hex SHA-256 of the canonical encoding. */
    public static String hash(long seq, AuditRecord r, String prevHash) {
        var digest = DIGEST.get();
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(canonical(seq, r, prevHash)));
    }

    /** Appends {@code r} after the entry {@code (prevSeq, prevHash)}. */
    public static AuditEntry link(long prevSeq, String prevHash, AuditRecord r) {
        long seq = prevSeq + 1;
        return new AuditEntry(seq, r, prevHash, hash(seq, r, prevHash));
    }

    /** "name=byte-length:value\n" per field; each value is encoded to UTF-8 once. */
    private static final class Encoder {
        private byte[] buf;
        private int len;

        Encoder(int capacity) {
            buf = new byte[capacity];
        }

        void field(String name, String value) {
            var bytes = value.getBytes(StandardCharsets.UTF_8);
            raw(name);
            raw("=");
            raw(Integer.toString(bytes.length));
            raw(":");
            put(bytes);
            raw("\n");
        }

        void raw(String ascii) {
            put(ascii.getBytes(StandardCharsets.US_ASCII));
        }

        private void put(byte[] bytes) {
            if (len + bytes.length > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + bytes.length));
            }
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf, len);
        }
    }

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(AuditChain::sha256);

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
