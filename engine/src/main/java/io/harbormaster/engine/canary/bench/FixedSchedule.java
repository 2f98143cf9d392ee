package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.IntervalSample;
import java.util.ArrayList;
import java.util.List;

/** The longest schedule of BENCHMARKS.md: 5%, 25%, 50% for 3 min each at 10 s intervals, then 100%. */
public final class FixedSchedule {
    public static final int[] WEIGHTS = {5, 25, 50};
    public static final int INTERVALS_PER_STEP = 18;
    public static final long INTERVAL_SECONDS = 10;
    public static final long END_SECONDS = WEIGHTS.length * INTERVALS_PER_STEP * INTERVAL_SECONDS;

    private FixedSchedule() {}

    /** The whole fixed-schedule stream, which the baseline judges and the oracle share. */
    public static List<IntervalSample> stream(TrafficGenerator generator) {
        var list = new ArrayList<IntervalSample>();
        for (int step = 0; step < WEIGHTS.length; step++) {
            for (int i = 0; i < INTERVALS_PER_STEP; i++) {
                long t = (step * INTERVALS_PER_STEP + i) * INTERVAL_SECONDS;
                list.add(generator.next(t, WEIGHTS[step]));
            }
        }
        return list;
    }
}
