package io.harbormaster.engine.risk;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * How well scores rank bad changes first: ROC AUC, the share of bad changes caught in the top share by score, and
 * bootstrap intervals for both. Computed with per-row weights, so that a bootstrap resample is a weight vector over one
 * sort.
 */
public final class RankMetrics {
    private final double[] scores;
    private final boolean[] labels;
    private final int[] order; // indices by descending score

    public RankMetrics(double[] scores, boolean[] labels) {
        this.scores = scores.clone();
        this.labels = labels.clone();
        this.order = java.util.stream.IntStream.range(0, scores.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -this.scores[i]))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Area under the ROC curve (ties count one half). */
    public double auc() {
        var w = new double[scores.length];
        Arrays.fill(w, 1);
        return auc(w);
    }

    /** Share of bad changes among the top {@code share} of changes by score. */
    public double catchAt(double share) {
        var w = new double[scores.length];
        Arrays.fill(w, 1);
        return catchAt(share, w);
    }

    double auc(double[] w) {
        // Walk from the highest score down; each negative ranks below every positive seen so far.
        double positivesAbove = 0;
        double pairs = 0;
        double pos = 0;
        double neg = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            double tiePos = 0;
            double tieNeg = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                int r = order[j];
                if (labels[r]) {
                    tiePos += w[r];
                } else {
                    tieNeg += w[r];
                }
                j++;
            }
            pairs += tieNeg * (positivesAbove + tiePos / 2);
            positivesAbove += tiePos;
            pos += tiePos;
            neg += tieNeg;
            i = j;
        }
        return pos == 0 || neg == 0 ? Double.NaN : pairs / (pos * neg);
    }

    double catchAt(double share, double[] w) {
        double total = 0;
        double positives = 0;
        for (int r = 0; r < w.length; r++) {
            total += w[r];
            positives += labels[r] ? w[r] : 0;
        }
        double budget = Math.round(share * total);
        double caught = 0;
        double taken = 0;
        for (int k = 0; k < order.length && taken < budget; k++) {
            int r = order[k];
            double take = Math.min(w[r], budget - taken);
            taken += take;
            caught += labels[r] ? take : 0;
        }
        return positives == 0 ? Double.NaN : caught / positives;
    }

    /**
     * Bootstrap 95% percentile intervals: index 0 is AUC, then one per share in {@code shares}; each as {low, high}.
     */
    public double[][] bootstrap(double[] shares, int resamples, long seed) {
        var random = new SplittableRandom(seed);
        int n = scores.length;
        var stats = new double[1 + shares.length][resamples];
        var w = new double[n];
        for (int b = 0; b < resamples; b++) {
            Arrays.fill(w, 0);
            for (int k = 0; k < n; k++) {
                w[random.nextInt(n)]++;
            }
            stats[0][b] = auc(w);
            for (int s = 0; s < shares.length; s++) {
                stats[1 + s][b] = catchAt(shares[s], w);
            }
        }
        var out = new double[stats.length][];
        for (int s = 0; s < stats.length; s++) {
            Arrays.sort(stats[s]);
            out[s] = new double[] {
                stats[s][(int) Math.floor(0.025 * (resamples - 1))], stats[s][(int) Math.ceil(0.975 * (resamples - 1))]
            };
        }
        return out;
    }
}
