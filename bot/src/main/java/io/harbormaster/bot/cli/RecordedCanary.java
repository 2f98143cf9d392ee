package io.harbormaster.bot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.harbormaster.bot.config.CanaryPolicyYaml;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.json.JsonErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A recorded canary ({@code analyze run --input}): interval length, optional steps, and the series, parsed once. */
record RecordedCanary(long intervalSeconds, Optional<List<CanaryStep>> steps, List<IntervalSample> series) {

    static RecordedCanary read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read it: " + JsonErrors.describe(e)
                    + "; give the path of a recorded canary (see analyze run --help)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UserError(JsonErrors.describe(file.toString(), e));
        }
        if (root == null || !root.isObject()) {
            throw new UserError(file + ": expected a JSON object with interval_seconds, series and optional steps");
        }
        JsonNode interval = root.get("interval_seconds");
        if (interval == null || !interval.canConvertToLong() || interval.asLong() <= 0) {
            throw new UserError(file + ": interval_seconds must be a positive whole number of seconds");
        }
        Optional<List<CanaryStep>> steps = Optional.empty();
        JsonNode stepsNode = root.get("steps");
        if (stepsNode != null && !stepsNode.isNull()) {
            try {
                steps = Optional.of(CanaryPolicyYaml.steps(stepsNode, file + ": steps"));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage(), e);
            }
        }
        JsonNode seriesNode = root.get("series");
        if (seriesNode == null || !seriesNode.isArray() || seriesNode.isEmpty()) {
            throw new UserError(file + ": series must be a non-empty array of {t, baseline, canary}");
        }
        var series = new ArrayList<IntervalSample>();
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < seriesNode.size(); i++) {
            JsonNode s = seriesNode.get(i);
            String where = file + ": series[" + i + "]";
            if (s.get("t") == null || !s.get("t").canConvertToLong()) {
                throw new UserError(where + ": t (seconds since the canary started) is missing or not a number");
            }
            long t = s.get("t").asLong();
            if (t <= previous) {
                throw new UserError(
                        where + ": t must increase from one entry to the next (got " + t + " after " + previous + ")");
            }
            previous = t;
            series.add(new IntervalSample(
                    t, track(s.get("baseline"), where + ".baseline"), track(s.get("canary"), where + ".canary")));
        }
        return new RecordedCanary(interval.asLong(), steps, List.copyOf(series));
    }

    private static TrackSample track(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return TrackSample.NO_DATA;
        }
        if (!node.isObject()) {
            throw new UserError(where + ": expected an object with requests, errors, p50_ms, p99_ms, restarts");
        }
        return new TrackSample(
                value(node, "requests", where),
                value(node, "errors", where),
                value(node, "p50_ms", where),
                value(node, "p99_ms", where),
                value(node, "restarts", where));
    }

    /** A missing or null field is "no data" (NaN), never zero. */
    private static double value(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw new UserError(where + "." + field + ": expected a number or null, got " + v);
        }
        double d = v.asDouble();
        if (d < 0) {
            throw new UserError(where + "." + field + ": must not be negative, got " + d);
        }
        return d;
    }
}
