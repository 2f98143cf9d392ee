package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.rollout.StartedPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A canary policy stored as JSON reads back as the same policy, and the same policy always has the same hash. */
class CanaryPolicyJsonTest {

    /** A policy with every part away from its default. */
    static CanaryPolicy everythingChanged() {
        var b = PolicyBuilder.defaults();
        b.intervalSeconds = 15;
        b.steps = List.of(new CanaryStep(10, 8), new CanaryStep(40, 12));
        b.minStepSeconds = 45;
        b.minPromoteSeconds = 250;
        b.lastStepAfterSeconds = 100;
        b.promoteBySeconds = 260;
        b.holdErrorZ = -0.25;
        b.holdLatencyT = 2.5;
        b.escalateEValue = 7.5;
        b.closingTestSeconds = 300;
        b.closingAlpha = 0.0015;
        b.maxNoDataSeconds = 90;
        b.hardTriggers = new HardTriggerPolicy(0.07, 60, 1500.5, 240, 4, 600, 30);
        b.mannWhitney = new MannWhitneyPolicy(0.3, 0.95, 1.2, 1.1);
        var d = ScoringPolicy.defaults();
        b.scoring = new ScoringPolicy(
                Map.of("errors", 70.0, "latency", 30.0), d.metricGroups(), Set.of("error_rate", "p99_ms"), 90, 60);
        b.sequential = new SequentialPolicy(0.006, 0.04, 3.0, 0.01, 0.15, 0.25, 2, 12, 25);
        return b.build();
    }

    @Test
    void everySettingReadsBackAsWritten() {
        for (var p : List.of(
                CanaryPolicy.defaults(),
                CanaryPolicy.defaults().cautious(),
                everythingChanged(),
                everythingChanged().cautious())) {
            var json = CanaryPolicyJson.write(p);
            assertThat(CanaryPolicyJson.read(json)).isEqualTo(p);
            assertThat(CanaryPolicyJson.write(CanaryPolicyJson.read(json))).isEqualTo(json);
        }
    }

    @Test
    void everySettingOfEveryPartIsWritten() throws Exception {
        // a setting added to a policy record but not to CanaryPolicyJson would be stored as nothing, and a canary
        // would be judged by its default instead of what was configured
        var json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(CanaryPolicyJson.write(CanaryPolicy.defaults()));
        assertThat(json.size()).isEqualTo(CanaryPolicy.class.getRecordComponents().length);
        assertThat(json.get("steps").get(0).size()).isEqualTo(CanaryStep.class.getRecordComponents().length);
        assertThat(json.get("hard_triggers").size()).isEqualTo(HardTriggerPolicy.class.getRecordComponents().length);
        assertThat(json.get("mann_whitney").size()).isEqualTo(MannWhitneyPolicy.class.getRecordComponents().length);
        assertThat(json.get("sequential").size()).isEqualTo(SequentialPolicy.class.getRecordComponents().length);
        // the metric groups are fixed, not a setting
        assertThat(json.get("scoring").size()).isEqualTo(ScoringPolicy.class.getRecordComponents().length - 1);
    }

    @Test
    void theTextUsesThePolicyFilesKeysAndTheHashFollowsThePolicy() {
        var json = CanaryPolicyJson.write(CanaryPolicy.defaults());
        assertThat(json)
                .startsWith("{\"closing_alpha\":0.002,")
                .contains("\"steps\":[{\"intervals\":18,\"weight\":5},")
                .contains("\"hard_triggers\":{\"error_window_seconds\":120,")
                .contains("\"max_restarts\":3,")
                .contains("\"critical_metrics\":[\"error_rate\"]")
                .doesNotContain(" ")
                .doesNotContain("metric_groups");
        var hash = CanaryPolicyJson.hash(json);
        assertThat(hash).matches("[0-9a-f]{12}");
        assertThat(CanaryPolicyJson.hash(CanaryPolicyJson.write(CanaryPolicy.defaults())))
                .isEqualTo(hash);
        assertThat(CanaryPolicyJson.hash(
                        CanaryPolicyJson.write(CanaryPolicy.defaults().cautious())))
                .isNotEqualTo(hash);
        assertThat(CanaryPolicyJson.hash(
                        CanaryPolicyJson.write(CanaryPolicy.defaults().withIntervalSeconds(15))))
                .isNotEqualTo(hash);
    }

    @Test
    void aKeyLeftOutKeepsItsDefaultAndOneThisVersionDoesNotKnowIsRefused() {
        var json = CanaryPolicyJson.write(everythingChanged());
        var withoutClosing = json.replaceFirst("\"closing_alpha\":0.0015,", "");
        assertThat(CanaryPolicyJson.read(withoutClosing).closingAlpha())
                .isEqualTo(CanaryPolicy.defaults().closingAlpha());

        assertThatThrownBy(() -> CanaryPolicyJson.read(json.replaceFirst("\\{", "{\"bake_seconds\":30,")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bake_seconds");
        assertThatThrownBy(() -> CanaryPolicyJson.read(json.replace("\"alpha\":0.006,", "\"alpha\":0.006,\"beta\":1,")))
                .hasMessageContaining("sequential.beta");
        assertThatThrownBy(() ->
                        CanaryPolicyJson.read(json.replace("\"interval_seconds\":15", "\"interval_seconds\":\"x\"")))
                .hasMessageContaining("interval_seconds");
        assertThatThrownBy(() -> CanaryPolicyJson.read("[1]")).hasMessageContaining("a JSON object");
        assertThatThrownBy(() -> CanaryPolicyJson.read("{")).hasMessageContaining("not JSON");
    }

    @Test
    void aStoredPolicyWhoseTextWasChangedAfterItsHashWasTakenIsRefused() {
        var started = StartedPolicy.of(true, everythingChanged());
        assertThat(started.policy()).isEqualTo(everythingChanged());
        assertThat(started.variant()).isEqualTo("escalated");
        var edited = new StartedPolicy(
                true, started.json().replace("\"max_error_rate\":0.07", "\"max_error_rate\":0.5"), started.hash());
        assertThatThrownBy(edited::policy).hasMessageContaining("does not match its hash");
    }
}
