package io.harbormaster.engine.canary;

import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The noise of a service read from its stable track before a canary starts, for a canary that has no earlier canaries
 * of the service to learn it from (its first under Harbormaster). The stable track serves the image the baseline
 * runs, so its latency quantiles vary from one interval to the next as the baseline's do, per request: within blocks
 * of {@link LatencyEProcess#BLOCK} intervals each interval's log quantile is contrasted with the request-weighted mean
 * of the block's earlier ones and whitened by its requests (the level contrasts {@link LatencyEProcess} takes), which
 * measures the per-request noise whatever slow drift the level has. Its error counts give the bursts as the
 * baseline's do ({@link ErrorDispersion}), and its log p99 - log p50 the spread the canary's baseline is checked
 * against.
 *
 * <p>Per-request noise does not depend on the traffic, so the stable track at all of the service's traffic measures
 * the noise of the baseline at a step's share of it. The reading is the measured contrasts alone, without the floor
 * {@link LatencyEProcess} adds for a reading's resolution (1%): whitened, that floor grows with an interval's requests,
 * so at the stable track's traffic it would count several times what it does at a canary's share (at 200 requests/s,
 * over a third of the whole reading), and the canary adds it for its own intervals at its own traffic anyway. With
 * the floor kept, {@code bench canary --runs 300 --stable-minutes 10} detected the latency +25% step in 1.28x, 1.37x
 * and 1.29x the oracle's time (seeds 1, 2, 3); without it in 1.14x, 1.17x and 1.02x, every healthy scenario's false
 * rollbacks at most 0.7% either way (12 of 7200 healthy runs against 11; bursty errors give 1.3% when a first canary
 * reads nothing). The floor
 * still decides whether there is a reading: a track whose quantiles move by less than that resolution from one
 * interval to the next (a service with a narrow latency distribution and much traffic) gives none, as identical,
 * quantised readings say nothing of the noise.
 */
public final class StableTrackNoise {
    /**
     * The fewest intervals that can give a reading: {@link LatencyEProcess#MIN_RECORDED} contrasts per quantile, a
     * block's first interval giving none (two blocks of {@link LatencyEProcess#BLOCK}: 12, two minutes of 10 s).
     */
    public static final int MIN_INTERVALS = minIntervals();

    private StableTrackNoise() {}

    private static int minIntervals() {
        int n = 0;
        while (n - (n + LatencyEProcess.BLOCK - 1) / LatencyEProcess.BLOCK < LatencyEProcess.MIN_RECORDED) {
            n++;
        }
        return n;
    }

    /**
     * The noise of {@code intervals} of the stable track, oldest first; {@link CanaryNoise#NONE} when they cannot give
     * its latency part: that needs {@link LatencyEProcess#MIN_RECORDED} contrasts per quantile (at least
     * {@link #MIN_INTERVALS} intervals with requests and both quantiles, in unbroken runs) that are not mostly the readings' resolution
     * (identical, quantised readings say nothing of the noise). An interval without requests or without a quantile
     * breaks its block: a contrast is only taken between neighbours.
     */
    public static CanaryNoise of(List<TrackSample> intervals) {
        var p50 = new Contrasts();
        var p99 = new Contrasts();
        var bursts = new ErrorDispersion();
        int spreadIntervals = 0;
        double spreadSum = 0;
        for (TrackSample s : intervals) {
            double n = s.requests();
            if (!(n > 0) || !Double.isFinite(n)) {
                p50.breakBlock();
                p99.breakBlock();
                continue;
            }
            bursts.observe(n, s.errors());
            p50.add(s.p50Ms(), n);
            p99.add(s.p99Ms(), n);
            if (s.p50Ms() > 0 && s.p99Ms() > 0 && Double.isFinite(s.p50Ms() + s.p99Ms())) {
                spreadIntervals++;
                spreadSum += Math.log(s.p99Ms()) - Math.log(s.p50Ms());
            }
        }
        var p50Reading = p50.reading();
        var p99Reading = p99.reading();
        if (p50Reading.values() == 0 || p99Reading.values() == 0 || spreadIntervals == 0) {
            return CanaryNoise.NONE;
        }
        return new CanaryNoise(
                p50Reading, p99Reading, new CanaryNoise.Spread(spreadIntervals, spreadSum), bursts.own());
    }

    /** How many of {@code intervals} had requests and both latency quantiles: what the reading was made of. */
    public static int withData(List<TrackSample> intervals) {
        int n = 0;
        for (TrackSample s : intervals) {
            if (s.requests() > 0
                    && s.p50Ms() > 0
                    && s.p99Ms() > 0
                    && Double.isFinite(s.requests() + s.p50Ms() + s.p99Ms())) {
                n++;
            }
        }
        return n;
    }

    /** One quantile's level contrasts within blocks. */
    private static final class Contrasts {
        private final LevelBlock block = new LevelBlock();
        private double squares;
        private double floor;
        private int values;

        void add(double ms, double requests) {
            if (!(ms > 0) || !Double.isFinite(ms)) {
                breakBlock();
                return;
            }
            double level = Math.log(ms);
            LevelBlock.Contrast contrast = block.contrast(level, requests);
            if (contrast != null) {
                squares += contrast.z() * contrast.z() + contrast.floor();
                floor += contrast.floor();
                values++;
            }
            block.add(level, requests, 0, 0);
        }

        void breakBlock() {
            block.clear();
        }

        CanaryNoise.Reading reading() {
            if (values < LatencyEProcess.MIN_RECORDED || floor >= squares / 2) {
                return CanaryNoise.Reading.NONE;
            }
            return new CanaryNoise.Reading(values, squares - floor);
        }
    }

    /**
     * Where a canary's noise history came from when it was read from the stable track: the window {@code [from, to)}
     * before the canary started, and how many of its intervals had data ({@link #withData}). The audit entry of the
     * canary's decision shows it under {@code noise_history.from_stable_track}.
     */
    public record Window(Instant from, Instant to, int intervals) {
        public Window {
            if (from == null || to == null || !from.isBefore(to)) {
                throw new IllegalArgumentException(
                        "a stable track's window needs from before to, got " + from + " and " + to);
            }
            if (intervals < 0) {
                throw new IllegalArgumentException(
                        "a stable track's window has 0 or more intervals with data, got " + intervals);
            }
        }

        private static final Set<String> KEYS = Set.of("from", "to", "intervals");

        /** As the audit entry shows it: {@code from} and {@code to} as ISO-8601 instants, and the intervals. */
        public Map<String, Object> auditFields() {
            var out = new LinkedHashMap<String, Object>();
            out.put("from", from.toString());
            out.put("to", to.toString());
            out.put("intervals", intervals);
            return out;
        }

        /**
         * Reads back what {@link #auditFields()} wrote, refusing anything else with its place in the entry ({@code
         * at}) and what it should be.
         */
        public static Window fromAuditFields(Object value, String at) {
            if (!(value instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(
                        at + " must be an object {from, to, intervals}, got " + (value == null ? "null" : value));
            }
            for (Object key : m.keySet()) {
                if (!KEYS.contains(String.valueOf(key))) {
                    throw new IllegalArgumentException(
                            at + " has an unknown key '" + key + "'; it may have from, intervals, to");
                }
            }
            Instant from = instant(m, "from", at);
            Instant to = instant(m, "to", at);
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException(
                        at + ".from must be before " + at + ".to, got " + from + " and " + to);
            }
            Object count = m.get("intervals");
            if (!(count instanceof Integer || count instanceof Long || count instanceof BigInteger)
                    || ((Number) count).doubleValue() < 0
                    || ((Number) count).doubleValue() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(at + ".intervals must be a whole number from 0 to "
                        + Integer.MAX_VALUE + ", got " + (count == null ? "nothing" : count));
            }
            return new Window(from, to, ((Number) count).intValue());
        }

        private static Instant instant(Map<?, ?> m, String key, String at) {
            Object v = m.get(key);
            if (v instanceof String s) {
                try {
                    return Instant.parse(s);
                } catch (DateTimeParseException e) {
                    // refused below, with what it should be
                }
            }
            throw new IllegalArgumentException(at + "." + key + " must be an instant such as 2026-11-24T09:50:00Z, got "
                    + (v == null ? "nothing" : v));
        }
    }
}
