package io.harbormaster.bot.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.Threshold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code risk:} section of harbormaster.yml: which model scores, and the escalation rate the file states. */
class RiskConfigTest {
    static final String CATALOG = """
            groups:
              ops: [U01AAA]
            services:
              web: {namespace: default, approvers: ops}
            """;

    static RiskModel shipped;

    @BeforeAll
    static void load() {
        shipped = RiskModelJson.defaultModel();
    }

    /** The shipped model with its threshold set for {@code rate} of deploys instead (a score of {@code score}). */
    static RiskModel withThreshold(double rate, double score) {
        double logit = Math.log(score / (100 - score));
        return new RiskModel(
                shipped.format(),
                shipped.features(),
                shipped.logistic(),
                shipped.trees(),
                shipped.logisticWeight(),
                shipped.context(),
                new Threshold(rate, score, logit, rate),
                shipped.percentiles(),
                shipped.training());
    }

    /** harbormaster.yml in {@code dir} with {@code risk} as its risk section, loaded as serve loads it. */
    static HarbormasterConfig load(Path dir, String risk) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("harbormaster.yml"), CATALOG + risk));
    }

    static List<String> problems(Path dir, String risk) throws Exception {
        try {
            load(dir, risk);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void withoutARiskSectionTheShippedModelScoresAtItsOwnRate() {
        var config = ConfigLoader.parse("harbormaster.yml", CATALOG);
        assertThat(config.risk().model()).isInstanceOf(RiskSettings.Shipped.class);
        assertThat(config.risk().targetEscalationRate()).isEmpty();
    }

    @Test
    void aRelativeModelPathIsReadFromTheConfigFilesDirectoryAndTheStatedRateMatchesIt(@TempDir Path dir)
            throws Exception {
        Files.createDirectories(dir.resolve("models"));
        RiskModelJson.write(withThreshold(0.2, 40), dir.resolve("models/risk.json"));

        var config = load(dir, "risk: {model: models/risk.json, target_escalation_rate: 0.2}\n");

        var file = (RiskSettings.ModelFile) config.risk().model();
        assertThat(file.path()).isEqualTo(dir.resolve("models/risk.json"));
        assertThat(file.model().threshold().score()).isEqualTo(40);
        assertThat(config.risk().targetEscalationRate()).hasValue(0.2);
        // without the rate, the model's own is used
        assertThat(load(dir, "risk: {model: models/risk.json}\n").risk().targetEscalationRate())
                .isEmpty();
    }

    @Test
    void aMissingModelFileIsAProblemOfTheKeyWithItsLineAndWhatToDo(@TempDir Path dir) throws Exception {
        assertThat(problems(dir, "risk:\n  model: nowhere/model.json\n"))
                .singleElement()
                .asString()
                .startsWith(dir.resolve("harbormaster.yml") + ":6: risk.model: model file "
                        + dir.resolve("nowhere/model.json") + " does not exist")
                .contains("risk train --out", "read from this file's directory", "remove risk.model");
    }

    @Test
    void aFileThatIsNotAModelOrCannotBeReadIsAProblemOfTheKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.json"), "{\"format\": 1, \"features\": [");
        assertThat(problems(dir, "risk: {model: broken.json}\n"))
                .singleElement()
                .asString()
                .contains("risk.model: model file " + dir.resolve("broken.json"))
                .contains("not a Harbormaster risk model");

        Files.writeString(dir.resolve("other.json"), "{\"hello\": 1}");
        assertThat(problems(dir, "risk: {model: other.json}\n"))
                .singleElement()
                .asString()
                .contains("risk.model: model file " + dir.resolve("other.json") + ": not a Harbormaster risk model");

        Files.createDirectories(dir.resolve("adir"));
        assertThat(problems(dir, "risk: {model: adir}\n"))
                .singleElement()
                .asString()
                .contains("risk.model: cannot read model file " + dir.resolve("adir"));
    }

    @Test
    void aRateOutsideZeroToOneIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        assertThat(problems(dir, "risk: {target_escalation_rate: 0}\n"))
                .singleElement()
                .asString()
                .contains(":5: risk.target_escalation_rate: expected a share of deploys between 0 and 1, such as 0.11"
                        + " for 11%, got 0");
        assertThat(problems(dir, "risk: {target_escalation_rate: 1}\n")).hasSize(1);
        assertThat(problems(dir, "risk: {target_escalation_rate: -0.1}\n")).hasSize(1);
        assertThat(problems(dir, "risk: {target_escalation_rate: 11}\n"))
                .singleElement()
                .asString()
                .endsWith("got 11 (a percentage? write it as a share)");
        assertThat(problems(dir, "risk: {target_escalation_rate: eleven}\n"))
                .singleElement()
                .asString()
                .contains("got \"eleven\"");
    }

    @Test
    void aRateTheModelWasNotTrainedForIsRefusedSayingTheThresholdCannotBeMovedWithoutTheTrainingData(@TempDir Path dir)
            throws Exception {
        RiskModelJson.write(shipped, dir.resolve("model.json"));
        assertThat(problems(dir, "risk: {model: model.json, target_escalation_rate: 0.2}\n"))
                .singleElement()
                .asString()
                .contains("risk.target_escalation_rate: 0.2 is not the rate " + dir.resolve("model.json")
                        + "'s threshold was set for (11%)")
                .contains("which the model does not keep")
                .contains("harbormaster risk train --target-rate 0.2")
                .contains("remove risk.target_escalation_rate to escalate the model's 11%");
        // with no model named, the rate is checked against the shipped one
        assertThat(problems(dir, "risk: {target_escalation_rate: 0.05}\n"))
                .singleElement()
                .asString()
                .contains("0.05 is not the rate the shipped model's threshold was set for (11%)");
        assertThat(load(dir, "risk: {target_escalation_rate: 0.11}\n").risk().targetEscalationRate())
                .hasValue(0.11);
    }

    @Test
    void databaseMeansTheStoredModelAndAnUnknownKeyIsRefusedWithASuggestion(@TempDir Path dir) throws Exception {
        var config = load(dir, "risk: {model: database, target_escalation_rate: 0.3}\n");
        assertThat(config.risk().model()).isInstanceOf(RiskSettings.Stored.class);
        assertThat(config.risk().targetEscalationRate()).hasValue(0.3); // checked against the model at start

        assertThat(problems(dir, "risk: {modle: model.json}\n"))
                .singleElement()
                .asString()
                .contains("risk.modle: unknown key 'modle' (did you mean 'model'?)");
        assertThat(problems(dir, "risk: model.json\n"))
                .singleElement()
                .asString()
                .contains("risk: expected a mapping");
    }
}
