package io.harbormaster.engine.canary;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.function.DoubleFunction;

/**
 * What one judge saw for one metric: the values compared, the estimate and interval, the p-value or e-value, and the
 * rule that fired or held. NaN means "not applicable to this judge"; this is what Slack and the audit entry show.
 */
public record Evidence(
        String judge,
        String metric,
        String rule,
        double baseline,
        double canary,
        double estimate,
        double ciLow,
        double ciHigh,
        double pValue,
        double eValue,
        String reason) {

    /** What an {@link #estimate} is, so that each is shown under its own name. */
    public enum EstimateKind {
        /** The canary's value over the baseline's (1.25: 25% higher), with its interval: the sequential judge's. */
        RATIO,
        /**
         * The canary's value less the baseline's in the metric's own units (ms, error rate), with its interval: the
         * Mann-Whitney judge's Hodges-Lehmann estimate.
         */
        SHIFT,
        /** The closing test's z statistic (the error rate's score test): no unit, no interval. */
        Z,
        /** The closing test's t statistic (a latency quantile's growth with the canary's age): no unit, no interval. */
        T,
        /** The Mann-Whitney scorer's score of the step, 0 to 100. */
        SCORE
    }

    /** What {@link #estimate} is: a ratio, a shift in the metric's units, a test statistic or a score. */
    public EstimateKind estimateKind() {
        if (SequentialJudge.JUDGE.equals(judge)) {
            return EstimateKind.RATIO;
        }
        if (ClosingTest.JUDGE.equals(judge)) {
            return ClosingTest.statistic(metric);
        }
        if (MannWhitneyJudge.JUDGE.equals(judge) && CanaryAnalysis.SCORE_METRIC.equals(metric)) {
            return EstimateKind.SCORE;
        }
        return EstimateKind.SHIFT;
    }

    /**
     * How a text writes an estimate ({@link #estimateInWords}): every text names each kind of estimate the same way
     * (the thread's evidence lines, the rollback broadcast, the advisor's facts), and chooses only these.
     *
     * @param number a number as the text writes it (its significant digits, what NaN reads as): a shift, a statistic,
     *     a score, a shift's interval (a ratio reads as its {@link #change})
     * @param signedShift whether a shift carries its sign, {@code +41.5}, as a change does
     * @param bracketed whether the interval reads {@code [low, high]}; otherwise {@code (interval low to high)}
     * @param asEffect whether a change and a shift both read as the effect they measure ({@code effect +25%}); a
     *     statistic and a score keep their names
     */
    public record Wording(DoubleFunction<String> number, boolean signedShift, boolean bracketed, boolean asEffect) {}

    /**
     * The estimate under the name of what it is, with its interval when it has one: a ratio as the change it stands for
     * ({@code change +25% [+10%, +40%]}), a shift in the metric's units ({@code shift +41.5 [12.25, 70]}), the closing
     * test's statistic ({@code z = 3.1}, {@code t = 2.4}), the Mann-Whitney scorer's score ({@code score 62/100}).
     */
    public String estimateInWords(Wording w) {
        return switch (estimateKind()) {
            case RATIO -> (w.asEffect() ? "effect " : "change ") + change(estimate) + interval(w, Evidence::change);
            case SHIFT ->
                (w.asEffect() ? "effect " : "shift ")
                        + (w.signedShift() && estimate > 0 ? "+" : "")
                        + w.number().apply(estimate)
                        + interval(w, w.number());
            case Z -> "z = " + w.number().apply(estimate);
            case T -> "t = " + w.number().apply(estimate);
            case SCORE -> "score " + w.number().apply(estimate) + "/100";
        };
    }

    /** The interval after an estimate, its ends written by {@code end}; nothing when there is none. */
    private String interval(Wording w, DoubleFunction<String> end) {
        if (Double.isNaN(ciLow) || Double.isNaN(ciHigh)) {
            return "";
        }
        var low = end.apply(ciLow);
        var high = end.apply(ciHigh);
        return w.bracketed() ? " [" + low + ", " + high + "]" : " (interval " + low + " to " + high + ")";
    }

    /**
     * A ratio (canary over baseline) as the signed change it stands for, in percent with three significant digits:
     * 1.25 is {@code +25%}, 0.9 is {@code -10%}; "n/a" when it is not a number.
     */
    public static String change(double ratio) {
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        if (Double.isInfinite(ratio)) {
            return ratio > 0 ? "+∞%" : "-∞%";
        }
        var percent =
                new BigDecimal((ratio - 1) * 100).round(new MathContext(3)).stripTrailingZeros();
        return (percent.signum() > 0 ? "+" : "") + percent.toPlainString() + "%";
    }

    /**
     * Whether {@link #estimate} (and the interval around it) is a ratio, the canary's value over the baseline's (1.25:
     * 25% higher), as the sequential judge's are; otherwise it is a shift in the metric's own units, a statistic or a
     * score ({@link #estimateKind()}).
     */
    public boolean estimateIsRatio() {
        return estimateKind() == EstimateKind.RATIO;
    }

    /** Evidence that carries only a rule and a reason (no statistic), for missing data and hard limits. */
    public static Evidence of(String judge, String metric, String rule, double baseline, double canary, String reason) {
        return new Evidence(
                judge,
                metric,
                rule,
                baseline,
                canary,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                reason);
    }
}
