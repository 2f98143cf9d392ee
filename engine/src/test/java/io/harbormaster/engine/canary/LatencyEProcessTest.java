package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.canary.bench.Fault;
import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The latency e-process: its closed form is the Bayes factor it claims to be, it rarely ever crosses 1/alpha when
 * the canary is not slower (however many looks), and it crosses soon after a real slowdown starts.
 */
class LatencyEProcessTest {
    static final double ALPHA = 0.05;
    /** Requests per track per interval at 5%, 25% and 50% of 200 requests/s, 10 s intervals. */
    static final int[] STEPS = {100, 500, 1000};

    @Test
    void theClosedFormIsTheBayesFactorOfTheModel() {
        double[] x = {0.4, -1.1, 0.3, 2.2, 1.7, 2.9};
        double[] u = {0, 0, 0, 1.5, 1.5, 0.7}; // the shift from the fourth value on, with unequal weights
        double t = 0, uu = 0, s = 0;
        for (int i = 0; i < x.length; i++) {
            t += u[i] * x[i];
            uu += u[i] * u[i];
            s += x[i] * x[i];
        }
        for (double g : new double[] {0.04, 0.64, 2.56}) {
            double[] numeric = numericBayesFactors(x, u, g);
            double normal = LatencyEProcess.bayesFactor(x.length, g, uu, t, s);
            double upward = 2 * normal * LatencyEProcess.upwards(x.length, g, uu, t, s);
            assertEquals(numeric[0], normal, 1e-4 * numeric[0], "normal prior, g " + g);
            assertEquals(numeric[1], upward, 1e-4 * numeric[1], "half-normal prior, g " + g);
        }
    }

    /**
     * The Bayes factors of "x ~ N(delta sigma u, sigma^2 I)" against "x ~ N(0, sigma^2 I)" with prior 1/sigma on sigma
     * and delta ~ N(0, g) (first) or the half of it above zero, doubled (second), by brute-force quadrature.
     */
    static double[] numericBayesFactors(double[] x, double[] u, double g) {
        double h0 = 0, normal = 0, upward = 0;
        double dl = 0.01, dd = Math.sqrt(g) / 200;
        for (double l = -8; l <= 6; l += dl) { // sigma = e^l, d sigma / sigma = dl
            double sigma = Math.exp(l);
            h0 += Math.exp(logLikelihood(x, u, 0, sigma)) * dl;
            for (int k = -2000; k <= 2000; k++) { // delta = k dd over +-10 prior sd, trapezoid rule
                double d = k * dd;
                double prior = Math.exp(-d * d / (2 * g)) / Math.sqrt(2 * Math.PI * g);
                double w = Math.exp(logLikelihood(x, u, d * sigma, sigma)) * prior * dd * dl;
                normal += w;
                upward += k > 0 ? 2 * w : k == 0 ? w : 0;
            }
        }
        return new double[] {normal / h0, upward / h0};
    }

