package io.harbormaster.engine.canary;

import java.util.List;

/**
 * How noisy a service's latency readings were in one or more canaries, per quantile: the sequential judge's
 * whitened values (differences of log quantiles between the tracks and contrasts of their shared level, each scaled
 * to one request's worth of variance) counted and summed as squares. Under "same distribution" every such value has
 * the same variance, the service's per-request noise of that quantile, whatever the traffic or the weight.
 *
 * <p>A new canary starts knowing nothing of it, and a scale-invariant test learns it from its own first intervals,
 * which costs time exactly when a fault that starts early should be caught. The noise of the service's earlier
 * promoted canaries, kept by the store, lets the judge start with it (see {@link LatencyEProcess}).
 *
 * <p>The noise of a quantile grows with the spread of the distribution it is read from, so the history also keeps
 * that spread as the baseline showed it (log p99 - log p50): a canary whose baseline, the version the history was
 * measured on, is spread differently does not use the history.
 */
public record LatencyNoise(Reading p50, Reading p99, Spread spread) {
    /** How many of a service's latest promoted canaries a new canary learns the noise from. */
    public static final int CANARIES = 5;

    /** No history: the judge learns the noise from the canary alone. */
    public static final LatencyNoise NONE = new LatencyNoise(Reading.NONE, Reading.NONE, Spread.NONE);

    public LatencyNoise {
        if (p50 == null || p99 == null || spread == null) {
            throw new IllegalArgumentException(
                    "latency noise needs p50 and p99 readings and the spread (NONE for none of them)");
        }
    }

    /** Whether there is anything to start from: both quantiles' noise and the spread they were read at. */
    public boolean known() {
        return p50.values() > 0 && p99.values() > 0 && spread.intervals() > 0;
    }

    /** The baseline's spread, log p99 - log p50, summed over the intervals it was read in. */
    public record Spread(int intervals, double sum) {
        public static final Spread NONE = new Spread(0, 0);

        public Spread {
            if (intervals < 0) {
                throw new IllegalArgumentException("a spread counts 0 or more intervals, got " + intervals);
            }
            if (!Double.isFinite(sum)) {
                throw new IllegalArgumentException("a spread's sum must be finite, got " + sum);
            }
            if (intervals == 0 && sum != 0) {
                throw new IllegalArgumentException("a spread of no intervals must sum to 0, got " + sum);
            }
        }

        /** The mean spread; NaN without intervals. */
        public double mean() {
            return intervals > 0 ? sum / intervals : Double.NaN;
        }

        Spread plus(Spread other) {
            return new Spread(intervals + other.intervals, sum + other.sum);
        }
    }

    /** One quantile's noise: how many whitened values, and the sum of their squares. */
    public record Reading(int values, double sumSquares) {
        public static final Reading NONE = new Reading(0, 0);

        public Reading {
            if (values < 0) {
                throw new IllegalArgumentException("a noise reading counts 0 or more values, got " + values);
            }
            if (!(sumSquares >= 0) || !Double.isFinite(sumSquares)) {
                throw new IllegalArgumentException(
                        "a noise reading's sum of squares must be finite and 0 or more, got " + sumSquares);
            }
            if (values == 0 && sumSquares != 0) {
                throw new IllegalArgumentException("a noise reading of no values must sum to 0, got " + sumSquares);
            }
        }

        /** The mean square, the noise's variance; NaN without values. */
        public double variance() {
            return values > 0 ? sumSquares / values : Double.NaN;
        }

        Reading plus(Reading other) {
            return new Reading(values + other.values, sumSquares + other.sumSquares);
        }

        /** At most {@code max} values' worth, at the same variance. */
        public Reading capped(int max) {
            return values <= max ? this : new Reading(max, max * variance());
        }
    }

    /** The noise of several canaries taken together (each value counts once, whichever canary it came from). */
    public static LatencyNoise pooled(List<LatencyNoise> canaries) {
        Reading p50 = Reading.NONE, p99 = Reading.NONE;
        Spread spread = Spread.NONE;
        for (LatencyNoise c : canaries) {
            p50 = p50.plus(c.p50());
            p99 = p99.plus(c.p99());
            spread = spread.plus(c.spread());
        }
        return new LatencyNoise(p50, p99, spread);
    }

    /** At most {@code max} values' worth per quantile. */
    public LatencyNoise capped(int max) {
        return new LatencyNoise(p50.capped(max), p99.capped(max), spread);
    }
}
