package io.harbormaster.engine.rollout;

import java.time.Duration;

/**
 * Hears how long the pipeline's own work takes, for the operator's metrics (the bot's {@code /metrics}). The engine
 * measures; what records the figures is outside it. Implementations must be quick and must not throw: they run inside
 * a rollout.
 */
public interface PipelineTimings {
    /**
     * One evaluation of a canary: its interval samples read from the metrics source and judged.
     *
     * @param took wall-clock time, whatever the pipeline's clock says (the sandbox's clock may be simulated)
     */
    void canaryAnalysed(String service, Duration took);

    /** Timings nobody records (tests, and commands without metrics). */
    PipelineTimings NONE = (service, took) -> {};
}