    private static double logLikelihood(double[] x, double[] u, double mu, double sigma) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double r = x[i] - mu * u[i];
            sum += -0.5 * Math.log(2 * Math.PI * sigma * sigma) - r * r / (2 * sigma * sigma);
        }
        return sum;
    }

    @Test
    void withNormalNoiseAndASharedDriftItRarelyEverCrossesOneOverAlpha() {
        int runs = 4000;
        AtomicInteger crossed = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(100 + run);
            var p = new LatencyEProcess(0.10);
            double sigma = 0.3 + random.nextDouble() * 1.5; // any noise level
            for (int i = 0; i < 54; i++) {
                double mean = STEPS[Math.min(i / 6, 2)];
                double nB = mean + Math.sqrt(mean) * random.nextGaussian();
                double nC = mean + Math.sqrt(mean) * random.nextGaussian();
                // both tracks warm up, then follow the same daily drift
                double level = Math.log(40) + 0.9 * Math.exp(-i / 4.0) + 0.2 * Math.sin(i / 9.0);
                p.observe(
                        Math.exp(level + sigma / Math.sqrt(nB) * random.nextGaussian()),
                        Math.exp(level + sigma / Math.sqrt(nC) * random.nextGaussian()),
                        nB,
                        nC);
                if (p.eValue() >= 1 / ALPHA) {
                    crossed.incrementAndGet();
                    return;
                }
            }
        });
        double rate = (double) crossed.get() / runs;
        assertTrue(rate <= ALPHA, "crossed 1/alpha in " + rate + " of healthy runs, alpha " + ALPHA);
    }

    @Test
    void onSimulatedRequestsTheQuantilesOfHealthyTracksRarelyCrossOneOverAlpha() {
        // p50 and p99 computed from simulated requests (lognormal with a slow mode, heavy tail), not normal noise
        int runs = 1000;
        AtomicInteger p50 = new AtomicInteger(), p99 = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var scenario =
                    new Scenario("healthy", 200, 0.005, run % 2 == 0 ? 0.35 : 0.8, true, true, false, Fault.NONE);
            var generator = new TrafficGenerator(scenario, 0, 5000L + run);
            var e50 = new LatencyEProcess(0.10);
            var e99 = new LatencyEProcess(0.20);
            boolean seen50 = false, seen99 = false;
            for (int i = 0; i < 54; i++) {
                IntervalSample s = generator.next(10L * i, new int[] {5, 25, 50}[i / 18]);
                TrackSample b = s.baseline(), c = s.canary();
                e50.observe(b.p50Ms(), c.p50Ms(), b.requests(), c.requests());
                e99.observe(b.p99Ms(), c.p99Ms(), b.requests(), c.requests());
                seen50 |= e50.eValue() >= 1 / ALPHA;
                seen99 |= e99.eValue() >= 1 / ALPHA;
            }
            if (seen50) p50.incrementAndGet();
            if (seen99) p99.incrementAndGet();
        });
        assertTrue(p50.get() <= ALPHA * runs, "p50 crossed in " + p50.get() + " of " + runs);
        assertTrue(p99.get() <= ALPHA * runs, "p99 crossed in " + p99.get() + " of " + runs);
    }

    @Test
    void aSlowdownThatStartsLateIsFoundWithinAFewIntervals() {
        double threshold = 1 / SequentialPolicy.defaults().latencyAlpha();
        int runs = 200;
        int[] needed = new int[runs];
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(900 + run);
            var p = new LatencyEProcess(0.10);
            int onset = 12;
            needed[run] = Integer.MAX_VALUE;
            for (int i = 0; i < 40; i++) {
                double n = 1000, sd = 0.72 / Math.sqrt(n);
                double shift = i >= onset ? Math.log(1.25) : 0;
                p.observe(
                        Math.exp(Math.log(40) + sd * random.nextGaussian()),
                        Math.exp(Math.log(40) + shift + sd * random.nextGaussian()),
                        n,
                        n);
                if (i < onset) {
                    assertTrue(p.eValue() < threshold, "crossed before the slowdown, run " + run);
                } else if (p.eValue() >= threshold) {
                    needed[run] = i - onset + 1;
                    break;
                }
            }
        }
        long withinThree = IntStream.of(needed).filter(k -> k <= 3).count();
        assertTrue(withinThree >= 0.95 * runs, "found within 3 intervals in " + withinThree + " of " + runs);
    }

    @Test
    void aSlowdownFromTheFirstIntervalIsFoundOnceAFewIntervalsHaveMeasuredTheNoise() {
        // no interval before the onset to learn sigma from: the level contrasts within a block supply most of it
        // (with disjoint pairs of levels instead, 78% of these runs were found within 6 intervals)
        double threshold = 1 / SequentialPolicy.defaults().latencyAlpha();
        int runs = 400, withinSix = 0;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(900 + run);
            var p = new LatencyEProcess(0.10);
            for (int i = 0; i < 6; i++) {
                double n = i < 3 ? 100 : 500, sd = 0.72 / Math.sqrt(n); // 5%, then 25% of 200 requests/s
                p.observe(
                        Math.exp(Math.log(40) + sd * random.nextGaussian()),
                        Math.exp(Math.log(40 * 1.25) + sd * random.nextGaussian()),
                        n,
                        n);
                if (p.eValue() >= threshold) {
                    withinSix++;
                    break;
                }
            }
        }
        assertTrue(withinSix >= 0.85 * runs, "found within 6 intervals in " + withinSix + " of " + runs);
    }

    @Test
    void aFasterCanaryGivesNoEvidenceOfASlowerOne() {
        var random = new SplittableRandom(3);
        var p = new LatencyEProcess(0.10);
        for (int i = 0; i < 30; i++) {
            double sd = 0.72 / Math.sqrt(500);
            p.observe(
                    Math.exp(Math.log(40) + sd * random.nextGaussian()),
                    Math.exp(Math.log(32) + sd * random.nextGaussian()),
                    500,
                    500);
        }
        assertTrue(p.eValue() < 1, "e-value " + p.eValue());
        assertTrue(p.promoteEValue() > 1 / SequentialPolicy.defaults().promoteAlpha(), "" + p.promoteEValue());
    }

    @Test
    void aSlowdownThatIsStillGrowingBlocksPromotionThoughTheWholeCanaryLooksFine() {
        var random = new SplittableRandom(4);
        var p = new LatencyEProcess(0.10);
        double sd = 0.72 / Math.sqrt(1000);
        for (int i = 0; i < 36; i++) {
            double shift = i < 30 ? 0 : Math.log(1 + 0.02 * (i - 29)); // the last six intervals: +2% .. +12%
            p.observe(
                    Math.exp(Math.log(40) + sd * random.nextGaussian()),
                    Math.exp(Math.log(40) + shift + sd * random.nextGaussian()),
                    1000,
                    1000);
            if (i == 29) {
                assertTrue(p.promoteEValue() > 1 / SequentialPolicy.defaults().promoteAlpha());
            }
        }
        assertTrue(p.promoteEValue() < 1 / SequentialPolicy.defaults().promoteAlpha(), "" + p.promoteEValue());
    }

    @Test
    void identicalQuantisedReadingsDoNotMakeOneSmallDifferenceLookCertain() {
        // histogram quantiles often read exactly the same on both tracks; one reading 1% higher is not a regression
        var p = new LatencyEProcess(0.10);
        for (int i = 0; i < 30; i++) {
            p.observe(250, 250, 1000, 1000);
        }
        p.observe(250, 252.5, 1000, 1000);
        assertTrue(p.eValue() < 10, "e-value " + p.eValue());
    }

    @Test
    void theSequentialLatencyEvidenceGivesBothTracksValuesInMsWhoseRatioIsItsEstimate() {
        var judge = new SequentialJudge(SequentialPolicy.defaults());
        for (int i = 0; i < 6; i++) {
            double wobble = 1 + 0.02 * Math.sin(i);
            judge.observe(new IntervalSample(
                    10L * i,
                    Samples.track(1000, 1, 100 * wobble, 300),
                    Samples.track(1000, 1, 300 * wobble * wobble, 900)));
        }
        var p50 = judge.evidence().stream()
                .filter(e -> e.metric().equals("p50_ms"))
                .findFirst()
                .orElseThrow();

        assertEquals(100, p50.baseline(), 3);
        assertEquals(300, p50.canary(), 9);
        assertEquals(p50.estimate(), p50.canary() / p50.baseline(), 1e-9);
    }
}
