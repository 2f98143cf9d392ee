package io.harbormaster.engine.risk;

import io.harbormaster.engine.text.Texts;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which model scored a deploy, as its {@code risk.scored} audit entry names it, so that every decision can be tied to
 * the model that made it.
 *
 * @param sha256 the SHA-256 of the model as {@link RiskModelJson} writes it, in hex: what {@code sha256sum} says of a
 *     file {@code risk train} wrote (a model re-indented by hand keeps its id)
 * @param source where the bot loaded it from: {@code shipped} (the default model in the jar), {@code file PATH},
 *     {@code database risk_model #ID}, or {@code in memory}
 * @param trainedOn the data set it was trained on (its training summary's source)
 * @param trainedAt when it was trained, where that is known (a stored model's {@code trained_at}; a model file does
 *     not say)
 */
public record RiskModelId(String sha256, String source, String trainedOn, Optional<Instant> trainedAt) {

    /** The id of {@code model}, loaded from {@code source}, with no training time known. */
    public static RiskModelId of(RiskModel model, String source) {
        return new RiskModelId(
                Texts.sha256(RiskModelJson.write(model)),
                source,
                model.training().source(),
                Optional.empty());
    }

    /** The same id with the time the model was trained. */
    public RiskModelId trainedAt(Instant at) {
        return new RiskModelId(sha256, source, trainedOn, Optional.of(at));
    }

    /** The first 12 hex digits of the hash, enough to tell models apart in a message. */
    public String shortHash() {
        return sha256.substring(0, 12);
    }

    /** The id as an audit entry records it: sha256, source, trained_on and, when known, trained_at. */
    public Map<String, Object> auditFields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("sha256", sha256);
        m.put("source", source);
        m.put("trained_on", trainedOn);
        trainedAt.ifPresent(at -> m.put("trained_at", at.toString()));
        return m;
    }
}
