package io.harbormaster.bot.cli;

import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelId;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskModelStore;
import io.harbormaster.engine.risk.RiskTrainer;
import io.harbormaster.storage.pipeline.JooqOutcomeHistory;
import io.harbormaster.storage.pipeline.JooqRiskModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster risk train}: fits a risk model on labelled changes and writes it as JSON. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a risk model from a CSV of labelled changes (ApacheJIT columns: buggy or bug, author_date or date,"
                    + " and the change metrics) and write it as JSON.",
            "The most recent 20%% of the rows choose the tunables; the model is then refitted on every row and its"
                    + " threshold set for the target escalation rate."
        })
final class RiskTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", paramLabel = "FILE.csv", description = "labelled changes to learn from")
    Path train;

    @Option(
            names = "--from-history",
            description = "learn from the bot's own deploys instead (promoted or rolled back, labelled by rollback or"
                    + " incident), read from the database (--db)")
    boolean fromHistory;

    @Mixin
    DatabaseOption database;

    @Option(names = "--out", required = true, paramLabel = "MODEL.json", description = "where to write the model")
    Path out;

    @Option(
            names = "--store",
            description = "also store the model in the database (--db) as its active model, which serve scores with"
                    + " when harbormaster.yml says risk: {model: database}; every model stored is kept")
    boolean store;

    @Mixin
    TargetRateOption targetRate;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if ((train == null) == !fromHistory) {
            throw new UserError("give either --train FILE.csv or --from-history (with --db), not both and not neither");
        }
        var options = targetRate.trainingOptions();
        OutputFiles.check(out, "--out"); // before minutes of training, not after
        // The database, when one is needed, is opened before minutes of training too.
        try (var db = fromHistory || store ? database.openExisting() : null) {
            long start = System.nanoTime();
            RiskModel model;
            try {
                if (fromHistory) {
                    var history = new JooqOutcomeHistory(db);
                    start = System.nanoTime();
                    model = RiskTrainer.train(history, options);
                } else {
                    var data = RiskCli.readCsv(train, "--train");
                    start = System.nanoTime();
                    model = RiskTrainer.train(data, train.getFileName().toString(), options);
                }
            } catch (DatasetError | IllegalArgumentException e) {
                throw new UserError(e.getMessage(), e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            try {
                RiskModelJson.write(model, out);
            } catch (IOException | java.io.UncheckedIOException e) {
                throw OutputFiles.failure(out, "--out", e);
            }
            Optional<RiskModelStore.StoredModel> stored = store
                    ? Optional.of(new JooqRiskModelStore(db).activate(storedName(), model, Instant.now()))
                    : Optional.empty();
            print(spec.commandLine().getOut(), model, seconds, stored);
        }
        return 0;
    }

    /** The stored model's name: the file it was also written to (the column holds 100 characters). */
    private String storedName() {
        var name = out.getFileName().toString();
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    private void print(PrintWriter w, RiskModel model, double seconds, Optional<RiskModelStore.StoredModel> stored) {
        var t = model.training();
        var id = RiskModelId.of(model, "file " + out);
        if (json) {
            var m = new LinkedHashMap<String, Object>();
            m.put("model", out.toString());
            m.put("sha256", id.sha256());
            stored.ifPresent(s -> m.put("stored_id", s.id()));
            m.put("source", t.source());
            m.put("rows", t.rows());
            m.put("positives", t.positives());
            m.put("features", model.features());
            m.put("validation_rows", t.validationRows());
            m.put("validation_auc", t.validationAuc());
            m.put("trees", t.treeCount());
            m.put("logistic_weight", model.logisticWeight());
            m.put("target_rate", model.threshold().targetRate());
            m.put("threshold_score", model.threshold().score());
            m.put("training_escalation_rate", model.threshold().trainingRate());
            m.put("train_seconds", seconds);
            m.put("notes", t.notes());
            w.println(RiskCli.json(m));
            return;
        }
        w.printf(Locale.ROOT, "model written to %s (sha256 %s)%n", out, id.sha256());
        stored.ifPresent(s -> w.printf(
                Locale.ROOT,
                "  stored            in the database as risk_model #%d, now its active model: serve scores with it"
                        + " when harbormaster.yml says risk: {model: database} (from its next start)%n",
                s.id()));
        w.printf(
                Locale.ROOT,
                "  trained on        %s: %d changes, %d bad (%s)%n",
                t.source(),
                t.rows(),
                t.positives(),
                RiskCli.pct((double) t.positives() / t.rows()));
        w.printf(Locale.ROOT, "  features          %s%n", String.join(", ", model.features()));
        w.printf(Locale.ROOT, "  validation slice  last %d changes; AUC %s%n", t.validationRows(), t.validationAuc());
        w.printf(
                Locale.ROOT,
                "  model             %d trees, logistic weight %.1f%n",
                t.treeCount(),
                model.logisticWeight());
        w.printf(
                Locale.ROOT,
                "  threshold         score %.1f (target %s escalated; %s of training changes reach it)%n",
                model.threshold().score(),
                RiskCli.pct(model.threshold().targetRate()),
                RiskCli.pct(model.threshold().trainingRate()));
        w.printf(Locale.ROOT, "  took              %.1f s%n", seconds);
        if (stored.isEmpty()) {
            w.printf(
                    Locale.ROOT,
                    "  to score with it  risk: {model: %s} in harbormaster.yml (a relative path is read from its"
                            + " directory), then restart serve%n",
                    out);
        }
        for (var note : t.notes()) {
            w.printf(Locale.ROOT, "  note: %s%n", note);
        }
    }
}
