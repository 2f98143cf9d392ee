package io.harbormaster.bot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code bench sandbox} on a handful of deploys: every timed deploy reaches its canary, warm-up apart. */
class SandboxBenchmarkTest {
    @Test
    void timesEachDeployToItsCanaryAndReportsTheWarmUpApart() throws Exception {
        var figures = new SandboxBenchmark(new SandboxBenchmark.Plan(4, Duration.ofMillis(20), 3)).run();

        assertThat(figures)
                .containsEntry("deploys", 4)
                .containsEntry("canaries_created", 4)
                .containsEntry("errors", 0)
                .containsEntry("warmup_deploys", 3)
                .containsKeys("sandbox_start_ms", "warmup_p95_ms", "intake_to_canary_p50_ms");
        assertThat((double) figures.get("intake_to_canary_p95_ms")).isPositive().isLessThanOrEqualTo((double)
                figures.get("intake_to_canary_max_ms"));
    }

    @Test
    void aPlanOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new SandboxBenchmark.Plan(4, Duration.ofMillis(20), -1))
                .hasMessageContaining("warm-up deploys must be between 0 and 999");
        assertThatThrownBy(() -> new SandboxBenchmark.Plan(0, Duration.ofMillis(20), 0))
                .hasMessageContaining("deploys must be between 1 and 999");
    }
}
