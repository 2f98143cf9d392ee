package io.harbormaster.engine.advice;

import java.util.List;

/** The engine's port to where past cases and their embeddings are kept (the database). */
public interface CaseStore {
    /** Stores a case with its embedding, computed by {@code embeddingModel}. */
    void save(PastCase pastCase, String embeddingModel, float[] embedding);

    /**
     * The newest {@code limit} cases embedded by {@code embeddingModel}, newest first; an incident's outcome is its
     * current resolution.
     */
    List<StoredCase> recent(String embeddingModel, int limit);

    /** A stored case and its embedding. */
    record StoredCase(PastCase pastCase, float[] embedding) {}
}
