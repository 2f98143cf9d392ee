package io.harbormaster.engine.canary;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How noisy a service's metrics were in one or more canaries: its latency readings and its errors' bursts.
 *
 * <p>Latency, per quantile: the sequential judge's
 * whitened values (differences of log quantiles between the tracks and contrasts of their shared level, each scaled
 * to one request's worth of variance) counted and summed as squares. Under "same distribution" every such value has
 * the same variance, the service's per-request noise of that quantile, whatever the traffic or the weight.
 *
 * <p>A new canary starts knowing nothing of it, and a scale-invariant test learns it from its own first intervals,
 * which costs time exactly when a fault that starts early should be caught. The noise of the service's earlier
 * promoted canaries, kept by the store, lets the judge start with it (see {@link LatencyEProcess}); a canary whose
 * service has none reads it from the service's stable track before it started ({@link StableTrackNoise}).
 *
 * <p>The noise of a quantile grows with the spread of the distribution it is read from, so the history also keeps
 * that spread as the promoted canary's track showed it (log p99 - log p50): a canary whose baseline, that version, is
 * spread wider does not use the history.
 *
 * <p>Errors: how much more spread the baseline's error counts were than independent errors make them ({@link
 * ErrorDispersion}'s sums), so that a service whose errors come in bursts is judged with its bursts known from the
 * first interval, when a canary alone has not yet seen any (most of the false rollbacks bursts still caused were
 * there).
 */
public record CanaryNoise(Reading p50, Reading p99, Spread spread, Bursts bursts) {
    /** How many of a service's latest promoted canaries a new canary learns the noise from. */
    public static final int CANARIES = 5;

    /** No history: the judge learns the noise from the canary alone. */
    public static final CanaryNoise NONE = new CanaryNoise(Reading.NONE, Reading.NONE, Spread.NONE, Bursts.NONE);

    public CanaryNoise {
        if (p50 == null || p99 == null || spread == null || bursts == null) {
            throw new IllegalArgumentException(
                    "canary noise needs p50 and p99 readings, the spread and the bursts (NONE for none of them)");
        }
    }

    /**
     * The baseline's error counts beyond Poisson ({@link ErrorDispersion}'s moment sums over its minutes): the
     * residual squares beyond the Poisson expectation, their sensitivity to the bursts' 1/k, and their variance.
     */
    public record Bursts(double excess, double sensitivity, double noise) {
        public static final Bursts NONE = new Bursts(0, 0, 0);

        public Bursts {
            if (!Double.isFinite(excess)
                    || !(sensitivity >= 0)
                    || !(noise >= 0)
                    || !Double.isFinite(sensitivity + noise)) {
                throw new IllegalArgumentException("error bursts need a finite excess and a finite sensitivity and"
                        + " noise of 0 or more, got " + excess + ", " + sensitivity + ", " + noise);
            }
        }

        /** Whether there are any bursts' sums to start from (a canary's baseline had minutes of error counts). */
        public boolean known() {
            return sensitivity > 0;
        }

        Bursts plus(Bursts other) {
            return new Bursts(excess + other.excess, sensitivity + other.sensitivity, noise + other.noise);
        }
    }

    /** Whether there is anything to start from: both quantiles' noise and the spread they were read at. */
    public boolean known() {
        return p50.values() > 0 && p99.values() > 0 && spread.intervals() > 0;
    }

    /** The baseline's spread, log p99 - log p50, summed over the intervals it was read in. */
    public record Spread(int intervals, double sum) {
        public static final Spread NONE = new Spread(0, 0);

        public Spread {
            if (intervals < 0) {
                throw new IllegalArgumentException("a spread counts 0 or more intervals, got " + intervals);
            }
            if (!Double.isFinite(sum)) {
                throw new IllegalArgumentException("a spread's sum must be finite, got " + sum);
            }
            if (intervals == 0 && sum != 0) {
                throw new IllegalArgumentException("a spread of no intervals must sum to 0, got " + sum);
            }
        }

        /** The mean spread; NaN without intervals. */
        public double mean() {
            return intervals > 0 ? sum / intervals : Double.NaN;
        }

        Spread plus(Spread other) {
            return new Spread(intervals + other.intervals, sum + other.sum);
        }
    }

    /** One quantile's noise: how many whitened values, and the sum of their squares. */
    public record Reading(int values, double sumSquares) {
        public static final Reading NONE = new Reading(0, 0);

