package io.harbormaster.engine.risk;

import java.util.List;

/**
 * Gradient-boosted regression trees on the raw metrics, output in log-odds. Contributions follow each change's path
 * (Saabas): a split's change in the node value is credited to the metric it tested, so the contributions add up to the
 * logit.
 *
 * @param features metric keys, in the order of the value arrays given to {@link #logit}
 * @param base the log-odds every change starts from (the training base rate)
 * @param trees the trees, each already scaled by the learning rate
 */
public record TreeEnsemble(List<String> features, double base, List<Tree> trees) {
    public TreeEnsemble {
        trees = List.copyOf(trees);
    }

    /**
     * One tree in flat arrays. Node 0 is the root; a leaf has feature -1. A change goes left when its value is at most
     * the threshold. {@code value} holds every node's output, internal ones included, for the path contributions.
     */
    public record Tree(int[] feature, double[] threshold, int[] left, int[] right, double[] value) {
        double leafValue(double[] x) {
            int node = 0;
            while (feature[node] >= 0) {
                node = x[feature[node]] <= threshold[node] ? left[node] : right[node];
            }
            return value[node];
        }
    }

    /** The log-odds of a change. */
    public double logit(double[] x) {
        double s = base;
        for (var t : trees) {
            s += t.leafValue(x);
        }
        return s;
    }

    /** Adds each metric's contribution to {@code out} and returns the bias (the value before any split). */
    public double contributions(double[] x, double[] out) {
        double bias = base;
        for (var t : trees) {
            int node = 0;
            bias += t.value[0];
            while (t.feature[node] >= 0) {
                int next = x[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
                out[t.feature[node]] += t.value[next] - t.value[node];
                node = next;
            }
        }
        return bias;
    }
}
