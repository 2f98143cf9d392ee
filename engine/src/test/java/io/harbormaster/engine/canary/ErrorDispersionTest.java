package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Errors in bursts: the spread is estimated from the baseline (near 0 for Poisson counts, near the truth for bursty
 * ones, untouched by a regression of the canary), and with it the error-rate judges keep their level where a binomial
 * reading of the same counts would not.
 */
class ErrorDispersionTest {
    /** Each track's rate is multiplied by a gamma factor of this shape per interval: rho about 1 / (2 k) = 0.125. */
    static final double SHAPE = 4;

    static final int INTERVALS = 36;

    /** Per track and interval: requests at the three weights, the baseline's error rate. */
    static int requests(int i) {
        return new int[] {100, 500, 1000}[i / 12];
    }

    static final double RATE = 0.005;

    /** Errors of one track in one interval: Poisson, with the rate times a gamma factor when {@code bursty}. */
    static int errors(SplittableRandom random, int requests, double rate, boolean bursty) {
        double mean = requests * rate * (bursty ? TrafficGenerator.gamma(random, SHAPE) : 1);
        return ClosingTestTest.poisson(random, mean);
    }

    @Test
    void poissonCountsMostlyLeaveTheBinomialModelAlone() {
        int zero = 0;
        double sum = 0;
        for (int run = 0; run < 500; run++) {
            var random = new SplittableRandom(100 + run);
            var d = new ErrorDispersion();
            for (int i = 0; i < INTERVALS; i++) {
                d.observe(requests(i), errors(random, requests(i), RATE, false));
            }
            zero += d.rho() == 0 ? 1 : 0;
            sum += d.rho();
        }
        assertTrue(zero >= 375, "rho was 0 in " + zero + " of 500 runs");
        assertTrue(sum / 500 < 0.01, "mean rho " + sum / 500);
    }

    @Test
    void burstyCountsAreFoundAndARegressionOfTheCanaryIsNotMistakenForThem() {
        double sum = 0;
        for (int run = 0; run < 500; run++) {
            var random = new SplittableRandom(200 + run);
            var d = new ErrorDispersion();
            for (int i = 0; i < INTERVALS; i++) {
                d.observe(requests(i), errors(random, requests(i), RATE, true));
            }
            sum += d.rho();
        }
        // the truth is about 0.11 to 0.125; the estimate is lowered by a standard error, so it falls a little short
        assertTrue(sum / 500 > 0.06 && sum / 500 <= 0.125, "mean rho " + sum / 500);

        // only the baseline is read: a canary failing five times as often leaves the estimate where it was
        var random = new SplittableRandom(7);
        var judge = new ErrorRateEProcess(2.0, 0.005);
        var alone = new ErrorDispersion();
        for (int i = 0; i < INTERVALS; i++) {
            int eB = errors(random, requests(i), RATE, false);
            int eC = errors(random, requests(i), 5 * RATE, false);
            judge.observe(requests(i), eC, requests(i), eB);
            alone.observe(requests(i), eB);
        }
        assertEquals(alone.rho(), judge.dispersionRho());
    }

