package io.harbormaster.engine.canary;

import io.harbormaster.engine.text.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The sequential judge: after every interval, e-processes for error rate, p50 and p99. It rolls back as soon as one
 * crosses its share of 1/alpha (so the chance of ever rolling back a healthy canary stays under alpha however often
 * it looks), and reports whether every metric has excluded a meaningful regression (so a step may end early).
 */
public final class SequentialJudge {
    /** The judge's name in its evidence; its estimates are ratios, canary over baseline. */
    static final String JUDGE = "sequential";
    /** How many standard errors wider than the history's the baseline's spread may be before the history is dropped. */
    static final double SPREAD_Z = 3;

    private final SequentialPolicy policy;
    /** Where the history was measured, for the evidence. */
    private final NoiseSource source;

    private final ErrorRateEProcess errors;
    private final LatencyEProcess p50;
    private final LatencyEProcess p99;
    /** The history's spread (mean log p99 - log p50 of the baseline), NaN without a history. */
    private final double historySpread;
    /** The per-request variance of one interval's spread that the history implies (its p50's and p99's noise). */
    private final double historySpreadVariance;
    /**
     * This canary's spread on its own track (kept for later canaries): its sum over the intervals with both quantiles;
     * then the baseline's deviation from the history's spread, and that deviation's variance.
     */
    private double spreadSum;

    private int spreadIntervals;
    private double spreadDeviation;
    private double spreadVariance;
    private int seen;

    public SequentialJudge(SequentialPolicy policy) {
        this(policy, CanaryNoise.NONE);
    }

    /**
     * With the noise of the service's earlier canaries: their error bursts, and their latency noise up to the policy's
     * {@code noiseHistory} of it (0: no history at all).
     */
    public SequentialJudge(SequentialPolicy policy, CanaryNoise history) {
        this(policy, history, NoiseSource.EARLIER_CANARIES);
    }

    /** With a history measured where {@code source} says (what the evidence names). */
    public SequentialJudge(SequentialPolicy policy, CanaryNoise history, NoiseSource source) {
        this.policy = policy;
        this.source = source;
        this.errors = new ErrorRateEProcess(policy.errorRatio(), policy.errorPoints());
        if (policy.noiseHistory() > 0) {
            errors.startFrom(history.bursts());
        }
        CanaryNoise capped =
                history.known() && policy.noiseHistory() > 0 ? history.capped(policy.noiseHistory()) : CanaryNoise.NONE;
        this.p50 = new LatencyEProcess(policy.p50Increase(), capped.p50());
        this.p99 = new LatencyEProcess(policy.p99Increase(), capped.p99());
        this.historySpread = capped.known() ? capped.spread().mean() : Double.NaN;
        this.historySpreadVariance = capped.p50().variance() + capped.p99().variance();
    }

    /** The noise this canary measured (its own, without the history), for the service's later canaries. */
    public CanaryNoise noise() {
        return new CanaryNoise(
                p50.noise(), p99.noise(), new CanaryNoise.Spread(spreadIntervals, spreadSum), errors.bursts());
    }

    /** Whether the latency judges still start from the service's earlier canaries. */
    public boolean usesHistory() {
        return p50.usesHistory() || p99.usesHistory();
    }

    /** Feeds one interval; intervals inside the warm-up, and fields without data, are skipped. */
    public void observe(IntervalSample s) {
        seen++;
        if (seen <= policy.warmupIntervals()) {
            return;
        }
        TrackSample b = s.baseline(), c = s.canary();
        if (Double.isFinite(b.requests())
                && Double.isFinite(c.requests())
                && Double.isFinite(b.errors())
                && Double.isFinite(c.errors())) {
            errors.observe(c.requests(), c.errors(), b.requests(), b.errors());
        }
        p50.observe(b.p50Ms(), c.p50Ms(), b.requests(), c.requests());
        p99.observe(b.p99Ms(), c.p99Ms(), b.requests(), c.requests());
        checkSpread(b, c);
    }

