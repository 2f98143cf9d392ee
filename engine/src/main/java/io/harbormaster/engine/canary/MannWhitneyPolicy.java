package io.harbormaster.engine.canary;

/**
 * Kayenta's per-metric settings: {@code tolerance} is the fraction of the shift estimate the interval must clear,
 * {@code confidence} the interval's level, and the effect-size limits are on the ratio of means (canary / baseline):
 * a metric is High only if the ratio is at least {@code allowedIncrease}, Low only if at most {@code allowedDecrease}.
 */
public record MannWhitneyPolicy(double tolerance, double confidence, double allowedIncrease, double allowedDecrease) {
    public MannWhitneyPolicy {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("mann_whitney.confidence must be between 0 and 1, got " + confidence);
        }
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("mann_whitney.tolerance must not be negative, got " + tolerance);
        }
        if (!(allowedIncrease >= 1) || !(allowedDecrease >= 1) || !Double.isFinite(allowedIncrease + allowedDecrease)) {
            throw new IllegalArgumentException(
                    "mann_whitney.allowed_increase and allowed_decrease are ratios of the means, 1 or more"
                            + " (1: no effect-size floor), got " + allowedIncrease + " and " + allowedDecrease);
        }
    }

    /** Kayenta's defaults as issue 6 states them: tolerance 0.25, confidence 0.98, no effect-size floor. */
    public static MannWhitneyPolicy defaults() {
        return new MannWhitneyPolicy(0.25, 0.98, 1.0, 1.0);
    }

    public MannWhitneyPolicy withTolerance(double t) {
        return new MannWhitneyPolicy(t, confidence, allowedIncrease, allowedDecrease);
    }

    public MannWhitneyPolicy withConfidence(double c) {
        return new MannWhitneyPolicy(tolerance, c, allowedIncrease, allowedDecrease);
    }
}