        public Reading {
            if (values < 0) {
                throw new IllegalArgumentException("a noise reading counts 0 or more values, got " + values);
            }
            if (!(sumSquares >= 0) || !Double.isFinite(sumSquares)) {
                throw new IllegalArgumentException(
                        "a noise reading's sum of squares must be finite and 0 or more, got " + sumSquares);
            }
            if (values == 0 && sumSquares != 0) {
                throw new IllegalArgumentException("a noise reading of no values must sum to 0, got " + sumSquares);
            }
        }

        /** The mean square, the noise's variance; NaN without values. */
        public double variance() {
            return values > 0 ? sumSquares / values : Double.NaN;
        }

        Reading plus(Reading other) {
            return new Reading(values + other.values, sumSquares + other.sumSquares);
        }

        /** At most {@code max} values' worth, at the same variance. */
        public Reading capped(int max) {
            return values <= max ? this : new Reading(max, max * variance());
        }
    }

    /** The noise of several canaries taken together (each value counts once, whichever canary it came from). */
    public static CanaryNoise pooled(List<CanaryNoise> canaries) {
        Reading p50 = Reading.NONE, p99 = Reading.NONE;
        Spread spread = Spread.NONE;
        Bursts bursts = Bursts.NONE;
        for (CanaryNoise c : canaries) {
            p50 = p50.plus(c.p50());
            p99 = p99.plus(c.p99());
            spread = spread.plus(c.spread());
            bursts = bursts.plus(c.bursts());
        }
        return new CanaryNoise(p50, p99, spread, bursts);
    }

    /** At most {@code max} values' worth per latency quantile (the error bursts are kept whole). */
    public CanaryNoise capped(int max) {
        return new CanaryNoise(p50.capped(max), p99.capped(max), spread, bursts);
    }

    /** The audit entry's key for the history a canary started from. */
    public static final String AUDIT_KEY = "noise_history";

    /** The audit entry's key for the deploys whose canaries the history was pooled from (the pipeline adds it). */
    public static final String AUDIT_SOURCES = "from_deploys";

    /**
     * The audit entry's key for the stable track's window the history was read from, for a canary whose service had
     * no earlier canaries ({@link StableTrackNoise.Window}; the pipeline adds it instead of {@link #AUDIT_SOURCES}).
     */
    public static final String AUDIT_STABLE_TRACK = "from_stable_track";

    /**
     * Keys of {@link #auditFields()}, and those the pipeline adds (what the canary did with the history, and where the
     * history came from: earlier canaries or the stable track), which a replay reads only to say where it came from.
     */
    private static final Set<String> AUDIT_KEYS =
            Set.of("p50", "p99", "spread", "error_bursts", "latency_history_kept", AUDIT_SOURCES, AUDIT_STABLE_TRACK);

    /**
     * This history as the audit entry shows it: per quantile its values and variance, the spread's mean, the error
     * bursts' sums; each part only when there is one (empty for no history). {@link #fromAuditFields} reads it back,
     * so a decision can be replayed with the history it was made with.
     */
    public Map<String, Object> auditFields() {
        var out = new LinkedHashMap<String, Object>();
        if (known()) {
            out.put("p50", Map.of("values", p50.values(), "variance", p50.variance()));
            out.put("p99", Map.of("values", p99.values(), "variance", p99.variance()));
            out.put("spread", spread.mean());
        }
        if (bursts.known()) {
            out.put(
                    "error_bursts",
                    Map.of("excess", bursts.excess(), "sensitivity", bursts.sensitivity(), "noise", bursts.noise()));
        }
        return out;
    }

