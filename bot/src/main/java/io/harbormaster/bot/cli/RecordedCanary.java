package io.harbormaster.bot.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.json.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A recorded canary ({@code analyze run --input}): interval length, optional steps, and the series, parsed once and
 * streamed (the file is never held in memory whole). Every key is checked against the format: an unknown one (a typo)
 * or one given twice is refused with its place, never read as "no data"; a missing one too (null says "no data").
 */
record RecordedCanary(long intervalSeconds, Optional<List<CanaryStep>> steps, List<IntervalSample> series) {

    static final List<String> KEYS = List.of("interval_seconds", "steps", "series");
    static final List<String> STEP_KEYS = List.of("weight", "intervals");
    static final List<String> ENTRY_KEYS = List.of("t", "baseline", "canary");
    static final List<String> TRACK_KEYS = List.of("requests", "errors", "p50_ms", "p99_ms", "restarts");

    private static final JsonFactory FACTORY = new JsonFactory();

    static RecordedCanary read(Path file) {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        try (in;
                JsonParser p = FACTORY.createParser(in)) {
            return new Reader(file.toString(), p).read();
        } catch (JsonProcessingException e) {
            throw new UserError(JsonErrors.describe(file.toString(), e));
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static UserError unreadable(Path file, IOException e) {
        return new UserError(file + ": cannot read it: " + JsonErrors.describe(e)
                + "; give the path of a recorded canary (see analyze run --help)");
    }

    /** One pass over the tokens; {@code fail} names the file, line, column and key path. */
    private static final class Reader {
        private final String file;
        private final JsonParser p;

        Reader(String file, JsonParser p) {
            this.file = file;
            this.p = p;
        }

        RecordedCanary read() throws IOException {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new UserError(file + ": the file is empty; expected a JSON object {\"interval_seconds\": 10,"
                        + " \"series\": [...]} (see analyze run --help)");
            }
            if (first != JsonToken.START_OBJECT) {
                throw fail(
                        "",
                        "expected a JSON object {\"interval_seconds\": 10, \"steps\": [...], \"series\": [...]}, found "
                                + found() + (first == JsonToken.START_ARRAY ? " (put the list under \"series\")" : ""));
            }
            Long interval = null;
            Optional<List<CanaryStep>> steps = Optional.empty();
            List<IntervalSample> series = null;
            var seen = new HashSet<String>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = key("", seen, KEYS);
                p.nextToken();
                switch (key) {
                    case "interval_seconds" -> interval = intervalSeconds();
                    case "steps" -> steps = steps();
                    default -> series = series();
                }
            }
            JsonLocation end = p.currentTokenLocation();
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonProcessingException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw new UserError(file + ", " + JsonErrors.where(p.currentTokenLocation())
                        + ": there is more after the recording's closing '}' (at " + JsonErrors.where(end)
                        + "); a file holds one recording: remove the rest");
            }
            if (interval == null) {
                throw new UserError(file + ": interval_seconds is missing: give the length of one interval in"
                        + " seconds, as a positive whole number");
            }
            if (series == null) {
                throw new UserError(file + ": series is missing: give a non-empty list of {t, baseline, canary}");
            }
            return new RecordedCanary(interval, steps, List.copyOf(series));
        }

        private long intervalSeconds() throws IOException {
            if (!p.currentToken().isNumeric()
                    || !p.getNumberType().equals(JsonParser.NumberType.INT)
                            && !p.getNumberType().equals(JsonParser.NumberType.LONG)
                    || p.getLongValue() <= 0) {
                throw fail("interval_seconds", "must be a positive whole number of seconds, got " + found());
            }
            return p.getLongValue();
        }

