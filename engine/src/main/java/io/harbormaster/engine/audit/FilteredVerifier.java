package io.harbormaster.engine.audit;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Walks a filtered export's entries in the file's order and checks all that can be checked of a part of the chain:
 * each entry's own hash; that the entries come in sequence order, each once; that two entries the file holds next to
 * each other whose numbers are adjacent link (the later one's previous hash is the earlier one's hash); every
 * checkpoint's signature, and its hash against its entry when the file holds that entry; that each entry matches the
 * filter the file records. Then, at {@link #finish}, the manifest: signed by a trusted key over this filter and export
 * time, listing exactly these entries. Without a manifest the result is {@link VerifyReport.Scope#ENTRIES}: nothing
 * in a filtered file can show that none of its entries was deleted.
 */
final class FilteredVerifier {
    private final Map<String, PublicKey> trustedKeys;
    private final CheckpointWalk checkpoints;
    private final Map<String, String> filter;
    private final Optional<Instant> since;
    private final Optional<Instant> until;
    private final ExportManifest.Digest digest = new ExportManifest.Digest();

    private long lastSeq;
    private String lastHash;
    private long firstInvalid = Long.MAX_VALUE;
    private String reason = "";

    /**
     * @param filter the filter the file records (empty: none recorded), its times already checked to be instants
     */
    FilteredVerifier(
            Map<String, PublicKey> trustedKeys, Collection<AuditCheckpoint> checkpoints, Map<String, String> filter) {
        this.trustedKeys = Map.copyOf(trustedKeys);
        this.checkpoints = new CheckpointWalk(this.trustedKeys, checkpoints, this::fail);
        this.filter = filter;
        this.since = Optional.ofNullable(filter.get("since")).map(Instant::parse);
        this.until = Optional.ofNullable(filter.get("until")).map(Instant::parse);
    }

    /** The entries read so far. */
    long entries() {
        return digest.count();
    }

    /** Checks the next entry of the file; false once a problem was found (the rest need not be read). */
    boolean accept(AuditEntry e) {
        checkpoints.checkSignaturesThrough(e.seq());
        if (firstInvalid != Long.MAX_VALUE) {
            return false;
        }
        digest.add(e.hash());
        if (e.seq() <= lastSeq) {
            fail(
                    e.seq(),
                    "entry " + e.seq() + " comes after entry " + lastSeq + " in the file: an export lists its entries"
                            + " in sequence order, each once");
        } else if (!e.hashMatches()) {
            fail(e.seq(), "entry " + e.seq() + " was changed after it was written: its fields do not give its hash");
        } else if (e.seq() == lastSeq + 1 && lastHash != null && !e.prevHash().equals(lastHash)) {
            fail(e.seq(), "entry " + e.seq() + " does not link to entry " + lastSeq + " before it");
        } else if (e.seq() == 1 && !e.prevHash().equals(AuditChain.GENESIS)) {
            fail(e.seq(), "entry 1 does not start the chain");
        } else if (checkpoints.at(e.seq()) != null
                && !checkpoints.at(e.seq()).entryHash().equals(e.hash())) {
            fail(e.seq(), "entry " + e.seq() + " differs from what the signed checkpoint says");
        } else {
            String outside = outsideFilter(e.record());
            if (outside != null) {
                fail(
                        e.seq(),
                        "entry " + e.seq() + " does not match the export's filter (" + ExportManifest.describe(filter)
                                + "): its " + outside);
            }
        }
        lastSeq = Math.max(lastSeq, e.seq());
        lastHash = e.hash();
        return firstInvalid == Long.MAX_VALUE;
    }

    /** Why {@code r} does not match the filter, or null when it does. */
    private String outsideFilter(AuditRecord r) {
        if (filter.containsKey("service") && !filter.get("service").equals(r.service())) {
            return "service is " + r.service();
        }
        if (filter.containsKey("decision") && !filter.get("decision").equals(r.decision())) {
            return "decision is " + r.decision();
        }
        if (filter.containsKey("deploy") && !filter.get("deploy").equals(r.deployId())) {
            return "deploy is " + r.deployId();
        }
        if (since.isPresent() && r.time().isBefore(since.get())) {
            return "time " + r.time() + " is before since";
        }
        if (until.isPresent() && !r.time().isBefore(until.get())) {
            return "time " + r.time() + " is not before until";
        }
        return null;
    }

    /**
     * The outcome once every entry has been read: with a manifest, whether it was signed by a trusted key over this
     * filter and export time and lists exactly these entries; without one, what the entries alone showed.
     */
    VerifyReport finish(Optional<ExportManifest> manifest, String exportedAt) {
        checkpoints.checkSignaturesThrough(Long.MAX_VALUE);
        var scope = VerifyReport.Scope.ENTRIES;
        Optional<String> signedBy = Optional.empty();
        if (firstInvalid == Long.MAX_VALUE && manifest.isPresent()) {
            var m = manifest.get();
            var key = trustedKeys.get(m.keyId());
            if (key == null) {
                failExport("its manifest is signed by unknown key " + m.keyId());
            } else if (!m.signedBy(key, exportedAt, filter)) {
                failExport("its signed manifest does not verify: its filter, its export time or its manifest was"
                        + " changed after it was exported");
            } else if (m.entries() != digest.count()) {
                failExport("its signed manifest lists " + m.entries() + " entries and the file holds "
                        + digest.count() + ": entries were "
                        + (m.entries() > digest.count() ? "removed from" : "added to")
                        + " the file");
            } else if (!m.entriesDigest().equals(digest.hex())) {
                failExport("its entries are not those its signed manifest lists: an entry was replaced");
            } else {
                scope = VerifyReport.Scope.FILTER;
                signedBy = Optional.of(m.keyId());
            }
        }
        boolean valid = reason.isEmpty();
        return new VerifyReport(
                digest.count(),
                valid,
                firstInvalid == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(firstInvalid),
                reason,
                checkpoints.count(),
                0,
                scope,
                new VerifyReport.Filtered(filter, exportedAt, signedBy));
    }

    private void fail(long seq, String why) {
        if (seq < firstInvalid) {
            firstInvalid = seq;
            reason = why;
        }
    }

    /** A problem that is the export's as a whole, not one entry's. */
    private void failExport(String why) {
        if (reason.isEmpty()) {
            reason = why;
        }
    }
}
