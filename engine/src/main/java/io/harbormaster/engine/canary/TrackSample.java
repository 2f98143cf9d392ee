package io.harbormaster.engine.canary;

/**
 * One analysis interval's observations of one track (baseline or canary). Counts are per interval; a value with no
 * data is {@code NaN}, never a made-up zero, so that missing data can never look healthy.
 */
public record TrackSample(double requests, double errors, double p50Ms, double p99Ms, double restarts) {

    /** An interval in which nothing at all was observed. */
    public static final TrackSample NO_DATA =
            new TrackSample(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
}
