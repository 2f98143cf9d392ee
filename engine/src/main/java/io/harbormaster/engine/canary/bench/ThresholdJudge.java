package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.IntervalSample;
import java.util.List;

/**
 * Baseline: absolute limits in the style of Flagger and Argo Rollouts (their documented defaults: success rate at
 * least 99%, request duration p99 at most 500 ms), checked once a minute over the last minute; a check without data
 * fails, as Flagger's "no values found" does; the second failed check rolls back (failure limit 1).
 */
public final class ThresholdJudge {
    static final double MAX_ERROR_RATE = 0.01;
    static final double MAX_P99_MS = 500;
    static final int FAILURE_LIMIT = 1;
    static final int CHECK_EVERY = 6;

    private ThresholdJudge() {}

    public static RunOutcome judge(List<IntervalSample> stream) {
        int failures = 0;
        for (int end = CHECK_EVERY; end <= stream.size(); end += CHECK_EVERY) {
            double requests = 0, errors = 0, p99Sum = 0;
            int p99Count = 0;
            for (IntervalSample s : stream.subList(end - CHECK_EVERY, end)) {
                if (Double.isFinite(s.canary().requests())) {
                    requests += s.canary().requests();
                    errors += s.canary().errors();
                }
                if (Double.isFinite(s.canary().p99Ms())) {
                    p99Sum += s.canary().p99Ms();
                    p99Count++;
                }
            }
            boolean failed = requests == 0
                    || p99Count == 0
                    || errors / requests > MAX_ERROR_RATE
                    || p99Sum / p99Count > MAX_P99_MS;
            if (failed && ++failures > FAILURE_LIMIT) {
                return new RunOutcome(RunOutcome.Decision.ROLLBACK, end * FixedSchedule.INTERVAL_SECONDS);
            }
        }
        return new RunOutcome(RunOutcome.Decision.PROMOTE, FixedSchedule.END_SECONDS);
    }
}
