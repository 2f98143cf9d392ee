package io.harbormaster.engine.audit;

import java.util.List;
import java.util.function.Consumer;

/** The engine's port to the audit log: every decision is appended here before it is acted on. */
public interface AuditLog {
    /** Appends a record after the current head and returns it with its place and hashes. */
    AuditEntry append(AuditRecord record);

    /** Streams the entries that match {@code query}, in sequence order, without holding them all in memory. */
    void scan(AuditQuery query, Consumer<AuditEntry> sink);

    /** Counts the entries that match {@code query} and returns the newest {@code newest} of them, newest first. */
    AuditSummary summarize(AuditQuery query, int newest);

    /**
     * The distinct non-empty values of {@code field} in the whole log, in order, at most {@code limit} of them: what
     * an {@code /audit} filter on that field can match.
     */
    List<String> distinct(AuditField field, int limit);

    /** Signs the current head now if it is not signed yet (before an export, on shutdown, on a timer). */
    void checkpoint();

    /** Walks the whole chain and its checkpoints. */
    VerifyReport verify();
}