    @Test
    void withBurstyErrorsTheSequentialJudgeCrossesLessOftenThanABinomialReading() {
        double level = 0.01;
        int runs = 2000;
        AtomicInteger crossed = new AtomicInteger(), binomialCrossed = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(30_000 + run);
            var tempered = new ErrorRateEProcess(2.0, 0.005);
            var binomial = new ErrorRateEProcess(2.0, 0.005);
            binomial.ignoreDispersion();
            boolean[] done = new boolean[2];
            for (int i = 0; i < INTERVALS; i++) {
                int n = requests(i);
                int eB = errors(random, n, RATE, true), eC = errors(random, n, RATE, true);
                tempered.observe(n, eC, n, eB);
                binomial.observe(n, eC, n, eB);
                if (!done[0] && tempered.eValue() >= 1 / level) {
                    done[0] = true;
                    crossed.incrementAndGet();
                }
                if (!done[1] && binomial.eValue() >= 1 / level) {
                    done[1] = true;
                    binomialCrossed.incrementAndGet();
                }
            }
        });
        // the binomial reading crosses several times as often as its level; the tempered one a good deal less, but
        // still above the level: the first minutes carry little sign of bursts (measured: 72 against 119 of 2000)
        assertTrue(binomialCrossed.get() > 4 * level * runs, "binomial: " + binomialCrossed + " of " + runs);
        assertTrue(
                crossed.get() <= binomialCrossed.get() * 2 / 3,
                "tempered: " + crossed + " of " + runs + ", binomial " + binomialCrossed);
    }

    /** The bursts a service's earlier canaries (their baselines) showed, as the store keeps them. */
    static CanaryNoise.Bursts earlierBursts(SplittableRandom random, int canaries, boolean bursty) {
        var sums = CanaryNoise.Bursts.NONE;
        for (int c = 0; c < canaries; c++) {
            var d = new ErrorDispersion();
            for (int i = 0; i < INTERVALS; i++) {
                d.observe(requests(i), errors(random, requests(i), RATE, bursty));
            }
            sums = sums.plus(d.own());
        }
        return sums;
    }

    @Test
    void withTheServicesEarlierBurstsTheSequentialJudgeStartsTemperedAndCrossesLessOften() {
        double level = 0.01;
        int runs = 2000;
        AtomicInteger crossed = new AtomicInteger(), alone = new AtomicInteger();
        AtomicInteger knownAtOnce = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(30_000 + run); // the same canaries as the test above
            var history = earlierBursts(new SplittableRandom(90_000 + run), 5, true);
            var warm = new ErrorRateEProcess(2.0, 0.005);
            warm.startFrom(history);
            var cold = new ErrorRateEProcess(2.0, 0.005);
            boolean[] done = new boolean[2];
            for (int i = 0; i < INTERVALS; i++) {
                int n = requests(i);
                int eB = errors(random, n, RATE, true), eC = errors(random, n, RATE, true);
                warm.observe(n, eC, n, eB);
                cold.observe(n, eC, n, eB);
                if (i == 0 && warm.dispersionRho() > 0.05) {
                    knownAtOnce.incrementAndGet();
                }
                if (!done[0] && warm.eValue() >= 1 / level) {
                    done[0] = true;
                    crossed.incrementAndGet();
                }
                if (!done[1] && cold.eValue() >= 1 / level) {
                    done[1] = true;
                    alone.incrementAndGet();
                }
            }
        });
        System.out.println("bursts from history: crossed " + crossed + ", alone " + alone + ", known at once "
                + knownAtOnce + " of " + runs);
        // measured: 1826 of 2000 above 0.05 (the truth is about 0.11 to 0.125), and 6 crossings against 72 alone
        assertTrue(knownAtOnce.get() >= runs * 85 / 100, "known at once in " + knownAtOnce + " of " + runs);
        assertTrue(crossed.get() <= level * runs, "with history: " + crossed + " of " + runs + ", alone " + alone);
        assertTrue(crossed.get() <= alone.get() / 3, "with history: " + crossed + " of " + runs + ", alone " + alone);
    }

    @Test
    void aHistoryFromQuieterTimesDoesNotTemperABurstyCanaryLessThanItsOwnEstimate() {
        double level = 0.01;
        int runs = 2000;
        AtomicInteger crossed = new AtomicInteger(), alone = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(30_000 + run); // the same canaries as above
            var stale = new ErrorRateEProcess(2.0, 0.005);
            stale.startFrom(earlierBursts(new SplittableRandom(90_000 + run), 5, false));
            var cold = new ErrorRateEProcess(2.0, 0.005);
            boolean[] done = new boolean[2];
            for (int i = 0; i < INTERVALS; i++) {
                int n = requests(i);
                int eB = errors(random, n, RATE, true), eC = errors(random, n, RATE, true);
                stale.observe(n, eC, n, eB);
                cold.observe(n, eC, n, eB);
                assertTrue(stale.dispersionRho() >= cold.dispersionRho(), "interval " + i + ", run " + run);
                if (!done[0] && stale.eValue() >= 1 / level) {
                    done[0] = true;
                    crossed.incrementAndGet();
                }
                if (!done[1] && cold.eValue() >= 1 / level) {
                    done[1] = true;
                    alone.incrementAndGet();
                }
            }
        });
        // before the canary's own estimate was kept as a floor: 107 against 72 (a stale history was worse than none)
        assertTrue(crossed.get() <= alone.get(), "stale history: " + crossed + " of " + runs + ", alone " + alone);
    }

    @Test
    void earlierCanariesWithoutBurstsLeaveTheBinomialModelAlone() {
        int zero = 0;
        for (int run = 0; run < 500; run++) {
            var d = new ErrorDispersion();
            d.startFrom(earlierBursts(new SplittableRandom(run), 5, false));
            var random = new SplittableRandom(100 + run);
            for (int i = 0; i < INTERVALS; i++) {
                d.observe(requests(i), errors(random, requests(i), RATE, false));
            }
            zero += d.rho() < 0.01 ? 1 : 0;
        }
        assertTrue(zero >= 400, "rho below 0.01 in " + zero + " of 500 runs");
    }

    @Test
    void withBurstyErrorsTheClosingTestRejectsLessOftenThanABinomialReading() {
        double level = 0.01;
        int runs = 4000;
        AtomicInteger rejected = new AtomicInteger(), binomialRejected = new AtomicInteger();
        IntStream.range(0, runs).parallel().forEach(run -> {
            var random = new SplittableRandom(50_000 + run);
            var test = new ClosingTest();
            var binomial = new ClosingTest();
            binomial.ignoreDispersion();
            for (int i = 0; i < INTERVALS; i++) {
                int n = requests(i);
                var sample = new IntervalSample(
                        10L * i,
                        new TrackSample(n, errors(random, n, RATE, true), 40, 230, 0),
                        new TrackSample(n, errors(random, n, RATE, true), 40, 230, 0));
                test.observe(sample, 10 * i + 5);
                binomial.observe(sample, 10 * i + 5);
            }
            rejected.addAndGet(test.regression(level, 0, 340).isPresent() ? 1 : 0);
            binomialRejected.addAndGet(binomial.regression(level, 0, 340).isPresent() ? 1 : 0);
        });
        // measured: 112 against 223 of 4000; the estimate is lowered by a standard error, so some excess is left
        assertTrue(binomialRejected.get() > 4 * level * runs, "binomial: " + binomialRejected + " of " + runs);
        assertTrue(
                rejected.get() <= binomialRejected.get() * 0.6,
                "tempered: " + rejected + " of " + runs + ", binomial " + binomialRejected);
    }
}
