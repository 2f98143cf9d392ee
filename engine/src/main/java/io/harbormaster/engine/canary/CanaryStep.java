package io.harbormaster.engine.canary;

/** One traffic step of a canary: the canary's share of traffic in percent, and the most intervals it may last. */
public record CanaryStep(int weight, int intervals) {
    public CanaryStep {
        if (weight <= 0 || weight > 100) {
            throw new IllegalArgumentException("a step's weight must be 1..100 percent, got " + weight);
        }
        if (intervals <= 0) {
            throw new IllegalArgumentException("a step must last at least one interval, got " + intervals);
        }
    }
}
