package io.harbormaster.sandbox;

/**
 * What is wrong with a version in the simulation: an error rate of its own, a latency factor, or both. A version with
 * no fault behaves exactly like its baseline.
 */
public record Fault(double errorRate, double latencyFactor) {
    public static final Fault NONE = new Fault(Double.NaN, 1.0);

    public Fault {
        if (!Double.isNaN(errorRate) && (errorRate < 0 || errorRate > 1)) {
            throw new IllegalArgumentException("an error rate is between 0 and 1, got " + errorRate);
        }
        if (latencyFactor <= 0) {
            throw new IllegalArgumentException("a latency factor must be positive, got " + latencyFactor);
        }
    }

    public static Fault errors(double rate) {
        return new Fault(rate, 1.0);
    }

    public static Fault slower(double factor) {
        return new Fault(Double.NaN, factor);
    }
}
