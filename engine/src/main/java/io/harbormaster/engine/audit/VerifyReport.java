package io.harbormaster.engine.audit;

import java.util.OptionalLong;

/**
 * What a verification found.
 *
 * @param entries entries read
 * @param valid whether every link, hash and checkpoint verified
 * @param firstInvalid the sequence number of the first entry that does not verify
 * @param reason why it does not, in words
 * @param checkpoints signed checkpoints seen
 * @param signedThrough the last entry covered by a verified checkpoint (entries after it are chained but unsigned)
 */
public record VerifyReport(
        long entries, boolean valid, OptionalLong firstInvalid, String reason, long checkpoints, long signedThrough) {}
