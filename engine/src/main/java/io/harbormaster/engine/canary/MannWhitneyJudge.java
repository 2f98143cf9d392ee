package io.harbormaster.engine.canary;

import io.harbormaster.engine.text.Numbers;
import java.util.Arrays;
import java.util.Locale;

/**
 * Kayenta's Mann-Whitney classifier as a pure function: one metric's baseline and canary values in, a classification
 * with its evidence out. NaN values are dropped (no data is not a zero); nothing left on either side is Nodata.
 */
public final class MannWhitneyJudge {
    /** The judge its evidence (and the scorer's) names. */
    static final String JUDGE = "mann-whitney";

    private MannWhitneyJudge() {}

    /** Classifies the canary's values against the baseline's. */
    public static MetricComparison classify(
            String metric, double[] baselineValues, double[] canaryValues, Direction direction, MannWhitneyPolicy p) {
        double[] baseline = finite(baselineValues);
        double[] canary = finite(canaryValues);
        if (baseline.length == 0 || canary.length == 0) {
            return new MetricComparison(
                    metric,
                    Classification.NODATA,
                    direction,
                    mean(baseline),
                    mean(canary),
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    "no data for the " + (canary.length == 0 ? "canary" : "baseline"));
        }
        double ratio = ratio(mean(canary), mean(baseline));
        double[] sortedB = baseline.clone();
        double[] sortedC = canary.clone();
        Arrays.sort(sortedB);
        Arrays.sort(sortedC);
        if (Arrays.equals(sortedB, sortedC) || allSame(baseline, canary)) {
            // identical samples (all zeros, say): nothing to test, and the test would have no interval
            return new MetricComparison(
                    metric,
                    Classification.PASS,
                    direction,
                    mean(baseline),
                    mean(canary),
                    0,
                    0,
                    0,
                    1,
                    ratio,
                    "baseline and canary values are identical");
        }
        MannWhitneyResult r = MannWhitney.test(canary, baseline, p.confidence());
        // Kayenta's tolerance: the interval must clear a fraction of the estimate, not just zero
        double bound = p.tolerance() * Math.abs(r.estimate());
        // With few samples the requested confidence cannot be reached and the interval (like R's) is only as wide as
        // the samples allow: it may exclude zero at p = 0.08. A shift counts only when the test reaches the level too.
        boolean significant = r.pValue() < 1 - p.confidence();
        boolean high = (direction == Direction.INCREASE || direction == Direction.EITHER)
                && significant
                && r.ciLow() > bound
                && !(ratio < p.allowedIncrease());
        boolean low = (direction == Direction.DECREASE || direction == Direction.EITHER)
                && significant
                && r.ciHigh() < -bound
                && !(ratio > p.allowedDecrease());
        Classification c = high ? Classification.HIGH : low ? Classification.LOW : Classification.PASS;
        // the shift, its interval and the tolerance in the metric's units (an error rate's in percentage points), as
        // the evidence line above this reason gives them
        String reason = String.format(
                Locale.ROOT,
                "%s: shift %s, %s%% interval [%s, %s] against +/-%s (tolerance %s of the estimate)," + " p=%.3g, %s",
                c.label(),
                MetricValues.shift(metric, r.estimate()),
                Numbers.compact(100 * p.confidence(), 6),
                MetricValues.shift(metric, r.ciLow()),
                MetricValues.shift(metric, r.ciHigh()),
                MetricValues.difference(metric, bound),
                Numbers.compact(p.tolerance()),
                r.pValue(),
                Double.isFinite(ratio)
                        ? String.format(Locale.ROOT, "mean ratio %.3g", ratio)
                        : MetricComparison.BASELINE_MEAN_ZERO);
        return new MetricComparison(
                metric,
                c,
                direction,
                mean(baseline),
                mean(canary),
                r.estimate(),
                r.ciLow(),
                r.ciHigh(),
                r.pValue(),
                ratio,
                reason);
    }

    /**
     * The canary's mean over the baseline's. Over a baseline mean of 0 it is infinite: any canary value above a
     * baseline that never moved counts as past the allowed increase. Said in words ({@link
     * MetricComparison#effectSizeUndefined}), never printed as a number.
     */
    private static double ratio(double canaryMean, double baselineMean) {
        if (baselineMean == 0) {
            return canaryMean == 0 ? 1.0 : Double.POSITIVE_INFINITY;
        }
        return canaryMean / baselineMean;
    }

    private static boolean allSame(double[] a, double[] b) {
        double first = a[0];
        return Arrays.stream(a).allMatch(v -> v == first) && Arrays.stream(b).allMatch(v -> v == first);
    }

    static double[] finite(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).toArray();
    }

    static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
    }
}
