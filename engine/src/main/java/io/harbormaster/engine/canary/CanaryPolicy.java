package io.harbormaster.engine.canary;

import java.util.List;

/**
 * Everything the canary analysis needs to know: interval length, traffic steps, the shortest a step may be, the
 * shortest time before the canary may be promoted (a bake time: a regression that grows slowly needs time to show),
 * how long without data before asking a human, and each judge's settings. The last step's maximum still ends the
 * canary when it comes before {@code minPromoteSeconds}.
 *
 * <p>How long a slowly growing regression is watched (see {@link CanaryAnalysis}): the step before the last does not
 * end before {@code lastStepAfterSeconds} unless the sequential judge's evidence of a regression (its largest e-value)
 * reaches {@code escalateEValue}; a canary on its last step that the sequential judge has not cleared is promoted at
 * {@code promoteBySeconds} (the fixed-horizon judge agreeing) rather than at the step's maximum; and while the closing
 * test's statistic leans towards a regression (the error rate's z above {@code holdErrorZ}, or the p50 or p99 t above
 * {@code holdLatencyT}) the canary is held: no early end of the last step and no promotion at {@code promoteBySeconds},
 * only the step's maximum ends it. These only delay or advance step ends; they never roll back.
 *
 * <p>Rollbacks on evidence come from the sequential judge (at most {@code sequential.alpha} for a healthy canary, however
 * often it looks) and from the closing test, taken once, when the canary has run {@code closingTestSeconds}, at level
 * {@code closingAlpha} (0 turns it off): a healthy canary is rolled back by either with probability at most their sum.
 * A promotion at {@code promoteBySeconds} is not covered by {@code promoteAlpha} (the canary was not cleared): the
 * fixed-horizon judge and the hold guard it, as they guard a promotion at the step's maximum.
 */
