package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * How long a canary is watched: the 25% step lasts until {@code lastStepAfterSeconds} unless the evidence leans
 * towards a regression, a canary that leans towards a regression is held on its last step, and one that is neither
 * cleared nor suspicious is promoted at {@code promoteBySeconds}.
 */
class CanaryHoldTest {

    /** Like {@link CanaryPromotionTest#busy}, with the canary's error rate a function of the interval. */
    static List<IntervalSample> errorSeries(long seed, int intervals, double requests, IntToDoubleFunction canaryRate) {
        var random = new SplittableRandom(seed);
        var list = new ArrayList<IntervalSample>();
        for (int i = 0; i < intervals; i++) {
            list.add(new IntervalSample(
                    10L * i, track(random, requests, 0.005), track(random, requests, canaryRate.applyAsDouble(i))));
        }
        return list;
    }

    static TrackSample track(SplittableRandom random, double requests, double errorRate) {
        int errors = 0;
        for (int k = 0; k < requests; k++) {
            if (random.nextDouble() < errorRate) errors++;
        }
        double noise = Math.sqrt(1000 / requests);
        return new TrackSample(
                requests,
                errors,
                40 * Math.exp(0.023 * noise * random.nextGaussian()),
                230 * Math.exp(0.045 * noise * random.nextGaussian()),
                0);
    }

    /** The same policy without holding: a canary is promoted once cleared or due, whatever its statistics say. */
    static CanaryPolicy withoutHold(CanaryPolicy d) {
        return withHolds(d, Double.MAX_VALUE, Double.MAX_VALUE);
    }

    /** The same policy with other hold thresholds for the error rate's z and for the latency t. */
    static CanaryPolicy withHolds(CanaryPolicy d, double errorZ, double latencyT) {
        var b = PolicyBuilder.from(d);
        b.holdErrorZ = errorZ;
        b.holdLatencyT = latencyT;
        return b.build();
    }

    /** Errors doubling over 5 min from 30 s on: 1.4 times the baseline's at the bake time. */
    static double ramp(int interval) {
        return 0.005 * (1 + Math.min(1, Math.max(0, interval - 3) / 30.0));
    }

    @Test
    void aSlowErrorRampIsHeldAndThenRolledBackWhereItWouldHaveBeenPromoted() {
        int rolledBack = 0, rolledBackWithoutHold = 0, saved = 0;
        for (long seed = 1; seed <= 20; seed++) {
            List<IntervalSample> series = errorSeries(seed, 54, 1000, CanaryHoldTest::ramp);
            AnalysisReport held = CanaryAnalysis.replay(series, CanaryPolicy.defaults());
            AnalysisReport unheld = CanaryAnalysis.replay(series, withoutHold(CanaryPolicy.defaults()));
            if (held.verdict() instanceof Verdict.Rollback r) {
                rolledBack++;
                assertEquals("error_rate", r.evidence().getFirst().metric(), "seed " + seed);
            }
            rolledBackWithoutHold += unheld.verdict() instanceof Verdict.Rollback ? 1 : 0;
            if (held.verdict() instanceof Verdict.Rollback && unheld.verdict() instanceof Verdict.Promote p) {
                saved++;
                // it was held at the very interval at which the canary without the hold was promoted
                long promotedAt = p.at();
                assertTrue(
                        held.timeline().stream()
                                .anyMatch(t ->
                                        t.t() + 10 == promotedAt && t.note().startsWith("not promoted yet")),
                        "seed " + seed + ": no hold at " + promotedAt);
                assertTrue(held.verdict().at() > promotedAt, "seed " + seed);
            }
            // holding never turns a rollback into a promotion
            if (unheld.verdict() instanceof Verdict.Rollback) {
                assertInstanceOf(Verdict.Rollback.class, held.verdict(), "seed " + seed);
            }
        }
        assertTrue(rolledBack >= 8, "rolled back " + rolledBack + " of 20");
        assertTrue(saved >= 4, "the hold turned " + saved + " promotions into rollbacks");
        assertEquals(rolledBackWithoutHold + saved, rolledBack);
    }

