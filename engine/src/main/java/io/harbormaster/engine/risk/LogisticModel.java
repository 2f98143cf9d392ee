package io.harbormaster.engine.risk;

import java.util.List;

/**
 * Logistic regression over log1p-transformed, standardized metrics and, optionally, their standardized pairwise
 * products. Each factor's contribution is its coefficient times its standardized value; an interaction's contribution is
 * split evenly between its two metrics, so the contributions still add up to the logit.
 *
 * @param features metric keys, in the order of the value arrays given to {@link #logit}
 * @param center mean of log1p(value) per metric on the training rows
 * @param scale standard deviation of log1p(value) per metric
 * @param pairLeft first metric of each interaction term
 * @param pairRight second metric of each interaction term (equal to the first for a square)
 * @param pairCenter mean of each interaction product
 * @param pairScale standard deviation of each interaction product
 * @param intercept the log-odds of a change with every term at its training mean
 * @param weights coefficient of each standardized metric
 * @param pairWeights coefficient of each standardized interaction term
 */
public record LogisticModel(
        List<String> features,
        double[] center,
        double[] scale,
        int[] pairLeft,
        int[] pairRight,
        double[] pairCenter,
        double[] pairScale,
        double intercept,
        double[] weights,
        double[] pairWeights) {

    /** The log-odds of a change. */
    public double logit(double[] x) {
        var z = standardize(x);
        double s = intercept;
        for (int j = 0; j < z.length; j++) {
            s += weights[j] * z[j];
        }
        for (int k = 0; k < pairLeft.length; k++) {
            s += pairWeights[k] * pairTerm(z, k);
        }
        return s;
    }

    /** Adds each metric's contribution to {@code out} and returns the intercept (the part no metric explains). */
    public double contributions(double[] x, double[] out) {
        var z = standardize(x);
        for (int j = 0; j < z.length; j++) {
            out[j] += weights[j] * z[j];
        }
        for (int k = 0; k < pairLeft.length; k++) {
            double c = pairWeights[k] * pairTerm(z, k);
            out[pairLeft[k]] += c / 2;
            out[pairRight[k]] += c / 2;
        }
        return intercept;
    }

    double[] standardize(double[] x) {
        var z = new double[center.length];
        for (int j = 0; j < z.length; j++) {
            z[j] = (Math.log1p(x[j]) - center[j]) / scale[j];
        }
        return z;
    }

    double pairTerm(double[] z, int k) {
        return (z[pairLeft[k]] * z[pairRight[k]] - pairCenter[k]) / pairScale[k];
    }
}
