package io.harbormaster.bot.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryPolicyJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canary policy a canary started with, as the database keeps it, is a policy file the configuration reads. */
class StoredPolicyIsAPolicyFileTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyConfiguredSettingReadsBackFromTheStoredTextAsTheSamePolicy() throws Exception {
        var configured = CanaryPolicyYaml.parse(YAML.readTree("""
                        interval_seconds: 15
                        steps: [{weight: 10, intervals: 8}, {weight: 40, intervals: 12}]
                        min_step_seconds: 45
                        min_promote_seconds: 250
                        last_step_after_seconds: 100
                        promote_by_seconds: 260
                        hold_error_z: -0.25
                        hold_latency_t: 2.5
                        escalate_e_value: 7.5
                        closing_test_seconds: 300
                        closing_alpha: 0.0015
                        max_no_data_seconds: 90
                        hard_triggers: {max_error_rate: 0.07, error_window_seconds: 60, max_p99_ms: 1500.5,
                                        p99_window_seconds: 240, max_restarts: 4, restart_window_seconds: 600,
                                        min_requests: 30}
                        mann_whitney: {tolerance: 0.3, confidence: 0.95, allowed_increase: 1.2, allowed_decrease: 1.1}
                        scoring: {group_weights: {errors: 70, latency: 30}, critical_metrics: [error_rate, p99_ms],
                                  pass: 90, marginal: 60}
                        sequential: {alpha: 0.006, promote_alpha: 0.04, error_ratio: 3, error_points: 0.01,
                                     p50_increase: 0.15, p99_increase: 0.25, warmup_intervals: 2, noise_history: 12,
                                     stable_noise_minutes: 25}
                        """), "p.yml: ");
        for (var p : List.of(
                configured,
                configured.cautious(),
                CanaryPolicy.defaults(),
                CanaryPolicy.defaults().cautious())) {
            var stored = CanaryPolicyJson.write(p);
            assertThat(CanaryPolicyYaml.parse(YAML.readTree(stored), "stored: "))
                    .isEqualTo(p);
        }
        assertThat(configured).isNotEqualTo(CanaryPolicy.defaults());
        assertThat(configured.sequential().noiseHistory()).isEqualTo(12);
        assertThat(configured.sequential().stableNoiseMinutes()).isEqualTo(25);
    }
}
