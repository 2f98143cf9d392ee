package io.harbormaster.engine.canary;

/** One interval of an analysis as it happened: the canary's weight, what was decided, and the running e-values. */
public record TimelineEntry(
        long t, int weight, String decision, double errorEValue, double p50EValue, double p99EValue, String note) {}
