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
import java.math.BigDecimal;
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
 * Every value is read exactly and refused when it cannot be what it stands for, never bent into something else: counts
 * are whole numbers of 0 or more with errors among the requests, latencies finite and not negative, times whole
 * seconds one interval apart from 0, steps whole percentages 1..99 each above the one before (as harbormaster.yml's
 * steps, in the same words) and whole interval counts.
 */
record RecordedCanary(long intervalSeconds, Optional<List<CanaryStep>> steps, List<IntervalSample> series) {

    static final List<String> KEYS = List.of("interval_seconds", "steps", "series");
    static final List<String> STEP_KEYS = List.of("weight", "intervals");
    static final List<String> ENTRY_KEYS = List.of("t", "baseline", "canary");
    static final List<String> TRACK_KEYS = List.of("requests", "errors", "p50_ms", "p99_ms", "restarts");

    /** More intervals than any one canary's replay needs (a day at one-second intervals): refused, not read. */
    static final int MAX_INTERVALS = 100_000;

    static final int MAX_STEPS = 100;
    static final long MAX_INTERVAL_SECONDS = 86_400;

    /** The largest count a double holds exactly. */
    static final long MAX_COUNT = 1L << 53;

    private static final BigDecimal LARGEST = new BigDecimal(Double.MAX_VALUE);
    private static final JsonFactory FACTORY = new JsonFactory();

