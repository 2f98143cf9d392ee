package io.harbormaster.engine.audit;

/** An entry as the log holds it: the record, its place in the chain, the previous entry's hash and its own. */
public record AuditEntry(long seq, AuditRecord record, String prevHash, String hash) {

    /** Whether the stored hash is the one this entry's fields give. */
    public boolean hashMatches() {
        return AuditChain.hashes(seq, record, prevHash, hash);
    }
}
