package io.harbormaster.engine.risk;

import java.util.List;

/** The engine's port to past deploys and their outcomes (implemented over the deploy store). */
public interface OutcomeHistory {
    /** Every finished deploy that had announced change metrics, labelled by rollback or incident. */
    List<LabelledChange> labelledChanges();
}
