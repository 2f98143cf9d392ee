package io.harbormaster.bot.cli;

import io.harbormaster.engine.canary.bench.LatencyLimitsBenchmark;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code harbormaster bench canary-limits}: where a first canary's time to detect a latency step goes, against judges
 * that know more than ours (see {@link LatencyLimitsBenchmark}).
 */
@Command(
        name = "canary-limits",
        mixinStandardHelpOptions = true,
        description = "Latency steps: the oracle, idealised judges that know the fault's onset (and its size) but not"
                + " the noise level, and our p50 e-process; median time to detect, and for onsets before and after"
                + " 30 s.")
final class BenchCanaryLimitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioRuns options;

    @Override
    public Integer call() {
        options.check();
        int runs = options.runs;
        long seed = options.seed;
        boolean json = options.json;
        List<LatencyLimitsBenchmark.Row> rows = LatencyLimitsBenchmark.run(runs, seed);
        var out = spec.commandLine().getOut();
        if (json) {
            var root = Json.MAPPER.createObjectNode();
            root.put("runs", runs);
            root.put("seed", seed);
            var scenarios = root.putArray("scenarios");
            for (var row : rows) {
                var s = scenarios.addObject();
                s.put("scenario", row.scenario());
                var judges = s.putArray("judges");
                double oracle = row.medians().get(LatencyLimitsBenchmark.JUDGES.getFirst())[0];
                for (Map.Entry<String, double[]> e : row.medians().entrySet()) {
                    var j = judges.addObject();
                    j.put("judge", e.getKey());
                    Json.put(j, "ttd_median_s", e.getValue()[0]);
                    Json.put(j, "ttd_vs_oracle", e.getValue()[0] / oracle);
                    Json.put(j, "ttd_median_onset_before_30s", e.getValue()[1]);
                    Json.put(j, "ttd_median_onset_from_30s", e.getValue()[2]);
                }
            }
            out.println(root.toString());
        } else {
            out.printf(Locale.ROOT, "latency steps, first canary: %d runs per scenario, seed %d%n", runs, seed);
            for (var row : rows) {
                out.printf(Locale.ROOT, "%n%s%n", row.scenario());
                out.printf(
                        Locale.ROOT,
                        "  %-48s %9s %9s %12s %12s%n",
                        "judge",
                        "ttd_med",
                        "vs_oracle",
                        "onset<30s",
                        "onset>=30s");
                double oracle = row.medians().get(LatencyLimitsBenchmark.JUDGES.getFirst())[0];
                for (Map.Entry<String, double[]> e : row.medians().entrySet()) {
                    double[] m = e.getValue();
                    out.printf(
                            Locale.ROOT,
                            "  %-48s %9.1f %9.2f %12.1f %12.1f%n",
                            e.getKey(),
                            m[0],
                            m[0] / oracle,
                            m[1],
                            m[2]);
                }
            }
        }
        out.flush();
        return 0;
    }
}
