package io.harbormaster.engine.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The chain's arithmetic: the canonical encoding of an entry and its SHA-256.
 *
 * <p>The encoding is versioned and length-prefixed (name, byte length, value, newline per field) so no two different
 * entries can encode alike, whatever characters their values hold. The sequence number and the previous hash are
 * part of it, so an entry cannot be moved or re-linked without changing its hash.
 *
 * <p>Verifying a log hashes every entry, a million of them for a large log: the encoding is written into a buffer that
 * each thread reuses, and a stored hash is compared with the digest without formatting the digest as text.
 */
public final class AuditChain {
    /** The previous hash of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    static final String FORMAT = "harbormaster-audit-v1";

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private AuditChain() {}

    /** The canonical bytes that an entry's hash covers. */
    public static byte[] canonical(long seq, AuditRecord r, String prevHash) {
        var out = new Encoder();
        out.encode(seq, r, prevHash);
        return out.bytes();
    }

    /** The hex SHA-256 of the canonical encoding. */
    public static String hash(long seq, AuditRecord r, String prevHash) {
        return HexFormat.of().formatHex(ENCODER.get().digest(seq, r, prevHash));
    }

    /**
     * Whether {@code hash} is the hex SHA-256 (lower case, as {@link #hash} writes it) of the entry's canonical
     * encoding: the same answer as {@code hash(seq, r, prevHash).equals(hash)}, without the text.
     */
    public static boolean hashes(long seq, AuditRecord r, String prevHash, String hash) {
        var digest = ENCODER.get().digest(seq, r, prevHash);
        if (hash == null || hash.length() != 2 * digest.length) {
            return false;
        }
        for (int i = 0; i < digest.length; i++) {
            int b = digest[i];
            if (hash.charAt(2 * i) != HEX_DIGITS[(b >> 4) & 0xf] || hash.charAt(2 * i + 1) != HEX_DIGITS[b & 0xf]) {
                return false;
            }
        }
        return true;
    }

    /** Appends {@code r} after the entry {@code (prevSeq, prevHash)}. */
    public static AuditEntry link(long prevSeq, String prevHash, AuditRecord r) {
        long seq = prevSeq + 1;
        return new AuditEntry(seq, r, prevHash, hash(seq, r, prevHash));
    }

    private static final ThreadLocal<Encoder> ENCODER = ThreadLocal.withInitial(Encoder::new);

    /** Writes "name=byte-length:value\n" per field into a buffer it keeps for the next entry. */
    private static final class Encoder {
        private static final byte[] HEADER = ascii(FORMAT + "\n");
        private static final byte[] SEQ = ascii("seq=");
        private static final byte[] TIME = ascii("time=");
        private static final byte[] ACTOR = ascii("actor=");
        private static final byte[] ACTION = ascii("action=");
        private static final byte[] DEPLOY = ascii("deploy=");
        private static final byte[] SERVICE = ascii("service=");
        private static final byte[] VERSION = ascii("version=");
        private static final byte[] DECISION = ascii("decision=");
        private static final byte[] REASONING = ascii("reasoning=");
        private static final byte[] ENGINE_VERSION = ascii("engine_version=");
        private static final byte[] POLICY_VERSION = ascii("policy_version=");
        private static final byte[] PREV_HASH = ascii("prev_hash=");

        /** The largest buffer a thread keeps between entries. */
        private static final int MAX_KEPT = 1 << 16;

        private final MessageDigest sha256 = sha256();
        private byte[] buf = new byte[1024];
        private int len;

        void encode(long seq, AuditRecord r, String prevHash) {
            len = 0;
            put(HEADER);
            field(SEQ, Long.toString(seq));
            field(TIME, r.time().toString());
            field(ACTOR, r.actor());
            field(ACTION, r.action());
            field(DEPLOY, r.deployId());
            field(SERVICE, r.service());
            field(VERSION, r.version());
            field(DECISION, r.decision());
            field(REASONING, r.reasoningJson());
            field(ENGINE_VERSION, r.engineVersion());
            field(POLICY_VERSION, r.policyVersion());
            field(PREV_HASH, prevHash);
        }

        byte[] digest(long seq, AuditRecord r, String prevHash) {
            encode(seq, r, prevHash);
            sha256.reset();
            sha256.update(buf, 0, len);
            if (buf.length > MAX_KEPT) {
                buf = new byte[1024]; // an unusually large entry: its buffer is not kept for the thread's lifetime
            }
            return sha256.digest();
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }

        private void field(byte[] name, String value) {
            // getBytes is the fastest copy of a string's bytes (vectorised for the usual all-ASCII value)
            var bytes = value.getBytes(StandardCharsets.UTF_8);
            put(name);
            putDigits(bytes.length);
            ensure(bytes.length + 2);
            buf[len++] = ':';
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
            buf[len++] = '\n';
        }

        /** A non-negative number in decimal, as Integer.toString writes it. */
        private void putDigits(int n) {
            ensure(10);
            int digits = 1;
            for (int v = n; v >= 10; v /= 10) {
                digits++;
            }
            for (int i = len + digits - 1, v = n; i >= len; i--, v /= 10) {
                buf[i] = (byte) ('0' + v % 10);
            }
            len += digits;
        }

        private void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
