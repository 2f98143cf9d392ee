package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fits a {@link TreeEnsemble} by second-order gradient boosting on the log loss, with histogram splits: each metric is
 * cut into at most {@code bins} quantile bins once, so a split search costs one pass over a node's rows per metric.
 */
public final class BoostedTreesTrainer {

    /**
     * The tunables.
     *
     * @param trees the largest number of trees (fewer when a validation slice says so)
     * @param depth the depth of every tree
     * @param learningRate how much of each tree is kept
     * @param lambda ridge penalty on leaf values
     * @param minChildHessian the least hessian (about p(1-p) per change) each side of a split must keep
     * @param subsample share of rows each tree sees
     * @param bins the most bins per metric
     * @param seed the seed of the row sampling
     */
    public record Settings(
            int trees,
            int depth,
            double learningRate,
            double lambda,
            double minChildHessian,
            double subsample,
            int bins,
            long seed) {

        /** The settings chosen on the ApacheJIT validation slice (see the default model's notes). */
        public static Settings defaults() {
            return new Settings(600, 5, 0.05, 1.0, 5.0, 0.8, 64, 42);
        }

        /** The same settings with another tree count. */
        public Settings withTrees(int count) {
            return new Settings(count, depth, learningRate, lambda, minChildHessian, subsample, bins, seed);
        }
    }

    /**
     * An ensemble and, when fitted with a validation slice, the validation log loss after each tree.
     *
     * @param ensemble the fitted trees
     * @param validationLoss log loss on the validation rows after 1, 2, ... trees (empty without validation rows)
     */
    public record Fit(TreeEnsemble ensemble, double[] validationLoss) {
        /** The tree count with the lowest validation loss (all trees without validation rows). */
        public int bestTreeCount() {
            if (validationLoss.length == 0) {
                return ensemble.trees().size();
            }
            int best = 0;
            for (int t = 1; t < validationLoss.length; t++) {
                if (validationLoss[t] < validationLoss[best]) {
                    best = t;
                }
            }
            return best + 1;
        }
    }

    private static final int PATIENCE = 50;

    private final TrainingData data;
    private final int[] rows;
    private final Settings settings;
    private final int features;
    private final double[][] edges;
    private final byte[] binned; // row-major: binned[i * features + j], unsigned
    private final int[] offset; // where metric j's bins start in a flat histogram (two slots per bin)
    private final int histogramSize;

    private BoostedTreesTrainer(TrainingData data, int[] rows, Settings settings) {
        this.data = data;
        this.rows = rows;
        this.settings = settings;
        this.features = data.metrics().size();
        if (settings.bins() < 2 || settings.bins() > 256) {
            throw new IllegalArgumentException("bins must be 2..256, not " + settings.bins());
        }
        this.edges = new double[features][];
        this.binned = new byte[rows.length * features];
        this.offset = new int[features + 1];
        for (int j = 0; j < features; j++) {
            edges[j] = quantileEdges(j);
            offset[j + 1] = offset[j] + 2 * (edges[j].length + 1);
            for (int i = 0; i < rows.length; i++) {
                binned[i * features + j] = (byte) bin(edges[j], data.row(rows[i])[j]);
            }
        }
        this.histogramSize = offset[features];
    }

    /** Fits on {@code rows}, recording the loss on {@code validation} (which may be empty) after each tree. */
    public static Fit fit(TrainingData data, int[] rows, int[] validation, Settings settings) {
        var even = new double[rows.length];
        Arrays.fill(even, 1);
        return fit(data, rows, even, validation, settings);
    }

    /** Fits on {@code rows}, each with a weight (mean 1) that scales its gradient and hessian. */
    public static Fit fit(TrainingData data, int[] rows, double[] rowWeights, int[] validation, Settings settings) {
        return new BoostedTreesTrainer(data, rows, settings).boost(rowWeights, validation);
    }

