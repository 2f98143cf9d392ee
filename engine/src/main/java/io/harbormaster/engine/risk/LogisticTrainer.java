package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;

/** Fits a {@link LogisticModel} by Newton's method with a small ridge penalty (Commons Math solves each step). */
public final class LogisticTrainer {
    private static final int MAX_ITERATIONS = 30;
    // Coefficients on standardized terms: a change below this moves no ranking that matters.
    private static final double TOLERANCE = 1e-4;

    private LogisticTrainer() {}

    /**
     * Fits on the given rows.
     *
     * @param data the labelled changes
     * @param rows indices of the rows to fit on
     * @param interactions whether to add every pairwise product (and square) of the standardized metrics
     * @param l2 the ridge penalty per row on every coefficient but the intercept
     */
    public static LogisticModel fit(TrainingData data, int[] rows, boolean interactions, double l2) {
        var even = new double[rows.length];
        java.util.Arrays.fill(even, 1);
        return fit(data, rows, even, interactions, l2, Optional.empty());
    }

    /**
     * Fits on the given rows, each with a weight (mean 1), starting Newton's method from the coefficients of a similar
     * model when one is given (fewer steps).
     */
    public static LogisticModel fit(
            TrainingData data,
            int[] rows,
            double[] rowWeights,
            boolean interactions,
            double l2,
            Optional<LogisticModel> warmStart) {
        int f = data.metrics().size();
        int n = rows.length;
        var center = new double[f];
        var scale = new double[f];
        var z = new double[n][f];
        for (int j = 0; j < f; j++) {
            double sum = 0;
            double sq = 0;
            for (int r : rows) {
                double v = Math.log1p(data.row(r)[j]);
                sum += v;
                sq += v * v;
            }
            center[j] = sum / n;
            scale[j] = sd(sum, sq, n);
            for (int i = 0; i < n; i++) {
                z[i][j] = (Math.log1p(data.row(rows[i])[j]) - center[j]) / scale[j];
            }
        }
        var left = new ArrayList<Integer>();
        var right = new ArrayList<Integer>();
        if (interactions) {
            for (int a = 0; a < f; a++) {
                for (int b = a; b < f; b++) {
                    // The square of a yes/no flag adds nothing: it is the flag itself.
                    if (a == b && data.metrics().get(a).isFlag()) {
                        continue;
                    }
                    left.add(a);
                    right.add(b);
                }
            }
        }
        int q = left.size();
        var pairCenter = new double[q];
        var pairScale = new double[q];
        for (int k = 0; k < q; k++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double v = z[i][left.get(k)] * z[i][right.get(k)];
                sum += v;
                sq += v * v;
            }
            pairCenter[k] = sum / n;
            pairScale[k] = sd(sum, sq, n);
        }
        // Design matrix: intercept, main terms, interaction terms.
        int p = 1 + f + q;
        var x = new double[n][p];
        var y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 1;
            System.arraycopy(z[i], 0, x[i], 1, f);
            for (int k = 0; k < q; k++) {
                x[i][1 + f + k] = (z[i][left.get(k)] * z[i][right.get(k)] - pairCenter[k]) / pairScale[k];
            }
            y[i] = data.buggy(rows[i]) ? 1 : 0;
        }
        var start = warmStart
                .filter(m -> m.weights().length == f && m.pairWeights().length == q)
                .map(m -> {
                    var b = new double[p];
                    b[0] = m.intercept();
                    System.arraycopy(m.weights(), 0, b, 1, f);
                    System.arraycopy(m.pairWeights(), 0, b, 1 + f, q);
                    return b;
                });
        var beta = newton(x, y, rowWeights, l2, start);
        var weights = new double[f];
        System.arraycopy(beta, 1, weights, 0, f);
        var pairWeights = new double[q];
        System.arraycopy(beta, 1 + f, pairWeights, 0, q);
        return new LogisticModel(
                keys(data.metrics()),
                center,
                scale,
                left.stream().mapToInt(Integer::intValue).toArray(),
                right.stream().mapToInt(Integer::intValue).toArray(),
                pairCenter,
                pairScale,
                beta[0],
                weights,
                pairWeights);
    }

    static List<String> keys(List<JitMetric> metrics) {
        return metrics.stream().map(JitMetric::key).toList();
    }

    // A constant column gets scale 1, so that it standardizes to zero instead of dividing by zero.
    private static double sd(double sum, double sq, int n) {
        double var = sq / n - (sum / n) * (sum / n);
        return var > 1e-12 ? Math.sqrt(var) : 1.0;
    }

    private static double[] newton(double[][] x, double[] y, double[] sw, double l2, Optional<double[]> start) {
        int n = x.length;
        int p = x[0].length;
        var beta = new double[p];
        if (start.isPresent()) {
            beta = start.get().clone();
        } else {
            double prior = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                prior += sw[i] * y[i];
                total += sw[i];
            }
            prior = Math.min(Math.max(prior / total, 1e-6), 1 - 1e-6);
            beta[0] = Math.log(prior / (1 - prior));
        }
        double loss = loss(x, y, sw, beta, l2);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            var h = new double[p][p];
            var g = new double[p];
            var v = new double[p];
            for (int i = 0; i < n; i++) {
                var xi = x[i];
                double mu = sigmoid(dot(xi, beta));
                double w = sw[i] * Math.max(mu * (1 - mu), 1e-12);
                double r = sw[i] * (mu - y[i]);
                for (int a = 0; a < p; a++) {
                    g[a] += r * xi[a];
                    v[a] = w * xi[a];
                }
                for (int a = 0; a < p; a++) {
                    var ha = h[a];
                    double va = v[a];
                    for (int b = a; b < p; b++) {
                        ha[b] += va * xi[b];
                    }
                }
            }
            for (int a = 0; a < p; a++) {
                g[a] /= n;
                for (int b = a; b < p; b++) {
                    h[a][b] /= n;
                    h[b][a] = h[a][b];
                }
                if (a > 0) {
                    g[a] += l2 * beta[a];
                    h[a][a] += l2;
                }
            }
            double[] step;
            try {
                step = new CholeskyDecomposition(new Array2DRowRealMatrix(h, false), 1e-10, 1e-14)
                        .getSolver()
                        .solve(new ArrayRealVector(g, false))
                        .toArray();
            } catch (NonPositiveDefiniteMatrixException e) {
                break;
            }
            // Halve the step while it does not lower the penalized loss (rarely needed with a ridge).
            double t = 1;
            double[] next = beta;
            double nextLoss = loss;
            for (int halving = 0; halving < 20; halving++) {
                next = new double[p];
                for (int a = 0; a < p; a++) {
                    next[a] = beta[a] - t * step[a];
                }
                nextLoss = loss(x, y, sw, next, l2);
                if (nextLoss <= loss + 1e-12) {
                    break;
                }
                t /= 2;
            }
            double largest = 0;
            for (int a = 0; a < p; a++) {
                largest = Math.max(largest, Math.abs(next[a] - beta[a]));
            }
            beta = next;
            loss = nextLoss;
            if (largest < TOLERANCE) {
                break;
            }
        }
        return beta;
    }

    private static double loss(double[][] x, double[] y, double[] sw, double[] beta, double l2) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double m = dot(x[i], beta);
            // log(1 + e^m) - y m, computed without overflow
            s += sw[i] * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - y[i] * m);
        }
        double pen = 0;
        for (int a = 1; a < beta.length; a++) {
            pen += beta[a] * beta[a];
        }
        return s / x.length + l2 / 2 * pen;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double sigmoid(double m) {
        return 1 / (1 + Math.exp(-m));
    }
}