public record CanaryPolicy(
        long intervalSeconds,
        List<CanaryStep> steps,
        long minStepSeconds,
        long minPromoteSeconds,
        long lastStepAfterSeconds,
        long promoteBySeconds,
        double holdErrorZ,
        double holdLatencyT,
        double escalateEValue,
        long closingTestSeconds,
        double closingAlpha,
        long maxNoDataSeconds,
        HardTriggerPolicy hardTriggers,
        MannWhitneyPolicy mannWhitney,
        ScoringPolicy scoring,
        SequentialPolicy sequential) {

    public CanaryPolicy {
        if (intervalSeconds <= 0) {
            throw new IllegalArgumentException("interval_seconds must be positive, got " + intervalSeconds);
        }
        if (maxNoDataSeconds <= 0) {
            throw new IllegalArgumentException("max_no_data_seconds must be positive (how long without data before a"
                    + " human is asked), got " + maxNoDataSeconds);
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a canary needs at least one step");
        }
        if (minStepSeconds < 0
                || minPromoteSeconds < 0
                || lastStepAfterSeconds < 0
                || promoteBySeconds < 0
                || closingTestSeconds < 0) {
            throw new IllegalArgumentException("min_step_seconds, min_promote_seconds, last_step_after_seconds,"
                    + " promote_by_seconds and closing_test_seconds cannot be negative, got " + minStepSeconds + ", "
                    + minPromoteSeconds + ", " + lastStepAfterSeconds + ", " + promoteBySeconds + " and "
                    + closingTestSeconds);
        }
        if (!Double.isFinite(holdErrorZ) || !Double.isFinite(holdLatencyT)) {
            throw new IllegalArgumentException("the hold thresholds must be numbers, got " + holdErrorZ + " and "
                    + holdLatencyT + " (a larger one holds fewer canaries)");
        }
        if (!(escalateEValue > 0) || !Double.isFinite(escalateEValue)) {
            throw new IllegalArgumentException("the escalate e-value must be a positive number, got " + escalateEValue);
        }
        if (!(closingAlpha >= 0) || closingAlpha + sequential.alpha() >= 1) {
            throw new IllegalArgumentException("the closing test's alpha must be 0 (off) or more, and with the"
                    + " sequential alpha below 1, got " + closingAlpha);
        }
        steps = List.copyOf(steps);
        for (var step : steps) {
            if (step.intervals() < CanaryAnalysis.MIN_INTERVALS_WITH_DATA) {
                throw new IllegalArgumentException("the step at " + step.weight() + "% lasts " + step.intervals()
                        + (step.intervals() == 1 ? " interval" : " intervals") + "; a step needs at least "
                        + CanaryAnalysis.MIN_INTERVALS_WITH_DATA
                        + " intervals with data before it can end, so give it intervals: "
                        + CanaryAnalysis.MIN_INTERVALS_WITH_DATA + " or more");
            }
        }
    }

    /**
     * Steps 5%, 25%, 50% of at most 3 min each at 10 s intervals, 30 s minimum per step, promotion no earlier than
     * 3.5 min, pause after 2 min blind. The sequential judge watches every interval, so a short early step costs no
     * protection; the bake time gives slowly growing regressions time to show before the canary takes all traffic.
     * The 25% step lasts until 160 s unless the evidence leans towards a regression by 5 to 1 (then 50% at once, to
     * prove it sooner), so the 50% step, whose maximum bounds how long a suspicious canary can be held, ends at 340 s
     * unless it started early; a canary not yet cleared is promoted at 4 min unless it leans towards a regression
     * (error z above 0.6, latency t above 1.5), and a canary still running at 340 s gets the closing test (one moved
     * to 50% early on strong evidence ends before it, on the sequential judge's and the fixed-horizon judge's word).
     * The false-rollback budget of 1% is split 0.8% sequential, 0.2% closing.
     */
    public static CanaryPolicy defaults() {
        return new CanaryPolicy(
                10,
                List.of(new CanaryStep(5, 18), new CanaryStep(25, 18), new CanaryStep(50, 18)),
                30,
                210,
                160,
                240,
                0.6,
                1.5,
                5.0,
                340,
                0.002,
                120,
                HardTriggerPolicy.defaults(),
                MannWhitneyPolicy.defaults(),
                ScoringPolicy.defaults(),
                SequentialPolicy.defaults());
    }

    /**
     * When a held canary ends, with nothing escalated and data in every interval: each step before the last two ends
     * at its minimum, the step before the last once the canary has run {@code lastStepAfterSeconds} (or at its own
     * maximum, if that comes first), and the last at its maximum. 340 s with the defaults.
     */
    public long heldCanaryEndSeconds() {
        long t = 0;
        int n = steps.size();
        for (int i = 0; i < n; i++) {
            long max = steps.get(i).intervals() * intervalSeconds;
            long least = Math.max(minStepSeconds, CanaryAnalysis.MIN_INTERVALS_WITH_DATA * intervalSeconds);
            long end;
            if (i == n - 1) {
                end = t + max;
            } else if (i == n - 2) {
                end = Math.min(t + max, onGrid(Math.max(t + least, lastStepAfterSeconds)));
            } else {
                end = Math.min(t + max, onGrid(t + least));
            }
            t = end;
        }
        return t;
    }

    /** The first interval end at or after {@code seconds}. */
    private long onGrid(long seconds) {
        return (seconds + intervalSeconds - 1) / intervalSeconds * intervalSeconds;
    }

    /**
     * When the closing test is taken: at {@code closingTestSeconds}, or when a held canary ends
     * ({@link #heldCanaryEndSeconds()}) if that comes first: a configured time later than that would never come for
     * most canaries, and its share of the false-rollback budget would buy nothing. Either way a time fixed by the
     * policy, not by the data.
     */
    public long closingAtSeconds() {
        return Math.min(closingTestSeconds, heldCanaryEndSeconds());
    }

    /**
     * This policy made more cautious, for a change its risk score escalated: such a change is likelier than most to
     * carry a regression, and one that grows slowly is small when a canary could first be promoted (see
     * {@link CanaryAnalysis}). The canary is held whenever its error rate leans towards a regression at all
     * ({@code holdErrorZ} at most {@value #CAUTIOUS_HOLD_ERROR_Z}), its step before the last runs until at least
     * {@value #CAUTIOUS_LAST_STEP_AFTER_SECONDS} s, it is promoted no earlier than {@value #CAUTIOUS_MIN_PROMOTE_SECONDS}
     * s (and, not cleared, no earlier than {@value #CAUTIOUS_PROMOTE_BY_SECONDS} s), and the closing test waits for the
     * end of the longest canary these allow. Nothing is made less cautious than it was: a setting already stricter is
     * kept, and the false-rollback levels are unchanged. With the default schedule, a healthy canary is promoted about
     * a minute and a half later; {@code bench canary --escalated} measures what it buys.
     */
    public CanaryPolicy cautious() {
        var b = PolicyBuilder.from(this);
        b.holdErrorZ = Math.min(holdErrorZ, CAUTIOUS_HOLD_ERROR_Z);
        b.lastStepAfterSeconds = Math.max(lastStepAfterSeconds, CAUTIOUS_LAST_STEP_AFTER_SECONDS);
        b.minPromoteSeconds = Math.max(minPromoteSeconds, CAUTIOUS_MIN_PROMOTE_SECONDS);
        b.promoteBySeconds = Math.max(promoteBySeconds, CAUTIOUS_PROMOTE_BY_SECONDS);
        var held = b.build();
        // a closing test set at the end of this policy's longest canary moves to the cautious one's end
        b.closingTestSeconds = closingTestSeconds >= heldCanaryEndSeconds()
                ? Math.max(closingTestSeconds, held.heldCanaryEndSeconds())
                : closingTestSeconds;
        return b.build();
    }

    static final double CAUTIOUS_HOLD_ERROR_Z = 0;
    static final long CAUTIOUS_LAST_STEP_AFTER_SECONDS = 210;
    static final long CAUTIOUS_MIN_PROMOTE_SECONDS = 300;
    static final long CAUTIOUS_PROMOTE_BY_SECONDS = 330;

    public CanaryPolicy withSteps(List<CanaryStep> newSteps) {
        var b = PolicyBuilder.from(this);
        b.steps = newSteps;
        return b.build();
    }

    public CanaryPolicy withIntervalSeconds(long seconds) {
        var b = PolicyBuilder.from(this);
        b.intervalSeconds = seconds;
        return b.build();
    }
}