    private double[] quantileEdges(int j) {
        var values = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            values[i] = data.row(rows[i])[j];
        }
        Arrays.sort(values);
        var out = new double[settings.bins() - 1];
        int count = 0;
        for (int b = 1; b < settings.bins(); b++) {
            double e = values[(int) ((long) b * (values.length - 1) / settings.bins())];
            if (count == 0 || e > out[count - 1]) {
                out[count++] = e;
            }
        }
        // The largest value needs no edge: nothing lies to its right.
        if (count > 0 && out[count - 1] >= values[values.length - 1]) {
            count--;
        }
        return Arrays.copyOf(out, count);
    }

    // Bin b holds the values in (edges[b-1], edges[b]], so "bin <= b" is "value <= edges[b]".
    private static int bin(double[] e, double v) {
        int lo = 0;
        int hi = e.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (e[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Fit boost(double[] sw, int[] validation) {
        int n = rows.length;
        var y = new double[n];
        double positives = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            y[i] = data.buggy(rows[i]) ? 1 : 0;
            positives += sw[i] * y[i];
            total += sw[i];
        }
        double rate = Math.min(Math.max(positives / total, 1e-6), 1 - 1e-6);
        double base = Math.log(rate / (1 - rate));
        var f = new double[n];
        Arrays.fill(f, base);
        var fv = new double[validation.length];
        Arrays.fill(fv, base);
        var g = new double[n];
        var h = new double[n];
        var random = new SplittableRandom(settings.seed());
        var trees = new ArrayList<TreeEnsemble.Tree>();
        var validationLoss = new double[validation.length == 0 ? 0 : settings.trees()];
        var index = new int[n];
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestAt = 0;
        for (int t = 0; t < settings.trees(); t++) {
            int used = 0;
            for (int i = 0; i < n; i++) {
                double p = LogisticTrainer.sigmoid(f[i]);
                g[i] = sw[i] * (p - y[i]);
                h[i] = sw[i] * p * (1 - p);
                if (random.nextDouble() < settings.subsample()) {
                    index[used++] = i;
                }
            }
            var tree = new TreeBuilder(g, h).build(Arrays.copyOf(index, used));
            trees.add(tree);
            for (int i = 0; i < n; i++) {
                f[i] += tree.leafValue(rowOf(i));
            }
            if (validation.length > 0) {
                double loss = 0;
                for (int i = 0; i < validation.length; i++) {
                    var row = data.row(validation[i]);
                    fv[i] += tree.leafValue(row);
                    double m = fv[i];
                    double yi = data.buggy(validation[i]) ? 1 : 0;
                    loss += (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - yi * m;
                }
                validationLoss[t] = loss / validation.length;
                if (validationLoss[t] < bestLoss) {
                    bestLoss = validationLoss[t];
                    bestAt = t;
                } else if (t - bestAt >= PATIENCE) {
                    // No gain for a while: later trees only overfit, so stop trying them.
                    validationLoss = Arrays.copyOf(validationLoss, t + 1);
                    break;
                }
            }
        }
        var keys = LogisticTrainer.keys(data.metrics());
        return new Fit(new TreeEnsemble(keys, base, trees), validationLoss);
    }

    private double[] rowOf(int i) {
        return data.row(rows[i]);
    }

    /** Grows one tree depth-first, computing the smaller child's histogram and the larger one's by subtraction. */
    private final class TreeBuilder {
        private final double[] g;
        private final double[] h;
        private final List<int[]> nodes = new ArrayList<>(); // feature, left, right
        private final List<double[]> nodeValues = new ArrayList<>(); // threshold, value

        TreeBuilder(double[] g, double[] h) {
            this.g = g;
            this.h = h;
        }

        TreeEnsemble.Tree build(int[] members) {
            grow(members, histogram(members), 0);
            int size = nodes.size();
            var feature = new int[size];
            var threshold = new double[size];
            var left = new int[size];
            var right = new int[size];
            var value = new double[size];
            for (int k = 0; k < size; k++) {
                feature[k] = nodes.get(k)[0];
                left[k] = nodes.get(k)[1];
                right[k] = nodes.get(k)[2];
                threshold[k] = nodeValues.get(k)[0];
                value[k] = nodeValues.get(k)[1];
            }
            return new TreeEnsemble.Tree(feature, threshold, left, right, value);
        }

        // hist[offset[j] + 2b] = sum of gradients in bin b of metric j, the next slot the sum of hessians
        private double[] histogram(int[] members) {
            var hist = new double[histogramSize];
            for (int i : members) {
                double gi = g[i];
                double hi = h[i];
                int base = i * features;
                for (int j = 0; j < features; j++) {
                    int b = offset[j] + ((binned[base + j] & 0xFF) << 1);
                    hist[b] += gi;
                    hist[b + 1] += hi;
                }
            }
            return hist;
        }

        private int grow(int[] members, double[] hist, int depth) {
            double gs = 0;
            double hs = 0;
            for (int b = offset[0]; b < offset[1]; b += 2) {
                gs += hist[b];
                hs += hist[b + 1];
            }
            int id = nodes.size();
            nodes.add(new int[] {-1, -1, -1});
            nodeValues.add(new double[] {0, -gs / (hs + settings.lambda()) * settings.learningRate()});
            if (depth >= settings.depth()) {
                return id;
            }
            double parentScore = gs * gs / (hs + settings.lambda());
            double bestGain = 1e-9;
            int bestFeature = -1;
            int bestBin = -1;
            for (int j = 0; j < features; j++) {
                double gl = 0;
                double hl = 0;
                for (int b = offset[j]; b + 2 < offset[j + 1]; b += 2) {
                    gl += hist[b];
                    hl += hist[b + 1];
                    double hr = hs - hl;
                    if (hl < settings.minChildHessian() || hr < settings.minChildHessian()) {
                        continue;
                    }
                    double gr = gs - gl;
                    double gain = gl * gl / (hl + settings.lambda()) + gr * gr / (hr + settings.lambda()) - parentScore;
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestFeature = j;
                        bestBin = (b - offset[j]) >> 1;
                    }
                }
            }
            if (bestFeature < 0) {
                return id;
            }
            int leftCount = 0;
            for (int i : members) {
                if ((binned[i * features + bestFeature] & 0xFF) <= bestBin) {
                    leftCount++;
                }
            }
            var leftMembers = new int[leftCount];
            var rightMembers = new int[members.length - leftCount];
            int l = 0;
            int r = 0;
            for (int i : members) {
                if ((binned[i * features + bestFeature] & 0xFF) <= bestBin) {
                    leftMembers[l++] = i;
                } else {
                    rightMembers[r++] = i;
                }
            }
            boolean leftSmaller = leftCount <= rightMembers.length;
            var small = histogram(leftSmaller ? leftMembers : rightMembers);
            var large = hist.clone();
            for (int k = 0; k < large.length; k++) {
                large[k] -= small[k];
            }
            int leftId = grow(leftMembers, leftSmaller ? small : large, depth + 1);
            int rightId = grow(rightMembers, leftSmaller ? large : small, depth + 1);
            nodes.set(id, new int[] {bestFeature, leftId, rightId});
            nodeValues.set(
                    id, new double[] {edges[bestFeature][bestBin], nodeValues.get(id)[1]});
            return id;
        }
    }
}
