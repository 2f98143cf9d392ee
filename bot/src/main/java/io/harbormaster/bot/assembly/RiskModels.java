package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.RiskSettings;
import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelId;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskModelStore;
import io.harbormaster.engine.risk.RiskScorer;
import java.util.Locale;
import java.util.Optional;

/**
 * The risk model the bot scores with, as {@code risk.model} in harbormaster.yml says: a model file, the database's
 * active model ({@code database}), or, without the key, the model shipped in the jar. Nothing else is consulted, so
 * the file alone says which model decides.
 */
public final class RiskModels {
    private RiskModels() {}

    /** The scorer for {@code settings}; a stored model is read from {@code store}. */
    public static RiskScorer scorer(RiskSettings settings, RiskModelStore store) {
        return withoutDatabase(settings).orElseGet(() -> stored(settings, store));
    }

    /** The scorer for {@code settings} when it needs no database (a file, or the shipped model); else empty. */
    public static Optional<RiskScorer> withoutDatabase(RiskSettings settings) {
        return switch (settings.model()) {
            case RiskSettings.Shipped s -> {
                var model = RiskModelJson.defaultModel();
                yield Optional.of(checked(settings, model, RiskModelId.of(model, "shipped"), "the shipped model"));
            }
            case RiskSettings.ModelFile f ->
                Optional.of(checked(
                        settings,
                        f.model(),
                        RiskModelId.of(f.model(), "file " + f.path()),
                        f.path().toString()));
            case RiskSettings.Stored s -> Optional.empty();
        };
    }

    /** One line saying which model scores: where it is from, its id, its training and its threshold. */
    public static String describe(RiskScorer scorer) {
        var id = scorer.modelId();
        var threshold = scorer.model().threshold();
        return String.format(
                Locale.ROOT,
                "risk model: %s (sha256 %s, trained %son %s, threshold %.1f, target escalation %s)",
                id.source(),
                id.shortHash(),
                id.trainedAt().map(at -> at + " ").orElse(""),
                id.trainedOn(),
                threshold.score(),
                RiskSettings.percent(threshold.targetRate()));
    }

    private static RiskScorer stored(RiskSettings settings, RiskModelStore store) {
        var active = store.active()
                .orElseThrow(() -> new ConfigException("risk.model is database, but the database holds no risk model:"
                        + " store one with `harbormaster risk train --store` (--train F.csv or --from-history, with"
                        + " this database's --db), or set risk.model to a model file"));
        var which = "the database's active model (risk_model #" + active.id() + ", " + active.name() + ")";
        RiskModel model;
        try {
            model = RiskModelJson.read(active.modelJson());
        } catch (DatasetError e) {
            throw new ConfigException("risk.model is database, but " + which + " is not usable: " + e.getMessage()
                    + "; store a new one with `harbormaster risk train --store`");
        }
        var id = RiskModelId.of(model, "database risk_model #" + active.id()).trainedAt(active.trainedAt());
        return checked(settings, model, id, which);
    }

    private static RiskScorer checked(RiskSettings settings, RiskModel model, RiskModelId id, String which) {
        settings.rateProblem(model, which).ifPresent(problem -> {
            throw new ConfigException("risk.target_escalation_rate: " + problem);
        });
        return RiskScorer.withDefaultRules(model, id);
    }
}
