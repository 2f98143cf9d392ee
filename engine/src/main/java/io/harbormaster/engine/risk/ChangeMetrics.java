package io.harbormaster.engine.risk;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;

/** The values of the just-in-time metrics of one change; a metric may be absent (it is never a made-up zero). */
public record ChangeMetrics(Map<JitMetric, Double> values) {
    public ChangeMetrics {
        values = Map.copyOf(values);
    }

    /** The metric's value, if the change carried it. */
    public OptionalDouble value(JitMetric metric) {
        var v = values.get(metric);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The same metrics with one value set (used to fill an absent metric with a conservative default). */
    public ChangeMetrics with(JitMetric metric, double value) {
        var copy = new EnumMap<JitMetric, Double>(JitMetric.class);
        copy.putAll(values);
        copy.put(metric, value);
        return new ChangeMetrics(copy);
    }

    /** A change with none of the metrics known (an unknown change). */
    public static ChangeMetrics none() {
        return new ChangeMetrics(Map.of());
    }
}
