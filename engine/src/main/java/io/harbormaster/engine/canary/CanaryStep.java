package io.harbormaster.engine.canary;

import java.util.Optional;
import java.util.OptionalLong;

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

    /** What is said of a weight that is not a whole number at all ({@code got} as written: 5.5, "high"). */
    public static String notAWeight(String got) {
        return "expected a whole number from 1 to 99, got " + got + ": the canary's share of traffic, in percent";
    }

    /**
     * Why a step of {@code weight} percent, after a step of {@code before} percent (empty for the first step), is not
     * a canary step; empty when it is one. The one wording of the rule wherever steps are written (harbormaster.yml, a
     * policy file, a recorded canary), so that the same schedule is refused alike everywhere.
     */
    public static Optional<String> weightRefusal(long weight, OptionalLong before) {
        if (weight < 1) {
            return Optional.of("a step of " + weight + "% gives the canary no traffic: give it a weight from 1 to 99,"
                    + " or remove this step");
        }
        if (weight >= 100) {
            return Optional.of("a step of " + weight + "% is not a canary: steps stay below 100, and promotion gives"
                    + " the new version 100%; remove this step or give it a weight below 100");
        }
        if (before.isPresent() && weight <= before.getAsLong()) {
            return Optional.of(weight + "% after " + before.getAsLong() + "%: each step must give the canary more"
                    + " traffic than the one before (e.g. 5, 25, 50); reorder the steps or raise this weight");
        }
        return Optional.empty();
    }
}
