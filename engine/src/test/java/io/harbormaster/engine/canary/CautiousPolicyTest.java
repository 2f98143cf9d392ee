package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cautious policy an escalated change's canary is judged by ({@link CanaryPolicy#cautious()}): held longer, never
 * less cautious than the policy it comes from, and it catches slowly growing regressions the standard one promotes.
 */
class CautiousPolicyTest {

    @Test
    void theDefaultsMadeCautiousHoldOnAnyLeanAndEndLater() {
        CanaryPolicy d = CanaryPolicy.defaults();
        CanaryPolicy c = d.cautious();
        assertEquals(0.0, c.holdErrorZ());
        assertEquals(210, c.lastStepAfterSeconds());
        assertEquals(300, c.minPromoteSeconds());
        assertEquals(330, c.promoteBySeconds());
        // the 50% step from 210 s for at most 3 min: the closing test follows the longest canary's end
        assertEquals(390, c.heldCanaryEndSeconds());
        assertEquals(390, c.closingAtSeconds());
        // what decides rollbacks is untouched: the same levels, the same judges
        assertEquals(d.closingAlpha(), c.closingAlpha());
        assertEquals(d.sequential(), c.sequential());
        assertEquals(d.hardTriggers(), c.hardTriggers());
        assertEquals(d.holdLatencyT(), c.holdLatencyT());
        assertEquals(d.steps(), c.steps());
    }

    @Test
    void aSettingAlreadyMoreCautiousIsKept() {
        var b = PolicyBuilder.defaults();
        b.holdErrorZ = -0.5;
        b.lastStepAfterSeconds = 250;
        b.minPromoteSeconds = 420;
        b.promoteBySeconds = 480;
        b.closingTestSeconds = 200; // set early on purpose: not moved
        CanaryPolicy c = b.build().cautious();
        assertEquals(-0.5, c.holdErrorZ());
        assertEquals(250, c.lastStepAfterSeconds());
        assertEquals(420, c.minPromoteSeconds());
        assertEquals(480, c.promoteBySeconds());
        assertEquals(200, c.closingTestSeconds());
    }

    @Test
    void slowErrorRampsAreCaughtMoreOftenAndHealthyCanariesStillPromoted() {
        Scenario ramp = scenario("errors-x2-ramp");
        Scenario healthy = scenario("healthy");
        CanaryPolicy standard = CanaryPolicy.defaults();
        CanaryPolicy cautious = standard.cautious();
        int runs = 100;
        int caughtStandard = 0, caughtCautious = 0, promoted = 0, falseRollbacks = 0;
        var promotedAt = new java.util.ArrayList<Long>();
        var seeds = new SplittableRandom(20261207L);
        for (int r = 0; r < runs; r++) {
            long seed = seeds.nextLong();
            double onset = new SplittableRandom(seed).nextDouble() * 90;
            caughtStandard += run(ramp, onset, seed, standard) instanceof Verdict.Rollback ? 1 : 0;
            caughtCautious += run(ramp, onset, seed, cautious) instanceof Verdict.Rollback ? 1 : 0;
            Verdict v = run(healthy, Double.POSITIVE_INFINITY, seed, cautious);
            if (v instanceof Verdict.Promote p) {
                promoted++;
                promotedAt.add(p.at());
            }
            falseRollbacks += v instanceof Verdict.Rollback ? 1 : 0;
        }
        // bench canary (300 runs, seed 1): 0.730 of these ramps caught by the standard policy, 0.913 by the cautious
        assertTrue(
                caughtCautious >= caughtStandard + 8,
                "cautious caught " + caughtCautious + ", standard " + caughtStandard + " of " + runs);
        assertTrue(promoted >= 95, "healthy canaries promoted: " + promoted + " of " + runs);
        assertTrue(falseRollbacks <= 2, "healthy canaries rolled back: " + falseRollbacks);
        // most wait for the cautious bake time (one moved to 50% early on chance evidence ends at that step's maximum)
        promotedAt.sort(null);
        assertTrue(promotedAt.get(promotedAt.size() / 2) >= 300, "median promotion at " + promotedAt);
    }

    private static Scenario scenario(String name) {
        return Scenario.all().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** One canary of the benchmark's generator judged to its end, the traffic following the analysis' weight. */
    private static Verdict run(Scenario scenario, double onset, long seed, CanaryPolicy policy) {
        var generator = new TrafficGenerator(scenario, onset, seed);
        var analysis = new CanaryAnalysis(policy);
        Verdict v = null;
        for (int i = 0; i < 120; i++) {
            v = analysis.observe(generator.next(i * policy.intervalSeconds(), analysis.weight()));
            if (!(v instanceof Verdict.Continue)) {
                return v;
            }
        }
        return v;
    }
}
