package io.harbormaster.engine.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a filtered export signs about itself: its filter, when it was exported, how many entries it holds and a digest
 * of their hashes in order, signed with the key that signs the log's checkpoints.
 *
 * <p>A filtered export leaves entries out by design, so its chain has gaps and its checkpoints cannot show that none
 * is missing: without a manifest an entry deleted from the file would go unnoticed. With one, the file says "these
 * are all the entries that matched this filter when I was exported", and the exporter's key vouches for it. The
 * filter and the export time are part of what is signed, so neither can be changed to excuse a missing entry.
 *
 * @param entries the number of entries the export holds
 * @param entriesDigest the hex SHA-256 over the entries' hashes in order, each followed by a newline
 * @param keyId the signing key's id ({@link CheckpointSigner#keyIdOf})
 * @param signature base64 Ed25519 signature of {@link #signedBytes}
 */
public record ExportManifest(long entries, String entriesDigest, String keyId, String signature) {
    static final String VERSION = "harbormaster-audit-export-manifest-v1";

    /** The keys of a recorded filter, in the order an export writes them. */
    static final java.util.List<String> FILTER_KEYS =
            java.util.List.of("service", "since", "until", "decision", "deploy");

    /** Whether {@code q} leaves any entry out (its limit aside, which an export never sets). */
    public static boolean filters(AuditQuery q) {
        return !filterOf(q).isEmpty();
    }

    /**
     * A query as an export records it: each part that is set, by {@link #FILTER_KEYS}, as the parsed query holds it (a
     * relative time such as {@code 24h} as the instant it meant, to the microsecond).
     */
    public static Map<String, String> filterOf(AuditQuery q) {
        var out = new LinkedHashMap<String, String>();
        q.service().ifPresent(s -> out.put("service", s));
        q.since().ifPresent(t -> out.put("since", t.toString()));
        q.until().ifPresent(t -> out.put("until", t.toString()));
        q.decision().ifPresent(d -> out.put("decision", d));
        q.deployId().ifPresent(d -> out.put("deploy", d));
        return out;
    }

    /** The filter in words, as the command line takes it: {@code service=search since=2026-11-20T10:00:00Z}. */
    public static String describe(Map<String, String> filter) {
        var parts = new java.util.ArrayList<String>();
        filter.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(" ", parts);
    }

    /**
     * The exact bytes the signature covers: the export time as the file writes it, the filter as canonical JSON (so a
     * value holding a newline cannot pose as another field), the count and the digest.
     */
    static byte[] signedBytes(String exportedAt, Map<String, String> filter, long entries, String entriesDigest) {
        return (VERSION + "\nexported_at=" + exportedAt + "\nfilter=" + CanonicalJson.of(filter) + "\nentries="
                        + entries + "\nentries_digest=" + entriesDigest + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static ExportManifest sign(CheckpointSigner signer, String exportedAt, Map<String, String> filter, Digest digest) {
        var bytes = signedBytes(exportedAt, filter, digest.count(), digest.hex());
        return new ExportManifest(digest.count(), digest.hex(), signer.keyId(), signer.signBase64(bytes));
    }

    /** Whether {@code key} signed this manifest for an export of {@code filter} made at {@code exportedAt}. */
    boolean signedBy(PublicKey key, String exportedAt, Map<String, String> filter) {
        // a signature that is not base64 decodes to none, which no key verifies
        return CheckpointSigner.verify(
                key, signedBytes(exportedAt, filter, entries, entriesDigest), ChainVerifier.decode(signature));
    }

    /** The running digest of the entries' hashes, as an export writes or a verifier reads them. */
    static final class Digest {
        private final MessageDigest sha256 = AuditChain.sha256();
        private long count;
        private String hex;

        void add(String entryHash) {
            sha256.update(entryHash.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            count++;
        }

        long count() {
            return count;
        }

        /** The digest of every hash added; nothing may be added after. */
        String hex() {
            if (hex == null) {
                hex = HexFormat.of().formatHex(sha256.digest());
            }
            return hex;
        }
    }
}
