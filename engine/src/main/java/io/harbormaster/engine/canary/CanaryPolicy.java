package io.harbormaster.engine.canary;

import java.util.List;

/**
 * Everything the canary analysis needs to know: interval length, traffic steps, the shortest a step may be, the
 * shortest time before the canary may be promoted (a bake time: a regression that grows slowly needs time to show),
 * how long without data before asking a human, and each judge's settings. The last step's maximum still ends the
 * canary when it comes before {@code minPromoteSeconds}.
 */
public record CanaryPolicy(
        long intervalSeconds,
        List<CanaryStep> steps,
        long minStepSeconds,
        long minPromoteSeconds,
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
        if (minStepSeconds < 0 || minPromoteSeconds < 0) {
            throw new IllegalArgumentException("the minimum step and promote times cannot be negative");
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

    /**
     * Steps 5%, 25%, 50% of at most 3 min each at 10 s intervals, 30 s minimum per step, promotion no earlier than
     * 3.5 min, pause after 2 min blind. The sequential judge watches every interval, so a short early step costs no
     * protection; the bake time gives slowly growing regressions time to show before the canary takes all traffic.
     */
    public static CanaryPolicy defaults() {
        return new CanaryPolicy(
                10,
                List.of(new CanaryStep(5, 18), new CanaryStep(25, 18), new CanaryStep(50, 18)),
                30,
                210,
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
                minPromoteSeconds,
                maxNoDataSeconds,
                hardTriggers,
                mannWhitney,
                scoring,
                sequential);
    }

    public CanaryPolicy withIntervalSeconds(long seconds) {
        return new CanaryPolicy(
                seconds,
                steps,
                minStepSeconds,
                minPromoteSeconds,
                maxNoDataSeconds,
                hardTriggers,
                mannWhitney,
                scoring,
                sequential);
    }
}
