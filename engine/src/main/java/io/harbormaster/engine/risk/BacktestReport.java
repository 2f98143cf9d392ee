package io.harbormaster.engine.risk;

import java.util.Map;

/**
 * The figures of BENCHMARKS.md section 1, for one train/test split.
 *
 * @param trainRows rows in the training file
 * @param testRows rows in the test file
 * @param testPositives bad changes in the test file
 * @param auc ROC AUC on the test file
 * @param aucCi95 its bootstrap 95% interval {low, high}
 * @param catchAt share of bad test changes among the top 11%, 20%, 30% by score, keyed "0.11", "0.2", "0.3"
 * @param catchAtCi95 their bootstrap 95% intervals
 * @param escalationRate share of test changes at or over the threshold set on the training file
 * @param trainSeconds wall time of training
 * @param scoreP50Micros median time to score one change (rules, model, factors and words)
 * @param scoreP99Micros 99th percentile of the same
 * @param baselineAuc plain logistic regression on log1p-standardized metrics, same split, for comparison
 * @param baselineCatchAt the baseline's catch shares
 * @param model the trained model (its threshold, blend and validation figures)
 */
public record BacktestReport(
        int trainRows,
        int testRows,
        int testPositives,
        double auc,
        double[] aucCi95,
        Map<String, Double> catchAt,
        Map<String, double[]> catchAtCi95,
        double escalationRate,
        double trainSeconds,
        double scoreP50Micros,
        double scoreP99Micros,
        double baselineAuc,
        Map<String, Double> baselineCatchAt,
        RiskModel model) {}