    /**
     * Reads back what {@link #auditFields()} wrote (JSON numbers as Java numbers). The spread is kept as its mean, the
     * only part of it a judge uses. Anything missing, misspelt or out of range is refused with its place in the
     * entry ({@code noise_history.p50.values}) and what it should be.
     */
    public static CanaryNoise fromAuditFields(Map<?, ?> fields) {
        unknownKeys(fields, AUDIT_KEYS, AUDIT_KEY);
        stableTrackIn(fields); // refused here too when it is not a window
        boolean latency = fields.containsKey("p50") || fields.containsKey("p99") || fields.containsKey("spread");
        Reading p50 = Reading.NONE, p99 = Reading.NONE;
        Spread spread = Spread.NONE;
        if (latency) {
            for (String key : List.of("p50", "p99", "spread")) {
                if (!fields.containsKey(key)) {
                    throw new IllegalArgumentException(AUDIT_KEY + "." + key
                            + " is missing: a latency history needs p50, p99 and spread together (copy the whole"
                            + " noise_history object of the audit entry)");
                }
            }
            p50 = reading(fields.get("p50"), AUDIT_KEY + ".p50");
            p99 = reading(fields.get("p99"), AUDIT_KEY + ".p99");
            double mean = number(fields.get("spread"), AUDIT_KEY + ".spread");
            if (mean < 0) { // log p99 - log p50 is never negative
                throw new IllegalArgumentException(
                        AUDIT_KEY + ".spread must be 0 or more (log p99 - log p50), got " + mean);
            }
            spread = new Spread(1, mean);
            if (p50.values() == 0 || p99.values() == 0) {
                throw new IllegalArgumentException(AUDIT_KEY + ": a latency history needs at least one value per"
                        + " quantile, got p50 " + p50.values() + " and p99 " + p99.values());
            }
        }
        Bursts bursts = Bursts.NONE;
        if (fields.containsKey("error_bursts")) {
            String at = AUDIT_KEY + ".error_bursts";
            Map<?, ?> b = object(fields.get("error_bursts"), at);
            unknownKeys(b, Set.of("excess", "sensitivity", "noise"), at);
            double excess = number(required(b, "excess", at), at + ".excess");
            double sensitivity = number(required(b, "sensitivity", at), at + ".sensitivity");
            double noise = number(required(b, "noise", at), at + ".noise");
            try {
                bursts = new Bursts(excess, sensitivity, noise);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
            }
        }
        return new CanaryNoise(p50, p99, spread, bursts);
    }

    /**
     * The stable track's window a history in the audit entry's {@code noise_history} ({@code fields}) was read from,
     * if it was read there; refuses a malformed one, and one that also names earlier canaries' deploys (a history
     * comes from one or the other).
     */
    public static java.util.Optional<StableTrackNoise.Window> stableTrackIn(Map<?, ?> fields) {
        if (!fields.containsKey(AUDIT_STABLE_TRACK)) {
            return java.util.Optional.empty();
        }
        if (fields.containsKey(AUDIT_SOURCES)) {
            throw new IllegalArgumentException(AUDIT_KEY + " has both " + AUDIT_SOURCES + " and " + AUDIT_STABLE_TRACK
                    + ", but a history comes from the service's earlier canaries or from its stable track, not both"
                    + " (copy the whole noise_history object of the audit entry)");
        }
        return java.util.Optional.of(StableTrackNoise.Window.fromAuditFields(
                fields.get(AUDIT_STABLE_TRACK), AUDIT_KEY + "." + AUDIT_STABLE_TRACK));
    }

    /** Where the history in an audit entry's {@code noise_history} was measured (see {@link #stableTrackIn}). */
    public static NoiseSource sourceIn(Map<?, ?> fields) {
        return stableTrackIn(fields).isPresent() ? NoiseSource.STABLE_TRACK : NoiseSource.EARLIER_CANARIES;
    }

    private static Reading reading(Object value, String at) {
        Map<?, ?> r = object(value, at);
        unknownKeys(r, Set.of("values", "variance"), at);
        Object count = required(r, "values", at);
        if (!(count instanceof Integer || count instanceof Long || count instanceof BigInteger)
                || ((Number) count).doubleValue() < 0
                || ((Number) count).doubleValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    at + ".values must be a whole number from 0 to " + Integer.MAX_VALUE + ", got " + count);
        }
        int values = ((Number) count).intValue();
        double variance = number(required(r, "variance", at), at + ".variance");
        if (values > 0 && !(variance > 0)) {
            throw new IllegalArgumentException(at + ".variance must be above 0, got " + variance);
        }
        return values == 0 ? Reading.NONE : new Reading(values, values * variance);
    }

    private static Map<?, ?> object(Object value, String at) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException(at + " must be an object, got " + (value == null ? "null" : value));
    }

    private static Object required(Map<?, ?> m, String key, String at) {
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException(at + "." + key + " is missing");
        }
        return m.get(key);
    }

    private static double number(Object value, String at) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(at + " must be a finite number, got " + (value == null ? "null" : value));
    }

    private static void unknownKeys(Map<?, ?> m, Set<String> allowed, String at) {
        for (Object key : m.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(at + " has an unknown key '" + key + "'; it may have "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