    static RecordedCanary read(Path file) {
        InputFiles.refuseDirectory(file, "--input", "a recorded canary JSON file (see analyze run --help)");
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

    /** One pass over the tokens; every refusal names the file, line, column and key path. */
    private static final class Reader {
        private final String file;
        private final JsonParser p;
        /** interval_seconds once read; the times of entries read before it are checked at the end. */
        private Long interval;

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
            Optional<List<CanaryStep>> steps = Optional.empty();
            List<IntervalSample> series = null;
            var seen = new HashSet<String>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = key("", seen, KEYS);
                p.nextToken();
                switch (key) {
                    case "interval_seconds" ->
                        interval = whole(
                                "interval_seconds",
                                1,
                                MAX_INTERVAL_SECONDS,
                                "must be a whole number of seconds from 1 to " + MAX_INTERVAL_SECONDS);
                    case "steps" -> steps = steps();
                    default -> series = series();
                }
            }
            JsonLocation end = p.currentTokenLocation();
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonProcessingException e) { // text that is not even JSON: more after the end all the same
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw new UserError(file + ", " + JsonErrors.where(p.currentTokenLocation())
                        + ": there is more after the recording's closing '}' (at " + JsonErrors.where(end)
                        + "); a file holds one recording: remove the rest");
            }
            if (interval == null) {
                throw new UserError(file + ": interval_seconds is missing: give the length of one interval in"
                        + " seconds, a whole number from 1 to " + MAX_INTERVAL_SECONDS);
            }
            if (series == null) {
                throw new UserError(file + ": series is missing: give a non-empty list of {t, baseline, canary}");
            }
            for (int i = 0; i < series.size(); i++) {
                checkTime(i, series.get(i).t(), null);
            }
            return new RecordedCanary(interval, steps, List.copyOf(series));
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
                if (steps.size() == MAX_STEPS) {
                    throw fail(where, "more than " + MAX_STEPS + " steps; a canary needs a few");
                }
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw fail(where, "expected {\"weight\": percent, \"intervals\": count}, found " + found());
                }
                var seen = new HashSet<String>();
                long weight = 0, intervals = 0;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = key(where, seen, STEP_KEYS);
                    p.nextToken();
                    if (key.equals("weight")) {
                        weight = weight(
                                where + ".weight",
                                steps.isEmpty() ? 0 : steps.getLast().weight());
                    } else {
                        intervals = whole(
                                where + ".intervals",
                                1,
                                Integer.MAX_VALUE,
                                "must be a whole number of intervals, 1 or more");
                    }
                }
                missing(where, seen, STEP_KEYS, "give the step's weight (percent) and intervals");
                steps.add(new CanaryStep((int) weight, (int) intervals));
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
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String where = "series[" + series.size() + "]";
                if (series.size() == MAX_INTERVALS) {
                    throw fail(
                            where,
                            "more than " + MAX_INTERVALS + " intervals; a replay of one canary needs far fewer (the"
                                    + " default schedule ends within 54): give the canary's own run");
                }
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
                            t = whole(where + ".t", 0, Long.MAX_VALUE, "must be a whole number of seconds");
                            if (interval != null) {
                                checkTime(series.size(), t, p.currentTokenLocation());
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
                latencyOrder(where, t, "baseline", baseline);
                latencyOrder(where, t, "canary", canary);
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
                values[TRACK_KEYS.indexOf(key)] =
                        key.endsWith("_ms") ? latency(where + "." + key) : count(where + "." + key);
            }
            missing(where, seen, TRACK_KEYS, "give null for an interval without this data");
            double requests = values[0], errors = values[1];
            if (errors > requests) { // false when either is NaN (no data): nothing to compare
                throw fail(
                        where + ".errors",
                        number(errors) + " is more than requests (" + number(requests) + ") in the same interval;"
                                + " errors are counted among the requests");
            }
            return new TrackSample(requests, errors, values[2], values[3], values[4]);
        }

        /**
         * Refuses a track whose p99 is below its p50: no distribution has one, so the recording is wrong (columns
         * swapped, or units mixed) and a replay of it would judge latencies that never were. Checked once the entry is
         * read whole, so that the refusal names the interval by its t, whatever the order of its keys.
         */
        private void latencyOrder(String where, long t, String track, TrackSample s) {
            if (s.p99Ms() < s.p50Ms()) { // false when either is NaN (no data)
                throw fail(
                        where + "." + track,
                        "the interval at t=" + t + " s has p99_ms " + number(s.p99Ms()) + " below its p50_ms "
                                + number(s.p50Ms()) + " on the " + track + " track, which no latency distribution"
                                + " has (p99 is at least p50): check that the two are not swapped, and in the same"
                                + " unit");
            }
        }

        /** A count in one interval (requests, errors, restarts): a whole number, or NaN for null (no data). */
        private double count(String where) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return Double.NaN;
            }
            return whole(where, 0, MAX_COUNT, "must be a whole number (a count per interval)");
        }

        /** A latency in milliseconds: a finite number of 0 or more, or NaN for null (no data). */
        private double latency(String where) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return Double.NaN;
            }
            BigDecimal v = decimal(where, "expected milliseconds (a number) or null");
            if (v.signum() < 0) {
                throw fail(where, "must not be negative, got " + p.getText());
            }
            if (v.compareTo(LARGEST) > 0) {
                throw fail(where, p.getText() + " is out of range");
            }
            return v.doubleValue();
        }

        /**
         * A whole number from {@code min} to {@code max}, read exactly: 10.7 is refused, not truncated to 10, and 1e400
         * is refused, not turned into infinity. {@code rule} says what is expected.
         */
        private long whole(String where, long min, long max, String rule) throws IOException {
            BigDecimal v = decimal(where, rule);
            if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
                throw fail(where, rule + ", got " + p.getText());
            }
            if (v.compareTo(BigDecimal.valueOf(min)) < 0) {
                throw fail(where, (min == 0 ? "must not be negative" : rule) + ", got " + p.getText());
            }
            if (v.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw fail(
                        where,
                        max == MAX_COUNT
                                ? p.getText() + " is out of range (at most " + MAX_COUNT + ")"
                                : rule + ", got " + p.getText());
            }
            return v.longValueExact();
        }

        /**
         * A step's weight, by the rule harbormaster.yml's steps follow, in its words: a whole number, below 100 and
         * above the weight of the step {@code before} (0 for the first).
         */
        private long weight(String where, int before) throws IOException {
            if (!p.currentToken().isNumeric()) {
                throw fail(where, CanaryStep.notAWeight(found()));
            }
            BigDecimal v = p.getDecimalValue();
            if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
                throw fail(where, CanaryStep.notAWeight(p.getText()));
            }
            // beyond a long, the step is far above 100 all the same
            long weight = v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                    ? Long.MAX_VALUE
                    : v.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0 ? Long.MIN_VALUE : v.longValueExact();
            var refused = CanaryStep.weightRefusal(
                    weight, before == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(before));
            if (refused.isPresent()) {
                throw fail(where, refused.get());
            }
            return weight;
        }

        private BigDecimal decimal(String where, String rule) throws IOException {
            if (!p.currentToken().isNumeric()) {
                throw fail(where, rule + "; got " + found());
            }
            return p.getDecimalValue();
        }

        /** Entry {@code i} starts {@code i} intervals after the canary did: no gaps, no overlaps, no drift. */
        private void checkTime(int i, long t, JsonLocation at) {
            long expected = i * interval;
            if (t == expected) {
                return;
            }
            String message = i == 0
                    ? "expected 0, got " + t + "; the first entry is the interval starting when the canary did"
                    : "expected " + expected + " (" + interval + " s after the entry before), got " + t + "; give one"
                            + " entry per interval, with null baseline and canary for an interval without data";
            String place = at == null ? "" : JsonErrors.where(at);
            throw new UserError(file + (place.isEmpty() ? "" : ", " + place) + ": series[" + i + "].t: " + message);
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

        private static String number(double v) {
            return v == Math.rint(v) && Math.abs(v) <= MAX_COUNT ? Long.toString((long) v) : Double.toString(v);
        }

        private UserError fail(String where, String message) {
            String at = JsonErrors.where(p.currentTokenLocation());
            return new UserError(
                    file + (at.isEmpty() ? "" : ", " + at) + ": " + (where.isEmpty() ? "" : where + ": ") + message);
        }
    }
}
