package io.harbormaster.engine.canary;

/**
 * The sequential judge's budget and its definition of a meaningful regression. {@code alpha} is the probability of
 * ever rolling back a healthy canary on this judge's evidence, split over error rate, p50 and p99 (Bonferroni).
 * {@code promoteAlpha} is the probability of promoting early a canary whose regression is at least meaningful: error
 * rate at least {@code errorRatio} times the baseline's and at least {@code errorPoints} above it, p50 at least
 * {@code p50Increase} and p99 at least {@code p99Increase} higher (relative). {@code noiseHistory} is how many
 * readings of latency noise from the service's earlier promoted canaries a canary starts with (each interval gives
 * about two; 0: no history at all, neither latency noise nor error bursts: the canary learns them alone).
 * {@code stableNoiseMinutes} is how long a window before a canary the pipeline reads the service's stable track for
 * that noise when the service has no earlier canaries to start from (its first under Harbormaster; 0: not read, such
 * a canary learns the noise alone; no effect with {@code noiseHistory} 0).
 */
public record SequentialPolicy(
        double alpha,
        double promoteAlpha,
        double errorRatio,
        double errorPoints,
        double p50Increase,
        double p99Increase,
        int warmupIntervals,
        int noiseHistory,
        int stableNoiseMinutes) {

    /** The longest window before a canary that its stable track is read for: a day. */
    public static final int MAX_STABLE_NOISE_MINUTES = 1440;

    public SequentialPolicy {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException(
                    "sequential.alpha must be between 0 and 1 (a probability, 0.008 is 0.8%), got " + alpha);
        }
        if (!(promoteAlpha > 0 && promoteAlpha < 1)) {
            throw new IllegalArgumentException(
                    "sequential.promote_alpha must be between 0 and 1 (a probability), got " + promoteAlpha);
        }
        if (!(errorRatio > 1) || !Double.isFinite(errorRatio)) {
            throw new IllegalArgumentException(
                    "sequential.error_ratio must be above 1 (2 means twice the baseline's error rate), got "
                            + errorRatio);
        }
        if (!(errorPoints > 0 && errorPoints < 1)) {
            throw new IllegalArgumentException(
                    "sequential.error_points must be between 0 and 1 (0.005 is half a percentage point), got "
                            + errorPoints);
        }
        if (!(p50Increase > 0) || !(p99Increase > 0) || !Double.isFinite(p50Increase + p99Increase)) {
            throw new IllegalArgumentException("sequential.p50_increase and p99_increase must be above 0 (0.10 is"
                    + " 10% slower), got " + p50Increase + " and " + p99Increase);
        }
        if (warmupIntervals < 0) {
            throw new IllegalArgumentException("sequential.warmup_intervals must be 0 or more, got " + warmupIntervals);
        }
        if (noiseHistory < 0) {
            throw new IllegalArgumentException(
                    "sequential.noise_history must be 0 or more (0: no history), got " + noiseHistory);
        }
        if (stableNoiseMinutes < 0 || stableNoiseMinutes > MAX_STABLE_NOISE_MINUTES) {
            throw new IllegalArgumentException("sequential.stable_noise_minutes must be from 0 to "
                    + MAX_STABLE_NOISE_MINUTES + " (minutes of the stable track before a first canary to read its"
                    + " noise from; 0: not read), got " + stableNoiseMinutes);
        }
    }

    /**
     * 0.8% false rollbacks over the whole canary (with the closing test's 0.2%, 1% in all); meaningful = x2 and +0.5
     * points errors, +10% p50, +20% p99; up to 30 readings of latency noise from earlier canaries, or from the stable
     * track's 10 minutes before a canary that has none.
     */
    public static SequentialPolicy defaults() {
        return new SequentialPolicy(0.008, 0.05, 2.0, 0.005, 0.10, 0.20, 1, 30, 10);
    }

    /** This policy reading {@code minutes} of the stable track before a first canary (0: not read). */
    public SequentialPolicy withStableNoiseMinutes(int minutes) {
        return new SequentialPolicy(
                alpha,
                promoteAlpha,
                errorRatio,
                errorPoints,
                p50Increase,
                p99Increase,
                warmupIntervals,
                noiseHistory,
                minutes);
    }

    /**
     * The share of alpha spent on the error rate (a quarter); the rest is split evenly between p50 and p99. With the
     * default 0.8%, p50 and p99 keep the 0.3% each they had when the sequential judge had the whole 1%: their time to
     * detect is held closest to the oracle's, while slow error-rate regressions also have the closing test.
     */
    double errorAlpha() {
        return alpha * 0.25;
    }

    double latencyAlpha() {
        return alpha * 0.375;
    }
}
