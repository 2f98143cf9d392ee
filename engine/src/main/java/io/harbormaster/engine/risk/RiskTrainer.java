package io.harbormaster.engine.risk;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Trains a {@link RiskModel}. The most recent {@code validationShare} of the rows (they are in time order) chooses the
 * tree count and the blend of the two parts; both parts are then refitted on every row, and the threshold is set on
 * every row for the target escalation rate.
 */
public final class RiskTrainer {
    private static final int MIN_ROWS = 50;
    private static final int MIN_EACH_CLASS = 5;
    // Daemon threads, so that a command line never waits on them to exit.
    private static final Executor WORKERS = Executors.newCachedThreadPool(r -> {
        var t = new Thread(r, "risk-trainer");
        t.setDaemon(true);
        return t;
    });

    private RiskTrainer() {}

    /** Trains from a data set; {@code source} names it in the model's training summary. */
    public static RiskModel train(TrainingData data, String source, TrainingOptions options) {
        int n = data.size();
        int positives = data.positives();
        if (n < MIN_ROWS || positives < MIN_EACH_CLASS || n - positives < MIN_EACH_CLASS) {
            throw new DatasetError(source + " has " + n + " labelled changes (" + positives + " bad): training needs at"
                    + " least " + MIN_ROWS + ", with at least " + MIN_EACH_CLASS + " good and " + MIN_EACH_CLASS
                    + " bad");
        }
        int cut = (int) Math.round(n * (1 - options.validationShare()));
        var fitRows = range(0, cut);
        var validationRows = range(cut, n);
        var all = range(0, n);

        // Choose on the validation slice.
        var auc = new LinkedHashMap<String, Double>();
        // The two parts are independent: fit them side by side.
        var fitWeights = recencyWeights(data, fitRows, options.recencyHalfLifeYears());
        var lrFuture = CompletableFuture.supplyAsync(
                () -> LogisticTrainer.fit(data, fitRows, fitWeights, true, options.l2(), Optional.empty()), WORKERS);
        var treeFit = BoostedTreesTrainer.fit(data, fitRows, fitWeights, validationRows, options.trees());
        var lr = lrFuture.join();
        int treeCount = treeFit.bestTreeCount();
        var labels = new boolean[validationRows.length];
        var lrLogit = new double[validationRows.length];
        var treeLogit = new double[validationRows.length];
        var prefix = new TreeEnsemble(
                treeFit.ensemble().features(),
                treeFit.ensemble().base(),
                treeFit.ensemble().trees().subList(0, treeCount));
        for (int i = 0; i < validationRows.length; i++) {
            var row = data.row(validationRows[i]);
            labels[i] = data.buggy(validationRows[i]);
            lrLogit[i] = lr.logit(row);
            treeLogit[i] = prefix.logit(row);
        }
        double bestWeight = 0.5;
        double bestAuc = Double.NEGATIVE_INFINITY;
        boolean bothClasses = hasBothClasses(labels);
        if (bothClasses) {
            for (int k = 0; k <= 10; k++) {
                double a = k / 10.0;
                var blend = new double[labels.length];
                for (int i = 0; i < blend.length; i++) {
                    blend[i] = a * lrLogit[i] + (1 - a) * treeLogit[i];
                }
                double v = new RankMetrics(blend, labels).auc();
                if (v > bestAuc + 1e-9) {
                    bestAuc = v;
                    bestWeight = a;
                }
            }
            auc.put("logistic", new RankMetrics(lrLogit, labels).auc());
            auc.put("trees", new RankMetrics(treeLogit, labels).auc());
            auc.put("blend", bestAuc);
        }

        // Refit on everything with the chosen settings.
        var allWeights = recencyWeights(data, all, options.recencyHalfLifeYears());
        var finalLrFuture = CompletableFuture.supplyAsync(
                () -> LogisticTrainer.fit(data, all, allWeights, true, options.l2(), Optional.of(lr)), WORKERS);
        var finalTrees = BoostedTreesTrainer.fit(
                        data, all, allWeights, new int[0], options.trees().withTrees(treeCount))
                .ensemble();
        var finalLr = finalLrFuture.join();

        var percentiles = percentiles(data);
        var features = LogisticTrainer.keys(data.metrics());
        var draft = new RiskModel(
                RiskModel.FORMAT,
                features,
                finalLr,
                finalTrees,
                bestWeight,
                options.context(),
                new Threshold(options.targetRate(), 100, Double.POSITIVE_INFINITY, 0),
                percentiles,
                new TrainingSummary(source, n, positives, validationRows.length, auc, treeCount, data.notes()));
        var logits = new double[n];
        for (int i = 0; i < n; i++) {
            logits[i] = draft.logit(data.row(i));
        }
        return new RiskModel(
                RiskModel.FORMAT,
                features,
                finalLr,
                finalTrees,
                bestWeight,
                options.context(),
                thresholdFor(logits, options.targetRate()),
                percentiles,
                draft.training());
    }

    /** Trains from the bot's own deploy history (deploys labelled by rollback or incident). */
    public static RiskModel train(OutcomeHistory history, TrainingOptions options) {
        return train(TrainingData.from(history), "deploy history", options);
    }

    // Weights halving every half-life back from the newest of the rows, scaled to mean 1.
    static double[] recencyWeights(TrainingData data, int[] rows, double halfLifeYears) {
        var w = new double[rows.length];
        long newest = data.time(rows[rows.length - 1]);
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            double years = (newest - data.time(rows[i])) / (365.25 * 86400);
            w[i] = Math.pow(0.5, Math.max(0, years) / halfLifeYears);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] *= w.length / sum;
        }
        return w;
    }

    /** The threshold that {@code rate} of these logits reach. */
    static Threshold thresholdFor(double[] logits, double rate) {
        var sorted = logits.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int k = Math.max(1, (int) Math.round(rate * n));
        double t = sorted[n - k];
        int reached = 0;
        for (double l : sorted) {
            reached += l >= t ? 1 : 0;
        }
        return new Threshold(rate, RiskModel.score(t), t, (double) reached / n);
    }

    private static Map<String, double[]> percentiles(TrainingData data) {
        var out = new HashMap<String, double[]>();
        int n = data.size();
        for (int j = 0; j < data.metrics().size(); j++) {
            var values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = data.row(i)[j];
            }
            Arrays.sort(values);
            var p = new double[101];
            for (int k = 0; k <= 100; k++) {
                p[k] = values[(int) Math.round(k / 100.0 * (n - 1))];
            }
            out.put(data.metrics().get(j).key(), p);
        }
        return out;
    }

    private static boolean hasBothClasses(boolean[] labels) {
        boolean t = false;
        boolean f = false;
        for (var b : labels) {
            t |= b;
            f |= !b;
        }
        return t && f;
    }

    static int[] range(int from, int to) {
        var r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
