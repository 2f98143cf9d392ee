package io.harbormaster.engine.canary;

/**
 * Absolute limits that roll back whatever the statistics say: canary error rate over a window, p99 sustained over a
 * window, pod restarts within a window. {@code minRequests} keeps one failed request out of ten from reading as 10%.
 */
public record HardTriggerPolicy(
        double maxErrorRate,
        long errorWindowSeconds,
        double maxP99Ms,
        long p99WindowSeconds,
        double maxRestarts,
        long restartWindowSeconds,
        double minRequests) {

    /** Issue 6's defaults: error rate > 5% over 2 min, p99 > 2000 ms over 3 min, restarts >= 3 over 5 min. */
    public static HardTriggerPolicy defaults() {
        return new HardTriggerPolicy(0.05, 120, 2000, 180, 3, 300, 20);
    }
}
