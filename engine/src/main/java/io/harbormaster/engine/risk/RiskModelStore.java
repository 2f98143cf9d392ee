package io.harbormaster.engine.risk;

import java.time.Instant;
import java.util.Optional;

/** The engine's port to trained risk models: one is active, and every model ever used is kept for the audit trail. */
public interface RiskModelStore {
    /** A stored model: its JSON (as {@link RiskModelJson} writes it) and what it was trained on. */
    record StoredModel(
            long id,
            String name,
            Instant trainedAt,
            String trainedOn,
            double escalationRate,
            double threshold,
            String modelJson,
            boolean active) {}

    /** Stores a model and makes it the active one (the previous one stays stored, inactive). */
    StoredModel activate(String name, RiskModel model, Instant at);

    Optional<StoredModel> active();
}
