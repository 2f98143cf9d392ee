package io.harbormaster.engine.adapters.prometheus;

/** The five per-interval observations of a track, each read from Prometheus with its own PromQL template. */
public enum CanaryMetric {
    REQUESTS("requests"),
    ERRORS("errors"),
    P50("p50"),
    P99("p99"),
    RESTARTS("restarts");

    private final String configName;

    CanaryMetric(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration and in messages ({@code requests}, {@code p99}, ...). */
    public String configName() {
        return configName;
    }
}
