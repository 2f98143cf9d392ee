package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.Await;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.Threshold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled bot scores with the model harbormaster.yml names, and its audit entries name that model. */
class RiskModelAssemblyTest {
    static final String CONFIG = """
            groups:
              approvers: [U0APPROVER]
            defaults:
              channel: "#deploys"
            services:
              checkout: {namespace: shop, approvers: approvers}
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aModelFileInTheConfigScoresTheDeployAndTheRiskScoredEntryNamesIt() throws Exception {
        // The shipped model's weights with its threshold at a score of 1 (for the same 11%): a small change that the
        // shipped model lets through (it scores far below the shipped threshold) escalates under this one.
        var shipped = RiskModelJson.defaultModel();
        var eager = new RiskModel(
                shipped.format(),
                shipped.features(),
                shipped.logistic(),
                shipped.trees(),
                shipped.logisticWeight(),
                shipped.context(),
                new Threshold(0.11, 1.0, Math.log(1.0 / 99), 0.11),
                shipped.percentiles(),
                shipped.training());
        var file = dir.resolve("eager-model.json");
        RiskModelJson.write(eager, file);
        var sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        var config = CONFIG + "risk: {model: \"" + file + "\", target_escalation_rate: 0.11}\n";

        try (var bot = InProcessBot.start(InProcessBot.Options.of(
                "risk-model", config, InProcessBot.users(InProcessBot.BOB), List.of("checkout")))) {
            assertThat(RiskModels.describe(bot.harbormaster().risk()))
                    .isEqualTo("risk model: file " + file + " (sha256 " + sha256.substring(0, 12)
                            + ", trained on apachejit_train_2003_2016.csv, threshold 1.0, target escalation 11%)");

            var response = bot.announce("checkout", "1.1.0", InProcessBot.SMALL_CHANGE, true);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

            var entry = Await.value(
                    "the risk.scored audit entry", Duration.ofSeconds(20), () -> bot.audited(AuditQuery.all()).stream()
                            .map(AuditEntry::record)
                            .filter(r -> r.action().equals("risk.scored"))
                            .findFirst()
                            .orElse(null));
            JsonNode reasoning = JSON.readTree(entry.reasoningJson());
            assertThat(entry.decision()).isEqualTo("escalate");
            assertThat(reasoning.path("threshold").asDouble()).isEqualTo(1.0);
            // no always-escalate rule fired, and the score is below the shipped threshold: the shipped model would
            // have let this change through, so the configured model is what escalated it
            assertThat(reasoning.path("rules").findValuesAsText("result"))
                    .isNotEmpty()
                    .containsOnly("pass");
            assertThat(reasoning.path("score").asDouble())
                    .isLessThan(shipped.threshold().score())
                    .isGreaterThan(1.0);
            assertThat(reasoning.path("model").path("sha256").asText()).isEqualTo(sha256);
            assertThat(reasoning.path("model").path("source").asText()).isEqualTo("file " + file);
            assertThat(reasoning.path("model").path("trained_on").asText()).isEqualTo("apachejit_train_2003_2016.csv");
        }
    }
}
