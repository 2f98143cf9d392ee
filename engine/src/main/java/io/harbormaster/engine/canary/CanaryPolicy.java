package io.harbormaster.engine.canary;

import java.util.List;

/**
 * Everything the canary analysis needs to know: interval length, traffic steps, the shortest a step may be, how long
 * without data before asking a human, and each judge's settings.
 */
public record CanaryPolicy(
        long intervalSeconds,
        List<CanaryStep> steps,
        long minStepSeconds,
        long maxNoDataSeconds,
        HardTriggerPolicy hardTriggers,
        MannWhitneyPolicy mannWhitney,
        ScoringPolicy scoring,
        SequentialPolicy sequential) {

    public CanaryPolicy {
        if (intervalSeconds <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + intervalSeconds);
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a canary needs at least one step");
        }
        steps = List.copyOf(steps);
        for (var step : steps) {
            if (step.intervals() < CanaryAnalysis.MIN_INTERVALS_WITH_DATA) {
                throw new IllegalArgumentException("the step at " + step.weight() + "% lasts " + step.intervals()
                        + " interval(s); a step needs at least " + CanaryAnalysis.MIN_INTERVALS_WITH_DATA
                        + " intervals with data before it can end, so give it intervals: "
                        + CanaryAnalysis.MIN_INTERVALS_WITH_DATA + " or more");
            }
        }
    }

    /** Steps 5%, 25%, 50% of at most 3 min each at 10 s intervals, 60 s minimum per step, pause after 2 min blind. */
    public static CanaryPolicy defaults() {
        return new CanaryPolicy(
                10,
                List.of(new CanaryStep(5, 18), new CanaryStep(25, 18), new CanaryStep(50, 18)),
                60,
                120,
                HardTriggerPolicy.defaults(),
                MannWhitneyPolicy.defaults(),
                ScoringPolicy.defaults(),
                SequentialPolicy.defaults());
    }

    public CanaryPolicy withSteps(List<CanaryStep> newSteps) {
        return new CanaryPolicy(
                intervalSeconds,
                newSteps,
                minStepSeconds,
                maxNoDataSeconds,
                hardTriggers,
                mannWhitney,
                scoring,
                sequential);
    }

    public CanaryPolicy withIntervalSeconds(long seconds) {
        return new CanaryPolicy(
                seconds, steps, minStepSeconds, maxNoDataSeconds, hardTriggers, mannWhitney, scoring, sequential);
    }
}
