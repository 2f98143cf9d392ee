package io.harbormaster.engine.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One canary's analysis, fed one interval at a time: hard triggers and the sequential judge after every interval,
 * the closing test once, the Mann-Whitney judge and scorer before a step ends. Missing data never promotes: no data
 * for {@code maxNoDataSeconds} pauses, and a step needs data to end.
 *
 * <p>When a step may end before its maximum (always after its minimum time, with enough data):
 *
 * <ul>
 *   <li>the step before the last, once the canary has run {@code lastStepAfterSeconds}, or as soon as the sequential
 *       judge's largest e-value reaches {@code escalateEValue} (more traffic proves a regression sooner; no canary
 *       gets more traffic earlier than without that rule);
 *   <li>the last step, once the canary has run {@code minPromoteSeconds} and the sequential judge has excluded a
 *       meaningful regression, or once it has run {@code promoteBySeconds} (not cleared, but nothing against it: the
 *       fixed-horizon judge decides, as at the step's maximum) &mdash; in both cases only while the canary is not
 *       <em>suspicious</em>: the closing test's statistics, taken as they stand, lean towards a regression (error
 *       rate z above {@code holdErrorZ}, p50 or p99 t above {@code holdLatencyT}). A suspicious canary is held until
 *       the step's maximum: a regression that ramps up slowly is small when the canary could first be promoted, and
 *       holding it while its statistics lean towards a regression gives it time to show (or to fade: a healthy
 *       canary rarely leans for long).
 * </ul>
 *
 * <p>Rollbacks on evidence: the sequential judge's needs an e-value at its share of 1/alpha, and by Ville's inequality
 * the chance that a healthy canary's e-process ever gets there is at most alpha over the whole canary, however long it
 * is held. The closing test ({@link ClosingTest}) is taken once, in the first interval with data that ends at or after
 * {@code closingTestSeconds} (or at the end of the longest canary when that comes first, see
 * {@link CanaryPolicy#closingAtSeconds()}), at level {@code closingAlpha}; a canary held until then (the default
 * schedule's longest canary ends there) is judged on its whole history with the power of a test whose time was fixed
 * in advance. A canary whose last step started early (escalated) ends before that time and never gets the test. A
 * healthy canary is rolled back by one or the other with probability at most the sum of the two levels. The hard
 * triggers are fixed limits with no such bound; a healthy canary held longer has a little more time to trip one.
 * Promotion is guarded in two ways: early, by the sequential judge's exclusion of a meaningful regression (the
 * {@code promoteAlpha} bound); at {@code promoteBySeconds} or at the step's maximum, without that exclusion, by the
 * fixed-horizon Mann-Whitney judge and by the canary not being suspicious.
 */
public final class CanaryAnalysis {
    /** Fewer intervals with data than this in a step and the step cannot end. */
    public static final int MIN_INTERVALS_WITH_DATA = 3;
    /** The metric the Mann-Whitney scorer's evidence names: its estimate is the step's score, 0 to 100. */
    static final String SCORE_METRIC = "score";

    private final CanaryPolicy policy;
    private final SequentialJudge sequential;
    private final ClosingTest closing = new ClosingTest();
    private boolean closingTaken;
    private final List<IntervalSample> history = new ArrayList<>();
    private final List<IntervalSample> stepSamples = new ArrayList<>();
    private final List<TimelineEntry> timeline = new ArrayList<>();
    private int step;
    private long stepStart;
    private long blindSeconds;
    private Verdict terminal;

    public CanaryAnalysis(CanaryPolicy policy) {
        this(policy, CanaryNoise.NONE);
    }

    /** With the noise of the service's earlier promoted canaries (see {@link CanaryNoise}). */
    public CanaryAnalysis(CanaryPolicy policy, CanaryNoise history) {
        this(policy, history, NoiseSource.EARLIER_CANARIES);
    }

    /** With a noise history measured where {@code source} says (its evidence names it). */
    public CanaryAnalysis(CanaryPolicy policy, CanaryNoise history, NoiseSource source) {
        this.policy = policy;
        this.sequential = new SequentialJudge(policy.sequential(), history, source);
        if (policy.sequential().noiseHistory() > 0) {
            closing.startFrom(history.bursts());
        }
    }

    /** Whether the latency judges still start from their noise history (not dropped by their checks). */
    public boolean usesHistory() {
        return sequential.usesHistory();
    }

    /** The noise this canary measured, to keep when it is promoted (see {@link CanaryNoise}). */
    public CanaryNoise noise() {
        return sequential.noise();
    }

    /** Replays a recorded canary and returns the verdict it would have had knowing nothing of its service's noise. */
    public static AnalysisReport replay(List<IntervalSample> series, CanaryPolicy policy) {
        return replay(series, policy, CanaryNoise.NONE);
    }

    /**
     * Replays a recorded canary that started from the noise of its service's earlier canaries (as a pipeline decision's
     * audit entry records it), and returns the verdict it would have had.
     */
    public static AnalysisReport replay(List<IntervalSample> series, CanaryPolicy policy, CanaryNoise history) {
        return replay(series, policy, history, NoiseSource.EARLIER_CANARIES);
    }

    /**
     * Replays a recorded canary that started from a noise history measured where {@code source} says (the audit entry
     * names the stable track when it was read there), and returns the verdict it would have had.
     */
    public static AnalysisReport replay(
            List<IntervalSample> series, CanaryPolicy policy, CanaryNoise history, NoiseSource source) {
        var analysis = new CanaryAnalysis(policy, history, source);
        Verdict last = new Verdict.Continue(0, policy.steps().getFirst().weight(), List.of());
        for (IntervalSample s : series) {
            last = analysis.observe(s);
            if (!(last instanceof Verdict.Continue)) {
                break;
            }
        }
        if (last instanceof Verdict.Continue c) {
            last = new Verdict.Pause(
                    c.at(),
                    List.of(Evidence.of(
                            "analysis",
                            "all",
                            "data ended",
                            Double.NaN,
                            Double.NaN,
                            "the recording ended before the analysis could decide; a human decides")));
        }
        return new AnalysisReport(last, analysis.timeline(), analysis.usesHistory());
    }

    /** The canary's traffic share, in percent, that the current step asks for. */
    public int weight() {
        return policy.steps().get(step).weight();
    }

    public List<TimelineEntry> timeline() {
        return List.copyOf(timeline);
    }

    /** Takes the next interval and answers; after a final verdict, keeps answering it. */
    public Verdict observe(IntervalSample s) {
        if (terminal != null) {
            return terminal;
        }
        int ranAt = weight(); // the weight this interval ran at; a step that ends with it moves the next one on
        Verdict v = decide(s);
        List<Evidence> running = sequential.evidence();
        String note = v.evidence().isEmpty() ? "" : v.evidence().getFirst().reason();
        timeline.add(new TimelineEntry(
                s.t(),
                ranAt,
                kind(v),
                running.get(0).eValue(),
                running.get(1).eValue(),
                running.get(2).eValue(),
                note));
        if (v instanceof Verdict.Continue c && c.weight() != weight()) {
            throw new IllegalStateException("weight out of step");
        }
        if (!(v instanceof Verdict.Continue)) {
            terminal = v;
        }
        return v;
    }

    private Verdict decide(IntervalSample s) {
        long interval = policy.intervalSeconds();
        long end = s.t() + interval;
        history.add(s);
        if (!Double.isFinite(s.canary().requests())
                || !Double.isFinite(s.baseline().requests())) {
            blindSeconds += interval;
            // a crash-looping canary may serve nothing at all, and its restarts are counted whatever the requests
            Optional<Evidence> crashing = HardTriggers.check(history, policy.hardTriggers(), interval);
            if (crashing.isPresent()) {
                return new Verdict.Rollback(end, withRunning(crashing.get()));
            }
            String which = Double.isFinite(s.canary().requests()) ? "baseline" : "canary";
            if (blindSeconds >= policy.maxNoDataSeconds()) {
                return new Verdict.Pause(
                        end,
                        List.of(Evidence.of(
                                "analysis",
                                "requests",
                                "no data for " + policy.maxNoDataSeconds() + " s",
                                Double.NaN,
                                Double.NaN,
                                // what is missing: the pause itself, and who decides, are the verdict's to say
                                "no data from the " + which + " for " + blindSeconds + " s")));
            }
            return new Verdict.Continue(
                    end,
                    weight(),
                    List.of(Evidence.of(
                            "analysis",
                            "requests",
                            "no data",
                            Double.NaN,
                            Double.NaN,
                            "no data from the " + which + " in this interval (" + blindSeconds + " s so far)")));
        }
        blindSeconds = 0;

        Optional<Evidence> hard = HardTriggers.check(history, policy.hardTriggers(), interval);
        sequential.observe(s);
        if (hard.isPresent()) {
            return new Verdict.Rollback(end, withRunning(hard.get()));
        }
        Optional<Evidence> regression = sequential.regression();
        if (regression.isPresent()) {
            return new Verdict.Rollback(end, withRunning(regression.get()));
        }
        closing.observe(s, s.t() + interval / 2.0);
        if (!closingTaken && policy.closingAlpha() > 0 && end >= policy.closingAtSeconds()) {
            closingTaken = true;
            Optional<Evidence> grown = closing.regression(policy.closingAlpha(), end);
            if (grown.isPresent()) {
                return new Verdict.Rollback(end, withRunning(grown.get()));
            }
        }

        stepSamples.add(s);
        long elapsed = end - stepStart;
        int steps = policy.steps().size();
        boolean last = step == steps - 1;
        long max = policy.steps().get(step).intervals() * interval;
        boolean enoughData = stepSamples.size() >= MIN_INTERVALS_WITH_DATA;
        boolean mayEnd = elapsed >= Math.min(policy.minStepSeconds(), max) && enoughData;
        boolean early;
        if (last) {
            boolean cleared = end >= policy.minPromoteSeconds() && sequential.excludesMeaningfulRegression();
            boolean due = end >= Math.max(policy.minPromoteSeconds(), policy.promoteBySeconds());
            early = mayEnd && (cleared || due);
            if (early && elapsed < max) {
                Optional<Evidence> lean = held();
                if (lean.isPresent()) {
                    return new Verdict.Continue(end, weight(), List.of(lean.get()));
                }
            }
        } else if (step == steps - 2) {
            early = mayEnd
                    && (end >= policy.lastStepAfterSeconds()
                            || sequential.strongestEValue() >= policy.escalateEValue());
        } else {
            early = mayEnd;
        }
        if (!early && elapsed < max) {
            return new Verdict.Continue(end, weight(), List.of());
        }
        // the step may end: the fixed-horizon judge over this step gets a say
        List<MetricComparison> comparisons = compareStep(stepSamples, policy.mannWhitney());
        CanaryScore score = CanaryScorer.score(comparisons, policy.scoring());
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(scoreEvidence(score));
        comparisons.forEach(c -> evidence.add(c.toEvidence()));
        evidence.addAll(sequential.evidence());
        boolean scoreOk =
                score.outcome() == CanaryScore.Outcome.PASS || score.outcome() == CanaryScore.Outcome.MARGINAL;
        if (!scoreOk) {
            if (elapsed < max) {
                return new Verdict.Continue(end, weight(), List.of()); // let the sequential judge gather evidence
            }
            // the fixed-horizon judge objects and the sequential one has no proof at its alpha: a human decides
            return new Verdict.Pause(end, evidence);
        }
        var blind = comparisons.stream()
                .filter(c -> c.classification() == Classification.NODATA)
                .toList();
        if (!blind.isEmpty()) {
            // Kayenta's scorer skips Nodata; we never promote on a metric we could not see
            if (elapsed < max) {
                return new Verdict.Continue(end, weight(), List.of());
            }
            return new Verdict.Pause(
                    end,
                    prepend(
                            Evidence.of(
                                    "analysis",
                                    blind.getFirst().metric(),
                                    "no data",
                                    Double.NaN,
                                    Double.NaN,
                                    "no data for " + blind.getFirst().metric() + " in this step ("
                                            + blind.getFirst().reason() + ")"),
                            evidence));
        }
        if (!enoughData) {
            return new Verdict.Pause(
                    end,
                    prepend(
                            Evidence.of(
                                    "analysis",
                                    "requests",
                                    "too little data",
                                    Double.NaN,
                                    Double.NaN,
                                    "only " + stepSamples.size() + " interval" + (stepSamples.size() == 1 ? "" : "s")
                                            + " with data in the step"),
                            evidence));
        }
        if (last) {
            return new Verdict.Promote(end, evidence);
        }
        step++;
        stepStart = end;
        stepSamples.clear();
        // the next step's weight, called so: by replica ratio its pods may give the canary another share, which only
        // the pipeline knows and its step message gives
        return new Verdict.Continue(
                end,
                weight(),
                prepend(
                        Evidence.of(
                                "analysis",
                                "all",
                                "step complete",
                                Double.NaN,
                                Double.NaN,
                                String.format(
                                        Locale.ROOT,
                                        "step %d done after %d s (%s); the next step's weight is %d%%",
                                        step,
                                        elapsed,
                                        score.reason(),
                                        weight())),
                        evidence));
    }

    /** Mann-Whitney classifications of error rate, p50 and p99 over a set of intervals. */
    public static List<MetricComparison> compareStep(List<IntervalSample> samples, MannWhitneyPolicy p) {
        int n = samples.size();
        double[] bErr = new double[n], cErr = new double[n], b50 = new double[n], c50 = new double[n];
        double[] b99 = new double[n], c99 = new double[n];
        for (int i = 0; i < n; i++) {
            TrackSample b = samples.get(i).baseline(), c = samples.get(i).canary();
            bErr[i] = b.requests() > 0 ? b.errors() / b.requests() : Double.NaN;
            cErr[i] = c.requests() > 0 ? c.errors() / c.requests() : Double.NaN;
            b50[i] = b.p50Ms();
            c50[i] = c.p50Ms();
            b99[i] = b.p99Ms();
            c99[i] = c.p99Ms();
        }
        return List.of(
                MannWhitneyJudge.classify("error_rate", bErr, cErr, Direction.INCREASE, p),
                MannWhitneyJudge.classify("p50_ms", b50, c50, Direction.INCREASE, p),
                MannWhitneyJudge.classify("p99_ms", b99, c99, Direction.INCREASE, p));
    }

    /** Why the canary is held, if its closing statistics lean towards a regression. */
    private Optional<Evidence> held() {
        double z = closing.errorZ(), p50 = closing.p50T(), p99 = closing.p99T();
        String metric;
        String statistic;
        double value;
        double threshold;
        if (z > policy.holdErrorZ()) {
            metric = "error_rate";
            statistic = "z";
            value = z;
            threshold = policy.holdErrorZ();
        } else if (p50 > policy.holdLatencyT() || p99 > policy.holdLatencyT()) {
            boolean byP50 = p50 > policy.holdLatencyT() && !(p99 > p50); // either may be NaN (too few intervals)
            metric = byP50 ? "p50_ms" : "p99_ms";
            statistic = "t";
            value = byP50 ? p50 : p99;
            threshold = policy.holdLatencyT();
        } else {
            return Optional.empty();
        }
        return Optional.of(Evidence.of(
                "analysis",
                metric,
                "held: the canary leans towards a regression",
                Double.NaN,
                Double.NaN,
                String.format(
                        Locale.ROOT,
                        "not promoted yet: the canary's %s leans towards a regression growing with time (%s = %.2f,"
                                + " above %s); held until it falls back or the step's maximum",
                        metric,
                        statistic,
                        value,
                        SequentialJudge.fmt(threshold))));
    }

    private static Evidence scoreEvidence(CanaryScore score) {
        return new Evidence(
                MannWhitneyJudge.JUDGE,
                SCORE_METRIC,
                "score " + score.outcome(),
                Double.NaN,
                Double.NaN,
                score.score(),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                score.reason());
    }

    private List<Evidence> withRunning(Evidence first) {
        return prepend(first, sequential.evidence());
    }

    private static List<Evidence> prepend(Evidence first, List<Evidence> rest) {
        var list = new ArrayList<Evidence>(rest.size() + 1);
        list.add(first);
        list.addAll(rest);
        return List.copyOf(list);
    }

    private static String kind(Verdict v) {
        return switch (v) {
            case Verdict.Promote p -> "PROMOTE";
            case Verdict.Rollback r -> "ROLLBACK";
            case Verdict.Pause p -> "PAUSE";
            case Verdict.Continue c -> "CONTINUE";
        };
    }
}
