package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.RiskSettings;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.pipeline.JooqRiskModelStore;
import java.time.Instant;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which model the bot scores with when harbormaster.yml says risk: {model: database}, or names none. */
class RiskModelsTest {
    static final RiskSettings FROM_DATABASE = new RiskSettings(new RiskSettings.Stored(), OptionalDouble.empty());

    Database db;
    JooqRiskModelStore store;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:risk-models-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        store = new JooqRiskModelStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void withoutRiskModelTheShippedModelScoresAndNoDatabaseIsNeeded() {
        var scorer = RiskModels.withoutDatabase(RiskSettings.shipped()).orElseThrow();
        assertThat(scorer.modelId().source()).isEqualTo("shipped");
        assertThat(RiskModels.describe(scorer))
                .startsWith("risk model: shipped (sha256 ")
                .endsWith(", trained on apachejit_train_2003_2016.csv, threshold 71.8, target escalation 11%)");
        // a model stored in the database is not used unless the file says so
        store.activate("other.json", RiskModelJson.defaultModel(), Instant.parse("2026-11-20T08:00:00Z"));
        assertThat(RiskModels.scorer(RiskSettings.shipped(), store).modelId().source())
                .isEqualTo("shipped");
        assertThat(RiskModels.withoutDatabase(FROM_DATABASE)).isEmpty();
    }

    @Test
    void databaseScoresWithTheNewestStoredModelAndSaysWhenItWasTrained() {
        var model = RiskModelJson.defaultModel();
        store.activate("first.json", model, Instant.parse("2026-11-01T08:00:00Z"));
        var newest = store.activate("second.json", model, Instant.parse("2026-11-20T08:00:00Z"));

        var scorer = RiskModels.scorer(FROM_DATABASE, store);

        assertThat(scorer.modelId().source()).isEqualTo("database risk_model #" + newest.id());
        assertThat(scorer.modelId().trainedAt()).contains(Instant.parse("2026-11-20T08:00:00Z"));
        assertThat(RiskModels.describe(scorer))
                .startsWith("risk model: database risk_model #" + newest.id() + " (sha256 ")
                .contains("trained 2026-11-20T08:00:00Z on apachejit_train_2003_2016.csv, threshold 71.8");
    }

    @Test
    void databaseWithoutAStoredModelOrAtAnotherRateStopsTheStartSayingWhatToDo() {
        assertThatThrownBy(() -> RiskModels.scorer(FROM_DATABASE, store))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("risk.model is database, but the database holds no risk model")
                .hasMessageContaining("harbormaster risk train --store");

        var stored = store.activate("m.json", RiskModelJson.defaultModel(), Instant.parse("2026-11-20T08:00:00Z"));
        var atTwentyPercent = new RiskSettings(new RiskSettings.Stored(), OptionalDouble.of(0.2));
        assertThatThrownBy(() -> RiskModels.scorer(atTwentyPercent, store))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("risk.target_escalation_rate: 0.2 is not the rate the database's active model"
                        + " (risk_model #" + stored.id() + ", m.json)'s threshold was set for (11%)")
                .hasMessageContaining("--target-rate 0.2");
    }
}