    /**
     * The baseline runs the version of the latest promoted canary, whose track the history's spread was read from.
     * When it is clearly more spread out than it was then
     * (its log p99 - log p50 above the history's by SPREAD_Z standard errors, the error from the history's own noise
     * levels), its readings are noisier than the history says: both latency judges go on without the history. A
     * narrower spread only makes the history overstate the noise, which costs time but no false rollbacks.
     */
    private void checkSpread(TrackSample b, TrackSample c) {
        if (quantilesRead(c)) {
            // kept from the canary's track: if it is promoted, its version runs the next canary's baseline
            spreadSum += Math.log(c.p99Ms()) - Math.log(c.p50Ms());
            spreadIntervals++;
        }
        if (!quantilesRead(b)) {
            return;
        }
        double spread = Math.log(b.p99Ms()) - Math.log(b.p50Ms());
        if (Double.isNaN(historySpread) || !usesHistory()) {
            return;
        }
        spreadDeviation += spread - historySpread;
        spreadVariance += historySpreadVariance / b.requests();
        if (spreadDeviation > SPREAD_Z * Math.sqrt(spreadVariance)) {
            p50.dropHistory();
            p99.dropHistory();
        }
    }

    private static boolean quantilesRead(TrackSample t) {
        return t.p50Ms() > 0
                && t.p99Ms() > 0
                && t.requests() > 0
                && Double.isFinite(t.p50Ms() + t.p99Ms() + t.requests());
    }

    /** The metric whose evidence of a regression crossed its threshold, if any. */
    public Optional<Evidence> regression() {
        double errorThreshold = 1 / policy.errorAlpha();
        double latencyThreshold = 1 / policy.latencyAlpha();
        if (errors.eValue() >= errorThreshold) {
            return Optional.of(errorEvidence(
                    "e-value >= " + fmt(errorThreshold) + " (alpha " + fmt(policy.errorAlpha()) + ")",
                    errors.eValue()));
        }
        if (p50.eValue() >= latencyThreshold) {
            return Optional.of(latencyEvidence("p50_ms", p50, "e-value >= " + fmt(latencyThreshold), p50.eValue()));
        }
        if (p99.eValue() >= latencyThreshold) {
            return Optional.of(latencyEvidence("p99_ms", p99, "e-value >= " + fmt(latencyThreshold), p99.eValue()));
        }
        return Optional.empty();
    }

    /**
     * The largest of the three e-values for a regression: above 1 the data so far favour "regression" over "none" for
     * at least one metric. A description of the evidence, not a test (it rolls nothing back).
     */
    public double strongestEValue() {
        return Math.max(errors.eValue(), Math.max(p50.eValue(), p99.eValue()));
    }

    /** Whether every metric has excluded a meaningful regression at the promote alpha. */
    public boolean excludesMeaningfulRegression() {
        double threshold = 1 / policy.promoteAlpha();
        return errors.promoteEValue() >= threshold
                && p50.promoteEValue() >= threshold
                && p99.promoteEValue() >= threshold;
    }

    /** The current evidence for every metric, for the timeline and the audit entry. */
    public List<Evidence> evidence() {
        var list = new ArrayList<Evidence>();
        list.add(errorEvidence("running", errors.eValue()));
        list.add(latencyEvidence("p50_ms", p50, "running", p50.eValue()));
        list.add(latencyEvidence("p99_ms", p99, "running", p99.eValue()));
        return list;
    }

    private Evidence errorEvidence(String rule, double e) {
        double ratio = errors.baselineRate() > 0 ? errors.canaryRate() / errors.baselineRate() : Double.NaN;
        return new Evidence(
                JUDGE,
                "error_rate",
                rule,
                errors.baselineRate(),
                errors.canaryRate(),
                ratio,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                e,
                String.format(
                        Locale.ROOT,
                        "canary %.0f errors (%s) against baseline %.0f (%s); e-value %s for a higher canary"
                                + " error rate, %s against a meaningful regression",
                        errors.canaryErrors(),
                        Numbers.percent(errors.canaryRate()),
                        errors.baselineErrors(),
                        Numbers.percent(errors.baselineRate()),
                        fmt(e),
                        fmt(errors.promoteEValue())));
    }

    private Evidence latencyEvidence(String metric, LatencyEProcess p, String rule, double e) {
        return new Evidence(
                JUDGE,
                metric,
                rule,
                p.baselineMs(),
                p.canaryMs(),
                p.ratioEstimate(),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                e,
                String.format(
                        Locale.ROOT,
                        "canary/baseline %s ratio %.3f over %d interval%s; e-value %s for slower,"
                                + " %s against a meaningful slowdown%s",
                        metric,
                        p.ratioEstimate(),
                        p.count(),
                        p.count() == 1 ? "" : "s",
                        fmt(e),
                        fmt(p.promoteEValue()),
                        p.usesHistory() ? " (noise level known from " + source.words() + ")" : ""));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
