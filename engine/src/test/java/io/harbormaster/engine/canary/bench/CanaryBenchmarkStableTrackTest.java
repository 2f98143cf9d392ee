package io.harbormaster.engine.canary.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.CanaryPolicy;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's first canary that read its service's stable track before it ({@link CanaryBenchmark#WITH_STABLE}):
 * reported beside, not instead of, the judges BENCHMARKS.md's figures are made of, whose runs it leaves as they were.
 */
class CanaryBenchmarkStableTrackTest {
    static Scenario scenario(String name) {
        return Scenario.all().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aFirstCanaryThatKnowsItsStableTracksNoiseCatchesALatencyStepSoonerAndTheOthersRunAsBefore() {
        var step = scenario("latency-+25%-step");
        var with = new CanaryBenchmark(CanaryPolicy.defaults(), 0, 10).run(step, 60, 11);
        var without = new CanaryBenchmark(CanaryPolicy.defaults()).run(step, 60, 11);

        assertThat(with.judges()).containsKey(CanaryBenchmark.WITH_STABLE);
        assertThat(without.judges()).doesNotContainKey(CanaryBenchmark.WITH_STABLE);
        for (String judge : new String[] {
            CanaryBenchmark.OURS, CanaryBenchmark.KAYENTA, CanaryBenchmark.THRESHOLD, CanaryBenchmark.ORACLE
        }) {
            assertThat(with.judges().get(judge))
                    .as(judge)
                    .isEqualTo(without.judges().get(judge));
        }
        // a first canary learns the noise from its own first minute; one that read it before starts knowing it
        var stable = with.judges().get(CanaryBenchmark.WITH_STABLE);
        var ours = with.judges().get(CanaryBenchmark.OURS);
        assertThat(stable.detectionRate()).isEqualTo(1.0);
        assertThat(stable.ttdMedianS()).isLessThan(0.8 * ours.ttdMedianS());
    }

    @Test
    void aNegativeWindowIsRefused() {
        assertThatThrownBy(() -> new CanaryBenchmark(CanaryPolicy.defaults(), 0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stableMinutes must be 0 or more");
    }
}
