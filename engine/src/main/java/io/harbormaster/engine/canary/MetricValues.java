package io.harbormaster.engine.canary;

import io.harbormaster.engine.text.Numbers;

/**
 * A canary metric's values, and differences of two, in the metric's own units: the error rate in percent ({@code
 * 15.2%}) and its differences in percentage points ({@code +1.22 pp}), latencies in ms ({@code 312 ms}, {@code 45.2
 * ms}), restarts as a count. Every text that shows a metric's figures (the judges' reasons, the thread's evidence
 * lines, the rollback notice, the advisor's facts) writes them so, so that one error rate never reads 0.143 in one
 * line and 14.3% in the next. Only texts: what is stored and audited keeps the raw values.
 */
public final class MetricValues {
    private MetricValues() {}

    /** A value of {@code metric}; a metric not known here, or a value that is not a number, as a plain number. */
    public static String value(String metric, double v) {
        if (!Double.isFinite(v)) {
            return Numbers.compact(v);
        }
        return switch (metric) {
            case "error_rate" -> Numbers.percent(v);
            case "p50_ms", "p99_ms" -> ms(v) + " ms";
            case "restarts" -> Long.toString(Math.round(v));
            default -> Numbers.compact(v);
        };
    }

    /**
     * A difference of two values of {@code metric} with no plus sign (a minus when it is negative): a rate's in
     * percentage points ({@code 1.22 pp}), a latency's in ms; as a tolerance around zero is given ({@code +/-0.08 pp}).
     */
    public static String difference(String metric, double v) {
        if (!Double.isFinite(v)) {
            return Numbers.compact(v);
        }
        return switch (metric) {
            case "error_rate" -> Numbers.compact(100 * v, 3) + " pp";
            case "p50_ms", "p99_ms" -> ms(v) + " ms";
            default -> Numbers.compact(v);
        };
    }

    /** A difference of two values of {@code metric} with its sign, {@code +1.22 pp}, {@code -3.5 ms}. */
    public static String shift(String metric, double v) {
        return (v > 0 ? "+" : "") + difference(metric, v);
    }

    /** Milliseconds: whole from 100 on, three significant digits below. */
    private static String ms(double v) {
        return Math.abs(v) >= 100 ? Long.toString(Math.round(v)) : Numbers.compact(v, 3);
    }
}
