package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The error-rate e-process: it rarely ever crosses 1/alpha while both tracks fail alike (even as the common rate
 * drifts), it finds a regression that starts late, and its onset prior is a probability distribution.
 */
class ErrorRateEProcessTest {
    static final double ALPHA = 0.05;

    @Test
    void theOnsetPriorSumsToOne() {
        var prior = new ChangePoint();
        for (int n : new int[] {0, 1, 5, 54, 1000}) {
            double sum = prior.tailFrom(n + 1);
            for (int tau = 1; tau <= n; tau++) {
                sum += prior.weight(tau);
            }
            assertEquals(1.0, sum, 1e-12, "after " + n + " intervals");
        }
        double weights = 0;
        for (double w : ErrorRateEProcess.RATIO_WEIGHTS) {
            weights += w;
        }
        assertEquals(1.0, weights, 1e-12);
    }

    @Test
    void bothTracksFailingAlikeRarelyEverCrossOneOverAlpha() {
        int runs = 4000;
        AtomicInteger crossed = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(7000 + run);
            var p = new ErrorRateEProcess(2.0, 0.005);
            double base = 0.002 + 0.02 * random.nextDouble();
            for (int i = 0; i < 54; i++) {
                int n = new int[] {100, 500, 1000}[i / 18];
                double rate = base * (1 + 3 * Math.exp(-i / 4.0)) * (1 + 0.5 * Math.sin(i / 7.0)); // shared drift
                int nB = poisson(random, n), nC = poisson(random, n);
                p.observe(nC, binomial(random, nC, rate), nB, binomial(random, nB, rate));
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
    void aFivefoldErrorRateThatStartsLateIsFoundWithinAFewIntervals() {
        double threshold = 1 / SequentialPolicy.defaults().errorAlpha();
        int runs = 200, within = 0;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(300 + run);
            var p = new ErrorRateEProcess(2.0, 0.005);
            int onset = 15;
            for (int i = 0; i < onset + 4; i++) {
                int n = 1000;
                double canaryRate = i >= onset ? 0.025 : 0.005;
                p.observe(n, binomial(random, n, canaryRate), n, binomial(random, n, 0.005));
                if (i < onset) {
                    assertTrue(p.eValue() < threshold, "crossed before the regression, run " + run);
                }
            }
            if (p.eValue() >= threshold) {
                within++;
            }
        }
        assertTrue(within >= 0.95 * runs, "found within 4 intervals in " + within + " of " + runs);
    }

    @Test
    void aSlowlyGrowingErrorRateIsFoundSoonerWithTheGrowingAlternatives() {
        double threshold = 1 / SequentialPolicy.defaults().errorAlpha();
        int runs = 300;
        int withRamps = 0, constantOnly = 0;
        for (int run = 0; run < runs; run++) {
            var random = new SplittableRandom(900 + run);
            var ramps = new ErrorRateEProcess(2.0, 0.005);
            var constant = new ErrorRateEProcess(2.0, 0.005, 0);
            boolean foundRamps = false, foundConstant = false;
            for (int i = 0; i < 33; i++) {
                // from interval 3 on, the canary's errors grow to twice the baseline's over 30 intervals (5 min)
                double canaryRate = 0.005 * (1 + Math.min(1, Math.max(0, i - 3) / 30.0));
                int nC = 1000, nB = 1000;
                int eC = binomial(random, nC, canaryRate), eB = binomial(random, nB, 0.005);
                ramps.observe(nC, eC, nB, eB);
                constant.observe(nC, eC, nB, eB);
                foundRamps |= ramps.eValue() >= threshold;
                foundConstant |= constant.eValue() >= threshold;
            }
            withRamps += foundRamps ? 1 : 0;
            constantOnly += foundConstant ? 1 : 0;
        }
        assertTrue(
                withRamps >= constantOnly + runs / 20,
                "found by interval 33 in " + withRamps + " runs with growing alternatives, " + constantOnly
                        + " with constant ratios only");
    }

    @Test
    void aGrowingRegressionBlocksPromotionThoughTheWholeCanaryLooksFine() {
        var p = new ErrorRateEProcess(2.0, 0.005);
        for (int i = 0; i < 30; i++) {
            p.observe(1000, 5, 1000, 5); // identical for five minutes
        }
        assertTrue(p.promoteEValue() > 1 / SequentialPolicy.defaults().promoteAlpha());
        for (int i = 0; i < 6; i++) {
            p.observe(1000, 12, 1000, 5); // then the canary fails twice as often and more
        }
        assertTrue(p.promoteEValue() < 1, "promote e-value " + p.promoteEValue());
    }

    static int poisson(SplittableRandom random, int mean) {
        return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }

    static int binomial(SplittableRandom random, int n, double p) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < p) {
                k++;
            }
        }
        return k;
    }
}