        private Optional<List<CanaryStep>> steps() throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return Optional.empty();
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("steps", "expected a list of {weight, intervals}, found " + found());
            }
            var steps = new ArrayList<CanaryStep>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String where = "steps[" + steps.size() + "]";
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw fail(where, "expected {\"weight\": percent, \"intervals\": count}, found " + found());
                }
                var seen = new HashSet<String>();
                Double weight = null, intervals = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = key(where, seen, STEP_KEYS);
                    p.nextToken();
                    double v = value(where + "." + key);
                    if (key.equals("weight")) {
                        weight = v;
                    } else {
                        intervals = v;
                    }
                }
                missing(where, seen, STEP_KEYS, "give the step's weight (percent) and intervals");
                try {
                    steps.add(new CanaryStep(weight.intValue(), intervals.intValue()));
                } catch (IllegalArgumentException e) {
                    throw new UserError(file + ": " + where + ": " + e.getMessage());
                }
            }
            if (steps.isEmpty()) {
                throw fail("steps", "the list is empty; give at least one {weight, intervals}, or leave steps out");
            }
            return Optional.of(steps);
        }

        private List<IntervalSample> series() throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("series", "expected a list of {t, baseline, canary}, found " + found());
            }
            var series = new ArrayList<IntervalSample>();
            long previous = Long.MIN_VALUE;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String where = "series[" + series.size() + "]";
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw fail(
                            where,
                            "expected {\"t\": seconds, \"baseline\": {...}, \"canary\": {...}}, found " + found());
                }
                var seen = new HashSet<String>();
                long t = 0;
                TrackSample baseline = null, canary = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = key(where, seen, ENTRY_KEYS);
                    p.nextToken();
                    switch (key) {
                        case "t" -> {
                            if (!p.currentToken().isNumeric()) {
                                throw fail(
                                        where + ".t",
                                        "(seconds since the canary started) must be a number, got " + found());
                            }
                            t = p.getLongValue();
                            if (t <= previous) {
                                throw fail(
                                        where + ".t",
                                        "must increase from one entry to the next (got " + t + " after " + previous
                                                + ")");
                            }
                        }
                        case "baseline" -> baseline = track(where + ".baseline");
                        default -> canary = track(where + ".canary");
                    }
                }
                if (!seen.contains("t")) {
                    throw fail(where, "t is missing: give the interval's start, in seconds since the canary started");
                }
                for (String track : List.of("baseline", "canary")) {
                    if (!seen.contains(track)) {
                        throw fail(where, track + " is missing; give null for an interval without data from it");
                    }
                }
                previous = t;
                series.add(new IntervalSample(t, baseline, canary));
            }
            if (series.isEmpty()) {
                throw fail("series", "the list is empty; give one {t, baseline, canary} per interval");
            }
            return series;
        }

        private TrackSample track(String where) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return TrackSample.NO_DATA;
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw fail(
                        where,
                        "expected null or an object with " + String.join(", ", TRACK_KEYS) + ", found " + found());
            }
            var seen = new HashSet<String>();
            double[] values = new double[TRACK_KEYS.size()];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = key(where, seen, TRACK_KEYS);
                p.nextToken();
                values[TRACK_KEYS.indexOf(key)] = value(where + "." + key);
            }
            missing(where, seen, TRACK_KEYS, "give null for an interval without this data");
            return new TrackSample(values[0], values[1], values[2], values[3], values[4]);
        }

        /** A number, or NaN for null (no data, never zero). */
        private double value(String where) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return Double.NaN;
            }
            if (!p.currentToken().isNumeric()) {
                throw fail(where, "expected a number or null, got " + found());
            }
            double d = p.getDoubleValue();
            if (d < 0) {
                throw fail(where, "must not be negative, got " + p.getText());
            }
            return d;
        }

        /** The current key, refused when unknown here or given twice. */
        private String key(String where, Set<String> seen, List<String> known) throws IOException {
            String key = p.currentName();
            if (!known.contains(key)) {
                throw fail(
                        where,
                        "unknown key '" + key + "'" + JsonErrors.suggestion(key, known) + "; known keys: "
                                + String.join(", ", known));
            }
            if (!seen.add(key)) {
                throw fail(where, key + " is given twice");
            }
            return key;
        }

        /** Refuses an object that closed without one of {@code keys}. */
        private void missing(String where, Set<String> seen, List<String> keys, String fix) {
            for (String k : keys) {
                if (!seen.contains(k)) {
                    throw fail(where, k + " is missing; " + fix);
                }
            }
        }

        /** What the current token is, in words, with its text when short. */
        private String found() throws IOException {
            JsonToken t = p.currentToken();
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "a list";
                case VALUE_STRING -> "text \"" + shorten(p.getText()) + "\"";
                case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> shorten(p.getText());
                default -> String.valueOf(t);
            };
        }

        private static String shorten(String s) {
            return s.length() <= 40 ? s : s.substring(0, 40) + "...";
        }

        private UserError fail(String where, String message) {
            String at = JsonErrors.where(p.currentTokenLocation());
            return new UserError(
                    file + (at.isEmpty() ? "" : ", " + at) + ": " + (where.isEmpty() ? "" : where + ": ") + message);
        }
    }
}
