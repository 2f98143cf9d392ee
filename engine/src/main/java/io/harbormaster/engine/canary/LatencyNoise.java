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
 */
public record LatencyNoise(Reading p50, Reading p99) {
    /** No history: the judge learns the noise from the canary alone. */
    public static final LatencyNoise NONE = new LatencyNoise(Reading.NONE, Reading.NONE);

    public LatencyNoise {
        if (p50 == null || p99 == null) {
            throw new IllegalArgumentException("latency noise needs both p50 and p99 readings (Reading.NONE for none)");
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
        for (LatencyNoise c : canaries) {
            p50 = p50.plus(c.p50());
            p99 = p99.plus(c.p99());
        }
        return new LatencyNoise(p50, p99);
    }

    /** At most {@code max} values' worth per quantile. */
    public LatencyNoise capped(int max) {
        return new LatencyNoise(p50.capped(max), p99.capped(max));
    }
}
