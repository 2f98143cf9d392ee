package io.harbormaster.engine.audit;

import java.util.OptionalLong;

/**
 * What a verification found.
 *
 * @param entries entries read
 * @param valid whether every link, hash and checkpoint verified
 * @param firstInvalid the sequence number of the first entry that does not verify
 * @param reason why it does not, in words
 * @param checkpoints signed checkpoints seen; in a filtered export, those the file carries, none of them checked
 * @param signedThrough the last entry covered by a verified checkpoint (entries after it are chained but unsigned); 0
 *     for a filtered export
 * @param filtered whether this was a filtered export, of which only each entry's own hash can be checked: not the
 *     links between entries, nor that none is missing, nor the checkpoints
 */
public record VerifyReport(
        long entries,
        boolean valid,
        OptionalLong firstInvalid,
        String reason,
        long checkpoints,
        long signedThrough,
        boolean filtered) {

    /** The report of a whole chain: links, hashes and checkpoints checked. */
    public VerifyReport(
            long entries,
            boolean valid,
            OptionalLong firstInvalid,
            String reason,
            long checkpoints,
            long signedThrough) {
        this(entries, valid, firstInvalid, reason, checkpoints, signedThrough, false);
    }
}
