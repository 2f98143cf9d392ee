package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded generator of changes whose bad outcome follows a known logistic truth: more lines added and deleted and bug
 * fixes raise the risk, author experience lowers it; the other metrics are noise.
 */
final class SyntheticChanges {
    static final List<JitMetric> METRICS = List.of(
            JitMetric.NS,
            JitMetric.ND,
            JitMetric.NF,
            JitMetric.ENTROPY,
            JitMetric.LA,
            JitMetric.LD,
            JitMetric.FIX,
            JitMetric.NDEV,
            JitMetric.AGE,
            JitMetric.NUC,
            JitMetric.EXP,
            JitMetric.REXP,
            JitMetric.SEXP);

    private SyntheticChanges() {}

    /** The true log-odds of a bad change, for metric values in {@link #METRICS} order. */
    static double truth(double[] x) {
        return -1.6
                + 0.7 * (Math.log1p(x[4]) - 3)
                + 0.4 * (Math.log1p(x[5]) - 2)
                + 1.0 * x[6]
                - 0.5 * (Math.log1p(x[10]) - 5);
    }

    static TrainingData generate(int n, long seed) {
        var random = new Random(seed);
        var rows = new double[n][];
        var labels = new boolean[n];
        var times = new long[n];
        for (int i = 0; i < n; i++) {
            double nf = 1 + Math.floor(Math.exp(random.nextGaussian() * 0.8 + 0.5));
            double nd = 1 + Math.floor(random.nextDouble() * nf);
            nd = Math.min(nd, nf);
            double ns = 1 + Math.floor(random.nextDouble() * nd);
            double entropy = random.nextDouble() * Math.log(nf) / Math.log(2);
            double la = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 3));
            double ld = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 2));
            double fix = random.nextDouble() < 0.25 ? 1 : 0;
            double ndev = Math.floor(Math.exp(random.nextGaussian() + 1));
            double age = Math.exp(random.nextGaussian() * 1.5 + 2);
            double nuc = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 2));
            double exp = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 5));
            double rexp = exp * random.nextDouble();
            double sexp = Math.floor(exp * random.nextDouble());
            var row = new double[] {ns, nd, nf, entropy, la, ld, fix, ndev, age, nuc, exp, rexp, sexp};
            rows[i] = row;
            labels[i] = random.nextDouble() < 1 / (1 + Math.exp(-truth(row)));
            times[i] = 1_300_000_000L + i * 600L;
        }
        return new TrainingData(METRICS, rows, labels, times, List.of());
    }

    /** The same kind of data as CSV text in the ApacheJIT layout (ent, aexp, arexp, asexp; no lt). */
    static String csv(int n, long seed) {
        var data = generate(n, seed);
        var out = new StringBuilder(
                "commit_id,project,buggy,fix,year,author_date,la,ld,nf,nd,ns,ent,ndev,age,nuc," + "aexp,arexp,asexp\n");
        for (int i = 0; i < n; i++) {
            var r = data.row(i);
            out.append(String.format(
                    Locale.ROOT,
                    "c%d,apache/demo,%s,%s,2015,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.4f,%.0f,%.3f,%.0f,%.0f,%.3f,%.0f%n",
                    i,
                    data.buggy(i) ? "True" : "False",
                    r[6] > 0 ? "True" : "False",
                    data.time(i),
                    r[4],
                    r[5],
                    r[2],
                    r[1],
                    r[0],
                    r[3],
                    r[7],
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    r[12]));
        }
        return out.toString();
    }

    static List<double[]> rows(TrainingData data) {
        var out = new ArrayList<double[]>();
        for (int i = 0; i < data.size(); i++) {
            out.add(data.row(i));
        }
        return out;
    }
}
