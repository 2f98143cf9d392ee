package io.harbormaster.engine.risk;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The benchmark protocol of BENCHMARKS.md section 1: train on the training file only (tunables chosen on its most
 * recent slice), score the test file once, and report ranking quality with bootstrap intervals, the escalation rate at
 * the trained threshold, and the training and scoring times.
 */
public final class Backtest {
    /** The top shares at which catch is reported. */
    public static final double[] SHARES = {0.11, 0.2, 0.3};

    private static final int RESAMPLES = 1000;
    private static final long SEED = 20240501L;

    private Backtest() {}

    /** Runs the protocol. */
    public static BacktestReport run(TrainingData train, TrainingData test, String source, TrainingOptions options) {
        if (!test.metrics().containsAll(train.metrics())) {
            var missing = new java.util.ArrayList<>(train.metrics());
            missing.removeAll(test.metrics());
            throw new DatasetError("the test file lacks columns the training file has: " + TrainingData.keys(missing));
        }
        int bad = 0;
        for (int i = 0; i < test.size(); i++) {
            bad += test.buggy(i) ? 1 : 0;
        }
        if (bad == 0 || bad == test.size()) {
            throw new DatasetError("the test file has " + test.size() + " changes, " + bad + " bad and "
                    + (test.size() - bad) + " good: auc and catch_at compare how bad and good changes rank, so it"
                    + " needs at least one of each");
        }
        long start = System.nanoTime();
        var model = RiskTrainer.train(train, source, options);
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        var scorer = RiskScorer.withDefaultRules(model);
        int n = test.size();
        var inputs = new RiskInput[n];
        var labels = new boolean[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = RiskInput.ofMetrics(test.metricsOf(i));
            labels[i] = test.buggy(i);
        }
        // One untimed pass lets the JIT compile the scoring path; the second pass is timed row by row.
        for (var in : inputs) {
            scorer.assess(in);
        }
        var scores = new double[n];
        var nanos = new long[n];
        int escalated = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            var a = scorer.assess(inputs[i]);
            nanos[i] = System.nanoTime() - t0;
            scores[i] = a.score();
            escalated += a.escalated() ? 1 : 0;
        }
        // Scores are compared on a logit scale for ranking: the same order, with no rounding at 0 or 100.
        var logits = new double[n];
        for (int i = 0; i < n; i++) {
            var x = alignedRow(test, i, model.metrics());
            logits[i] = model.logit(x);
        }
        Arrays.sort(nanos);
        var ranks = new RankMetrics(logits, labels);
        var ci = ranks.bootstrap(SHARES, RESAMPLES, SEED);
        var catchAt = new LinkedHashMap<String, Double>();
        var catchCi = new LinkedHashMap<String, double[]>();
        for (int s = 0; s < SHARES.length; s++) {
            catchAt.put(key(SHARES[s]), ranks.catchAt(SHARES[s]));
            catchCi.put(key(SHARES[s]), ci[1 + s]);
        }

        var baseline = LogisticTrainer.fit(train, RiskTrainer.range(0, train.size()), false, 0);
        var baseLogits = new double[n];
        for (int i = 0; i < n; i++) {
            baseLogits[i] = baseline.logit(alignedRow(test, i, train.metrics()));
        }
        var baseRanks = new RankMetrics(baseLogits, labels);
        var baseCatch = new LinkedHashMap<String, Double>();
        for (double s : SHARES) {
            baseCatch.put(key(s), baseRanks.catchAt(s));
        }
        return new BacktestReport(
                train.size(),
                n,
                test.positives(),
                ranks.auc(),
                ci[0],
                catchAt,
                catchCi,
                (double) escalated / n,
                trainSeconds,
                nanos[(int) (0.5 * (n - 1))] / 1e3,
                nanos[(int) Math.ceil(0.99 * (n - 1))] / 1e3,
                baseRanks.auc(),
                baseCatch,
                model);
    }

    static String key(double share) {
        var s = Double.toString(share);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static double[] alignedRow(TrainingData data, int i, List<JitMetric> order) {
        var x = new double[order.size()];
        var row = data.row(i);
        for (int j = 0; j < order.size(); j++) {
            x[j] = row[data.metrics().indexOf(order.get(j))];
        }
        return x;
    }
}
