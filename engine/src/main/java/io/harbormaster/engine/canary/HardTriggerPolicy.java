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

    public HardTriggerPolicy {
        if (!(maxErrorRate > 0 && maxErrorRate <= 1)) {
            throw new IllegalArgumentException(
                    "hard_triggers.max_error_rate is a share of requests above 0 and at most 1" + " (0.05 is 5%), got "
                            + maxErrorRate);
        }
        if (!(maxP99Ms > 0) || !Double.isFinite(maxP99Ms)) {
            throw new IllegalArgumentException(
                    "hard_triggers.max_p99_ms must be a positive number of milliseconds, got " + maxP99Ms);
        }
        if (!(maxRestarts >= 1) || !Double.isFinite(maxRestarts)) {
            throw new IllegalArgumentException(
                    "hard_triggers.max_restarts must be 1 or more (the rollback fires at this"
                            + " many restarts; 0 would fire on every canary), got " + maxRestarts);
        }
        if (errorWindowSeconds <= 0 || p99WindowSeconds <= 0 || restartWindowSeconds <= 0) {
            throw new IllegalArgumentException("hard_triggers' windows (error_window_seconds, p99_window_seconds,"
                    + " restart_window_seconds) must be positive, got " + errorWindowSeconds + ", " + p99WindowSeconds
                    + " and " + restartWindowSeconds);
        }
        if (!(minRequests >= 0) || !Double.isFinite(minRequests)) {
            throw new IllegalArgumentException("hard_triggers.min_requests must be 0 or more, got " + minRequests);
        }
    }

    /** Issue 6's defaults: error rate > 5% over 2 min, p99 > 2000 ms over 3 min, restarts >= 3 over 5 min. */
    public static HardTriggerPolicy defaults() {
        return new HardTriggerPolicy(0.05, 120, 2000, 180, 3, 300, 20);
    }
}
