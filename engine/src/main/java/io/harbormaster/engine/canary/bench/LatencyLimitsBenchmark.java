package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.LatencyLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where a first canary's time to detect a latency step goes: BENCHMARKS.md's oracle beside idealised judges that know
 * the fault's onset (and one its size too) but not the noise level, and our p50 e-process, on the latency step
 * scenarios. The idealised judges and ours read a stream on the schedule our judge follows when nothing holds it: 5%
 * for 30 s, 25% to 160 s, then 50%; the oracle reads BENCHMARKS.md's fixed schedule, as in {@link CanaryBenchmark}.
 */
public final class LatencyLimitsBenchmark {
    /** The judges, in the order printed: what each knows, from most to least. */
    public static final List<String> JUDGES = List.of(
            "oracle-sprt",
            "known-shift-and-onset, threshold of the oracle",
            "known-shift-and-onset, threshold of our p50",
            "known-onset (our mixture over shift sizes)",
            "ours (p50 e-process alone)");

    /** One scenario's figures: per judge, median time to detect (s) overall, for onsets before 30 s and after. */
    public record Row(String scenario, Map<String, double[]> medians) {}

    private LatencyLimitsBenchmark() {}

    public static List<Row> run(int runs, long seed) {
        var rows = new ArrayList<Row>();
        for (Scenario scenario : Scenario.all()) {
            if (scenario.fault().kind() == Fault.Kind.LATENCY_TIMES
                    && !scenario.fault().ramp()) {
                rows.add(run(scenario, runs, seed));
            }
        }
        return rows;
    }

    static Row run(Scenario scenario, int runs, long seed) {
        TrackParameters before = TrackParameters.of(scenario, false, 5, Double.POSITIVE_INFINITY, 5, 0);
        // the shift in units of the per-request noise of a log median (the oracle's delta-method variance, n = 1)
        double shift =
                Math.log(scenario.fault().magnitude()) / Math.sqrt(OracleSprt.logQuantileMoments(before, 1, 0.5)[1]);
        double ours = LatencyLimits.p50Threshold();
        var times = new ArrayList<List<double[]>>();
        JUDGES.forEach(j -> times.add(new ArrayList<>()));
        for (int r = 0; r < runs; r++) {
            long runSeed = new SplittableRandom(seed + 7919L * r).nextLong();
            double onset = new SplittableRandom(runSeed).nextDouble() * 90;
            var fixed = FixedSchedule.stream(new TrafficGenerator(scenario, onset, runSeed));
            RunOutcome oracle = OracleSprt.judge(scenario, fixed, onset);
            add(times.get(0), oracle.decision() == RunOutcome.Decision.ROLLBACK ? oracle.at() : -1.0, onset);
            var stream = unheld(new TrafficGenerator(scenario, onset, runSeed));
            long interval = FixedSchedule.INTERVAL_SECONDS;
            // the first interval whose middle is faulty, as the oracle starts
            int first = (int) Math.max(0, Math.ceil((onset - interval / 2.0) / interval));
            add(
                    times.get(1),
                    LatencyLimits.provedAt(
                            LatencyLimits.Judge.KNOWN_SHIFT, stream, interval, first, shift, 1 / OracleSprt.ALPHA),
                    onset);
            add(
                    times.get(2),
                    LatencyLimits.provedAt(LatencyLimits.Judge.KNOWN_SHIFT, stream, interval, first, shift, ours),
                    onset);
            add(
                    times.get(3),
                    LatencyLimits.provedAt(LatencyLimits.Judge.KNOWN_ONSET, stream, interval, first, shift, ours),
                    onset);
            add(
                    times.get(4),
                    LatencyLimits.provedAt(LatencyLimits.Judge.OURS, stream, interval, first, shift, ours),
                    onset);
        }
        var medians = new LinkedHashMap<String, double[]>();
        for (int j = 0; j < JUDGES.size(); j++) {
            List<double[]> t = times.get(j);
            medians.put(JUDGES.get(j), new double[] {
                median(t, 0, Double.POSITIVE_INFINITY), median(t, 0, 30), median(t, 30, Double.POSITIVE_INFINITY)
            });
        }
        return new Row(scenario.name(), medians);
    }

    /**
     * Our judge's schedule when nothing holds it or hurries it: the default policy's first step for its minimum
     * ({@code min_step_seconds}, 30 s), the second until {@code last_step_after_seconds} (160 s), the last after.
     */
    static List<IntervalSample> unheld(TrafficGenerator generator) {
        var policy = CanaryPolicy.defaults();
        int[] weights = policy.steps().stream().mapToInt(CanaryStep::weight).toArray();
        var list = new ArrayList<IntervalSample>();
        for (int i = 0; i < FixedSchedule.WEIGHTS.length * FixedSchedule.INTERVALS_PER_STEP; i++) {
            long t = i * FixedSchedule.INTERVAL_SECONDS;
            int step = t < policy.minStepSeconds() ? 0 : t < policy.lastStepAfterSeconds() ? 1 : 2;
            list.add(generator.next(t, weights[step]));
        }
        return list;
    }

    private static void add(List<double[]> times, double decidedAt, double onset) {
        if (decidedAt >= 0 && decidedAt >= onset) {
            times.add(new double[] {decidedAt - onset, onset});
        }
    }

    /** The median time to detect of the runs whose onset is in [from, to); NaN for none. */
    private static double median(List<double[]> times, double from, double to) {
        double[] t = times.stream()
                .filter(x -> x[1] >= from && x[1] < to)
                .mapToDouble(x -> x[0])
                .sorted()
                .toArray();
        if (t.length == 0) {
            return Double.NaN;
        }
        return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }
}
