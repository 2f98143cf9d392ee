package io.harbormaster.engine.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskModelIdTest {
    static RiskModel model;

    @BeforeAll
    static void train() {
        model = RiskTrainer.train(SyntheticChanges.generate(600, 3), "synthetic.csv", TrainingOptions.defaults());
    }

    @Test
    void theIdIsTheSha256OfTheFileRiskTrainWritesAndSurvivesReindenting(@TempDir Path dir) throws Exception {
        var file = dir.resolve("model.json");
        RiskModelJson.write(model, file);
        var fileHash =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));

        var id = RiskModelId.of(RiskModelJson.read(file), "file " + file);
        assertThat(id.sha256()).isEqualTo(fileHash).hasSize(64);
        assertThat(id.trainedOn()).isEqualTo("synthetic.csv");
        assertThat(id.shortHash()).isEqualTo(fileHash.substring(0, 12));

        var json = new ObjectMapper();
        var pretty = json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(Files.readString(file)));
        assertThat(RiskModelId.of(RiskModelJson.read(pretty), "x").sha256()).isEqualTo(fileHash);
    }

    @Test
    void anotherModelHasAnotherId() {
        var other = RiskTrainer.train(SyntheticChanges.generate(600, 4), "synthetic.csv", TrainingOptions.defaults());
        assertThat(RiskModelId.of(other, "x").sha256())
                .isNotEqualTo(RiskModelId.of(model, "x").sha256());
    }

    @Test
    void everyAssessmentNamesTheModelThatMadeIt() {
        var id = RiskModelId.of(model, "database risk_model #4").trainedAt(Instant.parse("2026-11-20T08:00:00Z"));
        var a = RiskScorer.withDefaultRules(model, id)
                .assess(RiskInput.ofMetrics(SyntheticChanges.generate(1, 9).metricsOf(0)));
        assertThat(a.model()).isEqualTo(id);
        assertThat(a.model().auditFields())
                .containsEntry("sha256", id.sha256())
                .containsEntry("source", "database risk_model #4")
                .containsEntry("trained_on", "synthetic.csv")
                .containsEntry("trained_at", "2026-11-20T08:00:00Z");
        assertThat(RiskScorer.withDefaultRules(model).modelId().auditFields())
                .containsEntry("source", "in memory")
                .doesNotContainKey("trained_at");
    }
}
