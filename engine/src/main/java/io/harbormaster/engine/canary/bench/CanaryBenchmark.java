package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.NoiseSource;
import io.harbormaster.engine.canary.StableTrackNoise;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.canary.Verdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * BENCHMARKS.md section 2: every scenario, {@code runs} seeded runs each, our analysis and the baseline judges and
 * the oracle side by side. Our analysis moves through steps at its own pace, so it gets its own stream (same seed);
 * the fixed-schedule judges share one.
 *
 * <p>BENCHMARKS.md's canaries are each a service's first: our analysis knows nothing of the service before it. With
 * {@code history} above 0, our analysis is also run a second time on the same stream ({@link #WITH_HISTORY}) as the
 * pipeline runs it for a service that has been deployed before: it first judges that many earlier canaries of the
 * same service before its fault (the scenario's healthy version, their own seeds), each starting from the noise the
 * promoted ones before it kept, and then the run's canary starts from theirs. With {@code stableMinutes} above 0,
 * it is also run as the pipeline runs a service's first canary ({@link #WITH_STABLE}): it starts from the noise of
 * that many minutes of the service's stable track before the canary ({@link StableTrackNoise}; the scenario's healthy
 * version on warm pods at all of its traffic, its own seed). Both are reported apart from BENCHMARKS.md's figures,
 * never instead of them, and neither shifts the streams of the judges that are: each has seeds of its own.
 */
public final class CanaryBenchmark {
    public static final String OURS = "harbormaster";
    public static final String KAYENTA = "kayenta-style";
    public static final String THRESHOLD = "threshold";
    public static final String ORACLE = "oracle-sprt";
    /** Our analysis on a service with earlier canaries (reported apart; see the class comment). */
    public static final String WITH_HISTORY = "hm+history";
    /** Our analysis on a first canary that read its stable track before it (reported apart; see the class comment). */
    public static final String WITH_STABLE = "hm+stable";
    /** Our analysis may pause and resume; a run that has not decided after this long counts as undecided. */
    static final int MAX_INTERVALS = 120;

    private final CanaryPolicy policy;
    private final int history;
    private final int stableMinutes;

    public CanaryBenchmark(CanaryPolicy policy) {
        this(policy, 0, 0);
    }

    /** With {@code history} earlier canaries per run for the {@link #WITH_HISTORY} judge (0: not run). */
    public CanaryBenchmark(CanaryPolicy policy, int history) {
        this(policy, history, 0);
    }

    /**
     * ... and {@code stableMinutes} of the stable track before each run's canary for the {@link #WITH_STABLE} judge
     * (0: not run).
     */
    public CanaryBenchmark(CanaryPolicy policy, int history, int stableMinutes) {
        if (history < 0) {
            throw new IllegalArgumentException("history must be 0 or more earlier canaries, got " + history);
        }
        if (stableMinutes < 0) {
            throw new IllegalArgumentException("stableMinutes must be 0 or more minutes, got " + stableMinutes);
        }
        this.policy = policy;
        this.history = history;
        this.stableMinutes = stableMinutes;
    }

    /** Runs every scenario. */
    public List<ScenarioResult> run(int runs, long seed) {
        var results = new ArrayList<ScenarioResult>();
        List<Scenario> scenarios = Scenario.all();
        for (int k = 0; k < scenarios.size(); k++) {
            results.add(run(scenarios.get(k), runs, seed * 1_000_003L + k));
        }
        return results;
    }

    /** Runs one scenario. */
    public ScenarioResult run(Scenario scenario, int runs, long seed) {
        RunOutcome[][] outcomes = new RunOutcome[runs][];
        double[] onsets = new double[runs];
        IntStream.range(0, runs).parallel().forEach(r -> {
            long runSeed = new SplittableRandom(seed + 7919L * r).nextLong();
            double onset = new SplittableRandom(runSeed).nextDouble() * 90;
            onsets[r] = onset;
            List<IntervalSample> fixed = FixedSchedule.stream(new TrafficGenerator(scenario, onset, runSeed));
            outcomes[r] = new RunOutcome[] {
                ours(new TrafficGenerator(scenario, onset, runSeed), CanaryNoise.NONE, NoiseSource.EARLIER_CANARIES)
                        .outcome(),
                KayentaStyleJudge.judge(fixed),
                ThresholdJudge.judge(fixed),
                scenario.healthy() ? null : OracleSprt.judge(scenario, fixed, onset),
                history == 0
                        ? null
                        : ours(
                                        new TrafficGenerator(scenario, onset, runSeed),
                                        earlierCanaries(scenario, runSeed),
                                        NoiseSource.EARLIER_CANARIES)
                                .outcome(),
                stableMinutes == 0
                        ? null
                        : ours(
                                        new TrafficGenerator(scenario, onset, runSeed),
                                        stableTrack(scenario, runSeed),
                                        NoiseSource.STABLE_TRACK)
                                .outcome()
            };
        });
        String[] names = {OURS, KAYENTA, THRESHOLD, ORACLE, WITH_HISTORY, WITH_STABLE};
        var figures = new LinkedHashMap<String, JudgeFigures>();
        for (int j = 0; j < names.length; j++) {
            if ((j == 3 && scenario.healthy()) || (j == 4 && history == 0) || (j == 5 && stableMinutes == 0)) {
                continue;
            }
            int judge = j;
            figures.put(
                    names[j],
                    figures(
                            scenario,
                            IntStream.range(0, runs)
                                    .mapToObj(r -> outcomes[r][judge])
                                    .toList(),
                            onsets));
        }
        if (!scenario.healthy()) {
            double oracle = figures.get(ORACLE).ttdMedianS();
            figures.replaceAll((name, f) -> f.withTtdVsOracle(f.ttdMedianS() / oracle));
        }
        return new ScenarioResult(scenario, figures);
    }

    /**
     * The noise kept by the service's {@code history} earlier canaries, judged one after the other as the pipeline
     * would (each from the noise of the promoted ones before it, the latest {@link CanaryNoise#CANARIES}).
     */
    private CanaryNoise earlierCanaries(Scenario scenario, long runSeed) {
        var kept = new ArrayDeque<CanaryNoise>(); // newest first
        var seeds = new SplittableRandom(runSeed ^ 0x9E3779B97F4A7C15L);
        Scenario before = scenario.beforeFault();
        for (int i = 0; i < history; i++) {
            Ours past = ours(
                    new TrafficGenerator(before, Double.POSITIVE_INFINITY, seeds.nextLong()),
                    CanaryNoise.pooled(List.copyOf(kept)),
                    NoiseSource.EARLIER_CANARIES);
            if (past.outcome().decision() == RunOutcome.Decision.PROMOTE) {
                kept.addFirst(past.noise());
                if (kept.size() > CanaryNoise.CANARIES) {
                    kept.removeLast();
                }
            }
        }
        return CanaryNoise.pooled(List.copyOf(kept));
    }

    /**
     * The noise of the service's stable track over the {@code stableMinutes} before the run's canary, as the pipeline
     * reads it: the scenario's healthy version on warm pods ({@link Scenario#stableTrack()}) at all of the traffic,
     * one interval after the other up to the canary's start, from a seed of its own.
     */
    private CanaryNoise stableTrack(Scenario scenario, long runSeed) {
        var generator = new TrafficGenerator(scenario.stableTrack(), Double.POSITIVE_INFINITY, runSeed ^ 0x5DEECE66DL);
        long step = policy.intervalSeconds();
        long intervals = stableMinutes * 60L / step;
        var track = new ArrayList<TrackSample>();
        for (long i = intervals; i > 0; i--) {
            track.add(generator.next(-step * i, 100).baseline());
        }
        return StableTrackNoise.of(track);
    }

    private record Ours(RunOutcome outcome, CanaryNoise noise) {}

    private Ours ours(TrafficGenerator generator, CanaryNoise noise, NoiseSource source) {
        var analysis = new CanaryAnalysis(policy, noise, source);
        for (int i = 0; i < MAX_INTERVALS; i++) {
            long t = i * policy.intervalSeconds();
            Verdict v = analysis.observe(generator.next(t, analysis.weight()));
            RunOutcome.Decision decision =
                    switch (v) {
                        case Verdict.Promote p -> RunOutcome.Decision.PROMOTE;
                        case Verdict.Rollback rb -> RunOutcome.Decision.ROLLBACK;
                        case Verdict.Pause p -> RunOutcome.Decision.PAUSE;
                        case Verdict.Continue c -> null;
                    };
            if (decision != null) {
                return new Ours(new RunOutcome(decision, v.at()), analysis.noise());
            }
        }
        return new Ours(
                new RunOutcome(RunOutcome.Decision.NONE, MAX_INTERVALS * policy.intervalSeconds()), analysis.noise());
    }

    static JudgeFigures figures(Scenario scenario, List<RunOutcome> outcomes, double[] onsets) {
        int runs = outcomes.size();
        long pauses = outcomes.stream()
                .filter(o -> o.decision() == RunOutcome.Decision.PAUSE)
                .count();
        if (scenario.healthy()) {
            long rollbacks = outcomes.stream()
                    .filter(o -> o.decision() == RunOutcome.Decision.ROLLBACK)
                    .count();
            double[] promote = outcomes.stream()
                    .mapToDouble(o -> o.decision() == RunOutcome.Decision.PROMOTE ? o.at() : Double.POSITIVE_INFINITY)
                    .toArray();
            return new JudgeFigures(
                    (double) rollbacks / runs,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    finiteOrNaN(quantile(promote, 0.5)),
                    finiteOrNaN(quantile(promote, 0.9)),
                    (double) pauses / runs);
        }
        var ttd = new ArrayList<Double>();
        for (int r = 0; r < runs; r++) {
            RunOutcome o = outcomes.get(r);
            // a rollback before the fault existed is not a detection of it
            if (o.decision() == RunOutcome.Decision.ROLLBACK && o.at() >= onsets[r]) {
                ttd.add(o.at() - onsets[r]);
            }
        }
        double[] t = ttd.stream().mapToDouble(Double::doubleValue).toArray();
        return new JudgeFigures(
                Double.NaN,
                (double) t.length / runs,
                quantile(t, 0.5),
                quantile(t, 0.95),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                (double) pauses / runs);
    }

    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        if (Double.isInfinite(sorted[hi]) || Double.isInfinite(sorted[lo])) {
            return sorted[hi];
        }
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double finiteOrNaN(double v) {
        return Double.isFinite(v) ? v : Double.NaN;
    }
}
