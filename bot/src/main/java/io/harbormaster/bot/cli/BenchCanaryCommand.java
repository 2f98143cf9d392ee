package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.SequentialPolicy;
import io.harbormaster.engine.canary.StableTrackNoise;
import io.harbormaster.engine.canary.bench.CanaryBenchmark;
import io.harbormaster.engine.canary.bench.FixedSchedule;
import io.harbormaster.engine.canary.bench.JudgeFigures;
import io.harbormaster.engine.canary.bench.ScenarioResult;
import io.harbormaster.engine.text.Numbers;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster bench canary}: BENCHMARKS.md section 2, our judge against Kayenta, thresholds and the oracle. */
@Command(
        name = "canary",
        mixinStandardHelpOptions = true,
        description =
                "Canary detection benchmark (BENCHMARKS.md section 2): every scenario, every judge, side by side.")
final class BenchCanaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioRuns options;

    @Option(
            names = "--history",
            defaultValue = "0",
            paramLabel = "N",
            description = "Also run our judge as on a service with N earlier canaries (judge "
                    + CanaryBenchmark.WITH_HISTORY
                    + ", reported apart from BENCHMARKS.md's first-canary figures; 5 is what the pipeline reads;"
                    + " default 0: not run).")
    int history;

    @Option(
            names = "--stable-minutes",
            defaultValue = "0",
            paramLabel = "N",
            description = "Also run our judge as the pipeline runs a service's first canary: starting from the noise of"
                    + " N minutes of the service's stable track before the canary (judge "
                    + CanaryBenchmark.WITH_STABLE
                    + ", reported apart from BENCHMARKS.md's figures; 10 is the policy's default"
                    + " sequential.stable_noise_minutes; default 0: not run).")
    int stableMinutes;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "Canary policy YAML for our judge (as analyze run --policy; defaults for anything it leaves"
                    + " out). The benchmark's traffic comes in 10 s intervals, so interval_seconds must stay 10."
                    + " The other judges and the oracle are not affected.")
    Path policyFile;

    @Option(
            names = "--escalated",
            description = "Run our judge with the cautious policy the pipeline gives a change its risk score"
                    + " escalated (the policy's cautious() form, as when defaults.escalated_canary is not set): held"
                    + " longer, so slowly growing regressions have time to show. BENCHMARKS.md's targets are for the"
                    + " standard canary.")
    boolean escalated;

    @Override
    public Integer call() {
        CanaryPolicy read = CanaryPolicyFile.read(policyFile);
        CanaryPolicy policy = escalated ? read.cautious() : read;
        if (policy.intervalSeconds() != FixedSchedule.INTERVAL_SECONDS) {
            throw new UserError(policyFile + " sets interval_seconds: " + policy.intervalSeconds()
                    + ", but the benchmark's traffic comes in " + FixedSchedule.INTERVAL_SECONDS
                    + " s intervals (BENCHMARKS.md); remove interval_seconds from the policy to bench it");
        }
        options.check();
        int runs = options.runs;
        long seed = options.seed;
        boolean json = options.json;
        if (history < 0 || history > 100) {
            throw new UserError("--history must be between 0 and 100 earlier canaries (5 is what the pipeline"
                    + " reads), got " + history);
        }
        if (stableMinutes < 0 || stableMinutes > SequentialPolicy.MAX_STABLE_NOISE_MINUTES) {
            throw new UserError("--stable-minutes must be between 0 and " + SequentialPolicy.MAX_STABLE_NOISE_MINUTES
                    + " minutes of the stable track before the canary (10 is what the pipeline reads by default, 0"
                    + " does not run " + CanaryBenchmark.WITH_STABLE + "), got " + stableMinutes);
        }
        long stableIntervals = stableMinutes * 60L / FixedSchedule.INTERVAL_SECONDS;
        if (stableMinutes > 0 && stableIntervals < StableTrackNoise.MIN_INTERVALS) {
            throw new UserError("--stable-minutes " + stableMinutes + " is " + stableIntervals + " intervals of "
                    + FixedSchedule.INTERVAL_SECONDS + " s, too few to read the noise from (at least "
                    + StableTrackNoise.MIN_INTERVALS + "); give more minutes, or 0 not to run "
                    + CanaryBenchmark.WITH_STABLE);
        }
        long started = System.nanoTime();
        List<ScenarioResult> results = new CanaryBenchmark(policy, history, stableMinutes).run(runs, seed);
        double seconds = (System.nanoTime() - started) / 1e9;
        var out = spec.commandLine().getOut();
        if (json) {
            var root = Json.MAPPER.createObjectNode();
            root.put("runs", runs);
            root.put("seed", seed);
            root.put("history", history);
            root.put("stable_minutes", stableMinutes);
            if (policyFile != null) {
                root.put("policy", policyFile.toString());
            }
            root.put("escalated", escalated);
            root.put("seconds", Math.round(seconds * 10) / 10.0);
            var scenarios = root.putArray("scenarios");
            for (ScenarioResult r : results) {
                var s = scenarios.addObject();
                s.put("scenario", r.scenario().name());
                s.put("healthy", r.scenario().healthy());
                s.put("extra", r.scenario().extra());
                var judges = s.putObject("judges");
                for (Map.Entry<String, JudgeFigures> e : r.judges().entrySet()) {
                    var j = judges.putObject(e.getKey());
                    JudgeFigures f = e.getValue();
                    Json.put(j, "false_rollback_rate", f.falseRollbackRate());
                    Json.put(j, "detection_rate", f.detectionRate());
                    Json.put(j, "ttd_median_s", f.ttdMedianS());
                    Json.put(j, "ttd_p95_s", f.ttdP95S());
                    Json.put(j, "ttd_vs_oracle", f.ttdVsOracle());
                    Json.put(j, "promote_median_s", f.promoteMedianS());
                    Json.put(j, "promote_p90_s", f.promoteP90S());
                    Json.put(j, "pause_rate", f.pauseRate());
                }
            }
            putTargets(root.putObject("targets"), Targets.of(results));
            if (history > 0) {
                putTargets(
                        root.putObject("targets_" + CanaryBenchmark.WITH_HISTORY),
                        Targets.of(results, CanaryBenchmark.WITH_HISTORY));
            }
            if (stableMinutes > 0) {
                putTargets(
                        root.putObject("targets_" + CanaryBenchmark.WITH_STABLE),
                        Targets.of(results, CanaryBenchmark.WITH_STABLE));
            }
            out.println(root.toString());
        } else {
            out.printf(
                    Locale.ROOT,
                    "canary detection benchmark: %d runs per scenario, seed %d, %s%s%s%s%.1f s%n%n",
                    runs,
                    seed,
                    history > 0
                            ? CanaryBenchmark.WITH_HISTORY + " after "
                                    + Numbers.count(history, "earlier canary", "earlier canaries") + ", "
                            : "",
                    stableMinutes > 0
                            ? CanaryBenchmark.WITH_STABLE + " after the stable track's " + stableMinutes + " min, "
                            : "",
                    policyFile == null ? "" : "our judge's policy from " + policyFile + ", ",
                    escalated ? "our judge as for an escalated change (cautious), " : "",
                    seconds);
            out.printf(
                    Locale.ROOT,
                    "%-30s %-13s %8s %8s %8s %8s %8s %8s %8s %7s%n",
                    "scenario",
                    "judge",
                    "false_rb",
                    "detect",
                    "ttd_med",
                    "ttd_p95",
                    "vs_orcl",
                    "promote",
                    "prom_p90",
                    "paused");
            for (ScenarioResult r : results) {
                for (Map.Entry<String, JudgeFigures> e : r.judges().entrySet()) {
                    JudgeFigures f = e.getValue();
                    out.printf(
                            Locale.ROOT,
                            "%-30s %-13s %8s %8s %8s %8s %8s %8s %8s %7s%n",
                            r.scenario().name(),
                            e.getKey(),
                            cell(f.falseRollbackRate(), "%.3f"),
                            cell(f.detectionRate(), "%.3f"),
                            cell(f.ttdMedianS(), "%.0f"),
                            cell(f.ttdP95S(), "%.0f"),
                            cell(f.ttdVsOracle(), "%.2f"),
                            cell(f.promoteMedianS(), "%.0f"),
                            cell(f.promoteP90S(), "%.0f"),
                            cell(f.pauseRate(), "%.3f"));
                }
            }
            Targets t = Targets.of(results);
            out.printf(
                    Locale.ROOT,
                    "%ntargets (harbormaster): false rollbacks <= 1%%: %s; detection >= 95%%: %s;"
                            + " ttd_vs_oracle <= 1.25: %s; promote median <= 240 s: %s%n",
                    yes(t.falseRollbacks()),
                    yes(t.detection()),
                    yes(t.ttd()),
                    yes(t.promote()));
            if (history > 0) {
                Targets h = Targets.of(results, CanaryBenchmark.WITH_HISTORY);
                out.printf(
                        Locale.ROOT,
                        "targets (%s, a service's %s known; not BENCHMARKS.md's protocol):"
                                + " false rollbacks <= 1%%: %s; detection >= 95%%: %s; ttd_vs_oracle <= 1.25: %s;"
                                + " promote median <= 240 s: %s%n",
                        CanaryBenchmark.WITH_HISTORY,
                        Numbers.count(history, "earlier canary", "earlier canaries"),
                        yes(h.falseRollbacks()),
                        yes(h.detection()),
                        yes(h.ttd()),
                        yes(h.promote()));
            }
            if (stableMinutes > 0) {
                Targets h = Targets.of(results, CanaryBenchmark.WITH_STABLE);
                out.printf(
                        Locale.ROOT,
                        "targets (%s, the stable track's %d min before the canary known; not BENCHMARKS.md's"
                                + " protocol): false rollbacks <= 1%%: %s; detection >= 95%%: %s; ttd_vs_oracle <= 1.25:"
                                + " %s; promote median <= 240 s: %s%n",
                        CanaryBenchmark.WITH_STABLE,
                        stableMinutes,
                        yes(h.falseRollbacks()),
                        yes(h.detection()),
                        yes(h.ttd()),
                        yes(h.promote()));
            }
            out.printf(
                    Locale.ROOT,
                    "extra scenarios (not in BENCHMARKS.md, not counted above): %s%n",
                    results.stream()
                            .filter(r -> r.scenario().extra())
                            .map(r -> r.scenario().name())
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
        out.flush();
        return 0;
    }

    private static String cell(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
    }

    private static String yes(boolean b) {
        return b ? "met" : "NOT met";
    }

    /** Whether our judge met each target of BENCHMARKS.md section 2 in this run (its scenarios only, not extras). */
    record Targets(boolean falseRollbacks, boolean detection, boolean ttd, boolean promote) {
        static Targets of(List<ScenarioResult> results) {
            return of(results, CanaryBenchmark.OURS);
        }

        static Targets of(List<ScenarioResult> results, String judge) {
            boolean fr = true, det = true, ttd = true, promote = true;
            for (ScenarioResult r : results) {
                if (r.scenario().extra()) {
                    continue;
                }
                JudgeFigures f = r.judges().get(judge);
                if (r.scenario().healthy()) {
                    fr &= f.falseRollbackRate() <= 0.01;
                    promote &= f.promoteMedianS() <= 240;
                } else {
                    det &= f.detectionRate() >= 0.95;
                    if (r.scenario().ttdTarget()) {
                        ttd &= f.ttdVsOracle() <= 1.25;
                    }
                }
            }
            return new Targets(fr, det, ttd, promote);
        }
    }

    /** One judge's four targets, met or not, under the JSON keys the benchmark prints. */
    private static void putTargets(ObjectNode into, Targets t) {
        into.put("false_rollbacks_le_1pct", t.falseRollbacks());
        into.put("detection_ge_95pct", t.detection());
        into.put("ttd_vs_oracle_le_1_25", t.ttd());
        into.put("promote_median_le_240s", t.promote());
    }
}
