package io.harbormaster.engine.audit;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a verification found.
 *
 * @param entries entries read
 * @param valid whether everything that could be checked verified: for {@link Scope#ENTRIES}, that is not that the
 *     export is complete
 * @param firstInvalid the sequence number of the first entry that does not verify; empty when the problem is not one
 *     entry's (a filtered export's manifest that does not match its entries)
 * @param reason why it does not, in words
 * @param checkpoints signed checkpoints checked (in a filtered export, every one it carries: its signature, and its
 *     entry when the file holds it)
 * @param signedThrough the last entry covered by a verified checkpoint (entries after it are chained but unsigned); 0
 *     for a filtered export
 * @param scope what could be checked
 * @param export a filtered export's filter and manifest; {@link Filtered#NONE} for a whole chain
 */
public record VerifyReport(
        long entries,
        boolean valid,
        OptionalLong firstInvalid,
        String reason,
        long checkpoints,
        long signedThrough,
        Scope scope,
        Filtered export) {

    /** How much a verification could check. */
    public enum Scope {
        /** A whole log (the database, or a full export): every link, hash and checkpoint. */
        CHAIN,
        /**
         * A filtered export with a signed manifest: each entry's hash, the links between entries the file holds next
         * to each other, the checkpoints, and, by the manifest, that no entry matching its filter is missing.
         */
        FILTER,
        /**
         * A filtered export without a (valid) manifest: everything {@link #FILTER} checks but completeness, which
         * nothing in the file can prove: an entry deleted from it goes unnoticed.
         */
        ENTRIES
    }

    /**
     * What a filtered export says of itself.
     *
     * @param filter the filter it records, by key (service, since, until, decision, deploy); empty when it records none
     *     (an export from before filters were recorded)
     * @param exportedAt its {@code exported_at}, as written
     * @param manifestKey the key id that signed its manifest, when the manifest verified
     */
    public record Filtered(Map<String, String> filter, String exportedAt, Optional<String> manifestKey) {
        public static final Filtered NONE = new Filtered(Map.of(), "", Optional.empty());

        public Filtered {
            filter = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(filter));
        }
    }

    /** The report of a whole chain: links, hashes and checkpoints checked. */
    public VerifyReport(
            long entries,
            boolean valid,
            OptionalLong firstInvalid,
            String reason,
            long checkpoints,
            long signedThrough) {
        this(entries, valid, firstInvalid, reason, checkpoints, signedThrough, Scope.CHAIN, Filtered.NONE);
    }

    /** A whole chain's report ({@code filtered} false), or a filtered export's checked entry by entry only. */
    public VerifyReport(
            long entries,
            boolean valid,
            OptionalLong firstInvalid,
            String reason,
            long checkpoints,
            long signedThrough,
            boolean filtered) {
        this(
                entries,
                valid,
                firstInvalid,
                reason,
                checkpoints,
                signedThrough,
                filtered ? Scope.ENTRIES : Scope.CHAIN,
                Filtered.NONE);
    }

    /** Whether this was a filtered export. */
    public boolean filtered() {
        return scope != Scope.CHAIN;
    }

    /** Whether the log or export is shown whole: intact, and for a filtered export, complete by its manifest. */
    public boolean complete() {
        return valid && scope != Scope.ENTRIES;
    }
}
