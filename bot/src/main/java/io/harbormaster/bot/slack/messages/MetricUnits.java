package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.canary.MetricValues;

/**
 * A canary metric's values in its own units and to a precision a person reads at a glance, as the engine writes them
 * ({@link MetricValues}): rates in percent ({@code 15.2%}), latencies in ms ({@code 312 ms}, {@code 45.2 ms}), restarts
 * as a count; what is not a number as Slack messages write it ({@code n/a}, {@code ∞}).
 */
final class MetricUnits {
    private MetricUnits() {}

    /** The metric in words: {@code error rate}, {@code p50 latency}; a metric not known here by its own name. */
    static String name(String metric) {
        return switch (metric) {
            case "error_rate" -> "error rate";
            case "p50_ms" -> "p50 latency";
            case "p99_ms" -> "p99 latency";
            case "restarts" -> "pod restarts";
            default -> Mrkdwn.escape(metric);
        };
    }

    /** A value of {@code metric}: a rate in percent, a latency in ms, restarts as a count. */
    static String value(String metric, double v) {
        if (!Double.isFinite(v)) {
            return Mrkdwn.num(v);
        }
        return MetricValues.value(metric, v);
    }

    /**
     * A difference of two values of {@code metric}, signed: a rate's in percentage points ({@code +1.2 pp}), a
     * latency's in ms.
     */
    static String shift(String metric, double v) {
        var sign = v > 0 ? "+" : "";
        if (!Double.isFinite(v)) {
            return sign + Mrkdwn.num(v);
        }
        return MetricValues.shift(metric, v);
    }
}