    @Test
    void aSlowSlowdownIsHeldOnItsLatencyEvidenceAndThenRolledBackWhereItWouldHaveBeenPromoted() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        CanaryPolicy errorsOnly = withHolds(policy, policy.holdErrorZ(), Double.MAX_VALUE);
        int saved = 0, rolledBack = 0;
        for (long seed = 1; seed <= 40; seed++) {
            var random = new SplittableRandom(seed);
            var list = new ArrayList<IntervalSample>();
            for (int i = 0; i < 54; i++) {
                // from 30 s on, both latencies grow by 10% over 5 min
                double slower = 1 + 0.10 * Math.min(1, Math.max(0, i - 3) / 30.0);
                TrackSample b = track(random, 1000, 0.005), c = track(random, 1000, 0.005);
                list.add(new IntervalSample(
                        10L * i,
                        b,
                        new TrackSample(
                                c.requests(), c.errors(), c.p50Ms() * slower, c.p99Ms() * slower, c.restarts())));
            }
            AnalysisReport held = CanaryAnalysis.replay(list, policy);
            AnalysisReport unheld = CanaryAnalysis.replay(list, errorsOnly);
            rolledBack += held.verdict() instanceof Verdict.Rollback ? 1 : 0;
            if (held.verdict() instanceof Verdict.Rollback && unheld.verdict() instanceof Verdict.Promote) {
                saved++;
                assertTrue(
                        held.timeline().stream().anyMatch(t -> t.note().startsWith("not promoted yet: the canary's p")),
                        "seed " + seed);
            }
            if (unheld.verdict() instanceof Verdict.Rollback) {
                assertInstanceOf(Verdict.Rollback.class, held.verdict(), "seed " + seed);
            }
        }
        assertTrue(saved >= 4, "the latency hold turned " + saved + " of 40 promotions into rollbacks");
        assertTrue(rolledBack >= 20, "rolled back " + rolledBack + " of 40");
    }

    @Test
    void aHealthyCanaryStillGoesToItsLastStepAtItsTimeAndIsPromotedAtTheBakeTime() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        int atBakeTime = 0, onTime = 0;
        for (long seed = 1; seed <= 40; seed++) {
            AnalysisReport report = CanaryAnalysis.replay(errorSeries(seed, 54, 1000, i -> 0.005), policy);
            Verdict.Promote promote = assertInstanceOf(Verdict.Promote.class, report.verdict(), "seed " + seed);
            atBakeTime += promote.at() == policy.minPromoteSeconds() ? 1 : 0;
            long fifty = firstAt(report, 50);
            // earlier only when its evidence happened to reach the escalation threshold (by chance at most 1 in 5)
            assertTrue(fifty <= policy.lastStepAfterSeconds(), "seed " + seed + ": 50% at " + fifty);
            onTime += fifty == policy.lastStepAfterSeconds() ? 1 : 0;
        }
        assertTrue(onTime >= 34, "went to its last step at its time in " + onTime + " of 40");
        assertTrue(atBakeTime >= 20, "promoted at the bake time in " + atBakeTime + " of 40");
    }

    @Test
    void aCanaryTooQuietToClearIsPromotedAtThePromoteByTimeUnlessItLeansTowardsARegression() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        long lastStepEnds = policy.lastStepAfterSeconds() + 180;
        int atPromoteBy = 0;
        for (long seed = 1; seed <= 40; seed++) {
            // 50 requests an interval: too few errors to exclude a doubled error rate in a few minutes
            AnalysisReport report = CanaryAnalysis.replay(errorSeries(seed, 54, 50, i -> 0.005), policy);
            Verdict.Promote promote = assertInstanceOf(Verdict.Promote.class, report.verdict(), "seed " + seed);
            assertTrue(
                    promote.at() >= policy.promoteBySeconds() && promote.at() <= lastStepEnds,
                    "seed " + seed + " promoted at " + promote.at());
            if (promote.at() == policy.promoteBySeconds()) {
                atPromoteBy++;
            } else {
                // later only because it was held
                assertTrue(
                        report.timeline().stream().anyMatch(t -> t.note().startsWith("not promoted yet")),
                        "seed " + seed);
            }
        }
        assertTrue(atPromoteBy >= 16, "promoted at the promote-by time in " + atPromoteBy + " of 40");
    }

    @Test
    void evidenceOfARegressionTakesTheCanaryToItsLastStepEarlyWhereItIsProvedSooner() {
        CanaryPolicy policy = CanaryPolicy.defaults();
        int early = 0;
        for (long seed = 1; seed <= 20; seed++) {
            // errors triple from 40 s on
            AnalysisReport report =
                    CanaryAnalysis.replay(errorSeries(seed, 54, 1000, i -> i >= 4 ? 0.015 : 0.005), policy);
            assertInstanceOf(Verdict.Rollback.class, report.verdict(), "seed " + seed);
            long fifty = firstAt(report, 50);
            assertTrue(fifty == -1 || fifty < policy.lastStepAfterSeconds(), "seed " + seed + ": 50% at " + fifty);
            early += fifty != -1 ? 1 : 0;
        }
        assertTrue(early >= 10, "moved on early in " + early + " of 20");
    }

    /** When the canary first ran at {@code weight} percent (the start of its first interval there), or -1. */
    static long firstAt(AnalysisReport report, int weight) {
        return report.timeline().stream()
                .filter(t -> t.weight() == weight)
                .mapToLong(TimelineEntry::t)
                .min()
                .orElse(-1);
    }
}
