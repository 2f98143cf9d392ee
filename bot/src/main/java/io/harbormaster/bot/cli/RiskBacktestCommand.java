package io.harbormaster.bot.cli;

import io.harbormaster.engine.risk.Backtest;
import io.harbormaster.engine.risk.BacktestReport;
import io.harbormaster.engine.risk.DatasetError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster risk backtest}: the BENCHMARKS.md section 1 protocol on any train/test pair of CSV files. */
@Command(
        name = "backtest",
        mixinStandardHelpOptions = true,
        description = {
            "Train on one CSV, score another once, and report auc, catch_at (top 11%%, 20%%, 30%%) with bootstrap 95%%"
                    + " intervals, escalation_rate, train_seconds and score_p99_micros (BENCHMARKS.md section 1).",
            "Rows are put in time order (author_date or date) first; tunables are chosen on the last 20%% of the"
                    + " training file only."
        })
class RiskBacktestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "F.csv", description = "the training file")
    Path train;

    @Option(names = "--test", required = true, paramLabel = "G.csv", description = "the test file, scored once")
    Path test;

    @Mixin
    TargetRateOption targetRate;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    @Override
    public Integer call() {
        var options = targetRate.trainingOptions();
        RiskCli.checkCsv(train, "--train");
        RiskCli.checkCsv(test, "--test"); // before the training file is read, not after
        var trainData = RiskCli.readCsv(train, "--train");
        var testData = RiskCli.readCsv(test, "--test");
        BacktestReport r;
        try {
            r = Backtest.run(trainData, testData, train.getFileName().toString(), options);
        } catch (DatasetError e) {
            throw new UserError(e.getMessage(), e);
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(RiskCli.json(toJson(r)));
        } else {
            printTable(out, r);
        }
        return 0;
    }

    static Map<String, Object> toJson(BacktestReport r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("auc", r.auc());
        m.put("auc_ci95", r.aucCi95());
        m.put("catch_at", r.catchAt());
        m.put("catch_at_ci95", r.catchAtCi95());
        m.put("escalation_rate", r.escalationRate());
        m.put("train_seconds", r.trainSeconds());
        m.put("score_p99_micros", r.scoreP99Micros());
        m.put("score_p50_micros", r.scoreP50Micros());
        m.put("train_rows", r.trainRows());
        m.put("test_rows", r.testRows());
        m.put("test_positives", r.testPositives());
        m.put("threshold_score", r.model().threshold().score());
        m.put("target_rate", r.model().threshold().targetRate());
        m.put("validation_auc", r.model().training().validationAuc());
        m.put("trees", r.model().training().treeCount());
        m.put("logistic_weight", r.model().logisticWeight());
        m.put(
                "baseline",
                Map.of(
                        "model",
                        "logistic regression, log1p + standardized",
                        "auc",
                        r.baselineAuc(),
                        "catch_at",
                        r.baselineCatchAt()));
        m.put("notes", r.model().training().notes());
        return m;
    }

    private static void printTable(PrintWriter w, BacktestReport r) {
        w.printf(
                Locale.ROOT,
                "risk backtest: %d training changes, %d test changes (%d bad)%n",
                r.trainRows(),
                r.testRows(),
                r.testPositives());
        w.printf(Locale.ROOT, "  %-18s %-8s %-18s %s%n", "figure", "value", "95% interval", "baseline LR");
        w.printf(
                Locale.ROOT,
                "  %-18s %-8s [%.3f, %.3f]     %s%n",
                "auc",
                RiskCli.num(r.auc()),
                r.aucCi95()[0],
                r.aucCi95()[1],
                RiskCli.num(r.baselineAuc()));
        for (var e : r.catchAt().entrySet()) {
            var ci = r.catchAtCi95().get(e.getKey());
            w.printf(
                    Locale.ROOT,
                    "  %-18s %-8s [%.3f, %.3f]     %s%n",
                    "catch_at " + e.getKey(),
                    RiskCli.num(e.getValue()),
                    ci[0],
                    ci[1],
                    RiskCli.num(r.baselineCatchAt().get(e.getKey())));
        }
        w.printf(
                Locale.ROOT,
                "  %-18s %s (threshold %.1f, set for %s on the training file)%n",
                "escalation_rate",
                RiskCli.num(r.escalationRate()),
                r.model().threshold().score(),
                RiskCli.pct(r.model().threshold().targetRate()));
        w.printf(Locale.ROOT, "  %-18s %.2f%n", "train_seconds", r.trainSeconds());
        w.printf(
                Locale.ROOT,
                "  %-18s %.1f (median %.1f)%n",
                "score_p99_micros",
                r.scoreP99Micros(),
                r.scoreP50Micros());
        w.printf(
                Locale.ROOT,
                "  validation AUC on the last 20%% of the training file: %s; %d trees, logistic weight" + " %.1f%n",
                r.model().training().validationAuc(),
                r.model().training().treeCount(),
                r.model().logisticWeight());
        for (var note : r.model().training().notes()) {
            w.printf(Locale.ROOT, "  note: %s%n", note);
        }
    }
}
