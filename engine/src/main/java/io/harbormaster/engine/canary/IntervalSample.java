package io.harbormaster.engine.canary;

/** Baseline and canary side by side for the interval that starts {@code t} seconds after the canary started. */
public record IntervalSample(long t, TrackSample baseline, TrackSample canary) {}
