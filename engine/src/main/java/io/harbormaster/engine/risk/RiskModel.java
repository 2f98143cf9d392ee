package io.harbormaster.engine.risk;

import java.util.List;
import java.util.Map;

/**
 * A trained risk model: a blend, in log-odds, of an interaction logistic regression and boosted trees, plus the
 * context prior and the threshold, with the training distribution of every metric (for words and for conservative
 * defaults).
 *
 * @param format the file format version
 * @param features the metrics the model reads, as keys
 * @param logistic the logistic part
 * @param trees the boosted-trees part
 * @param logisticWeight the logistic part's share of the blend (the trees get the rest), chosen on validation
 * @param context how the deploy context moves the log-odds
 * @param threshold when a deploy escalates
 * @param percentiles per metric, its 0th, 1st, ..., 100th percentile on the training rows
 * @param training how the model was trained
 */
public record RiskModel(
        int format,
        List<String> features,
        LogisticModel logistic,
        TreeEnsemble trees,
        double logisticWeight,
        ContextPrior context,
        Threshold threshold,
        Map<String, double[]> percentiles,
        TrainingSummary training) {

    /** The current file format. */
    public static final int FORMAT = 1;

    public RiskModel {
        features = List.copyOf(features);
        percentiles = Map.copyOf(percentiles);
    }

    /** The change part's log-odds for metric values in {@link #features} order. */
    public double logit(double[] x) {
        return logisticWeight * logistic.logit(x) + (1 - logisticWeight) * trees.logit(x);
    }

    /** Adds each metric's contribution to {@code out} and returns the bias; bias plus contributions is the logit. */
    public double contributions(double[] x, double[] out) {
        var lr = new double[x.length];
        var tr = new double[x.length];
        double bias =
                logisticWeight * logistic.contributions(x, lr) + (1 - logisticWeight) * trees.contributions(x, tr);
        for (int j = 0; j < x.length; j++) {
            out[j] += logisticWeight * lr[j] + (1 - logisticWeight) * tr[j];
        }
        return bias;
    }

    /** The metrics as {@link JitMetric}s. */
    public List<JitMetric> metrics() {
        return features.stream().map(JitMetric::ofKey).toList();
    }

    /** The share of training changes with a value of {@code metric} below {@code value}, 0..1. */
    public double percentileRank(String metric, double value) {
        var p = percentiles.get(metric);
        if (p == null) {
            return 0.5;
        }
        int below = 0;
        int equal = 0;
        for (int k = 0; k < p.length; k++) {
            if (p[k] < value) {
                below++;
            } else if (p[k] == value) {
                equal++;
            }
        }
        return (below + equal / 2.0) / p.length;
    }

    /** Converts log-odds to the 0..100 score. */
    public static double score(double logit) {
        return 100 / (1 + Math.exp(-logit));
    }
}
