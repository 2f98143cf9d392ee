package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.harbormaster.engine.canary.bench.LatencyLimitsBenchmark;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The benchmark's idealised latency judges: a true likelihood ratio, and judges ordered by what they know. */
class LatencyLimitsTest {
    @Test
    void theInvariantRatioIsALikelihoodRatioItsMeanUnderNoShiftIsOneAndItGrowsWithTheShift() {
        var random = new SplittableRandom(5);
        int n = 6, draws = 20_000;
        double delta = 0.2, a = 2; // six whitened values, each shifted by delta * a noise units under the alternative
        double mean = 0, underShift = 0;
        for (int d = 0; d < draws; d++) {
            double t = 0, s = 0, tShifted = 0, sShifted = 0;
            double scale = 0.2 + 5 * random.nextDouble(); // any noise level: the ratio must not depend on it
            for (int i = 0; i < n; i++) {
                double x = scale * random.nextGaussian();
                double y = x + scale * delta * a;
                t += a * x;
                s += x * x;
                tShifted += a * y;
                sShifted += y * y;
            }
            mean += Math.exp(LatencyLimits.invariantLogRatio(n, delta, n * a * a, t, s)) / draws;
            underShift += LatencyLimits.invariantLogRatio(n, delta, n * a * a, tShifted, sShifted) / draws;
        }
        assertThat(mean).as("mean %s, under the shift %s", mean, underShift).isCloseTo(1.0, within(0.04));
        assertThat(LatencyLimits.invariantLogRatio(n, 0, n * a * a, 4, 10)).isCloseTo(0.0, within(1e-6));
        // the integral without a shift, numerically, is the closed form the ratio divides by
        assertThat(LatencyLimits.logIntegral(n, 0, 0)).isCloseTo(2 * Math.log(2) + Math.log(2), within(1e-6));
        assertThat(underShift).as("expected log ratio under the shift").isGreaterThan(0.3);
    }

    @Test
    void judgesThatKnowMoreProveALatencyStepSoonerAndNoneBeatsTheOracleByMuchAtItsOwnThreshold() {
        for (var row : LatencyLimitsBenchmark.run(100, 3)) {
            double[] medians = LatencyLimitsBenchmark.JUDGES.stream()
                    .mapToDouble(j -> row.medians().get(j)[0])
                    .toArray();
            // oracle, known shift and onset (oracle's threshold, then ours), known onset, ours
            assertThat(medians[1]).as(row.scenario()).isLessThanOrEqualTo(medians[2]);
            assertThat(medians[2]).as(row.scenario()).isLessThanOrEqualTo(medians[3]);
            assertThat(medians[3]).as(row.scenario()).isLessThan(medians[4]);
            assertThat(medians[4]).as(row.scenario()).isGreaterThan(medians[0]);
        }
    }
}
