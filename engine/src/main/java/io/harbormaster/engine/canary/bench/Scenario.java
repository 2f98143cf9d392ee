package io.harbormaster.engine.canary.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark scenario with the fixed parameters of BENCHMARKS.md section 2: service traffic, baseline error rate,
 * lognormal latency with a slow mode, and what is special about it (drift, warm-up, gaps, or a fault in the canary).
 * An {@link #extra()} scenario is not among BENCHMARKS.md's: it is reported apart and does not count towards its
 * targets.
 *
 * @param errorBurstShape 0, or the shape k of a gamma factor (mean 1, coefficient of variation 1/sqrt(k)) that each
 *     track's error rate is multiplied by in every interval on its own: errors that come in bursts
 */
public record Scenario(
        String name,
        double totalRps,
        double errorRate,
        double sigma,
        boolean diurnal,
        boolean warmup,
        boolean gaps,
        Fault fault,
        double errorBurstShape) {

    /** Counts from a Gamma factor of this shape in the extra scenario: a coefficient of variation of one half. */
    public static final double BURST_SHAPE = 4;

    public static final double MEDIAN_MS = 40;
    public static final double SLOW_SHARE = 0.30;
    public static final double SLOW_FACTOR = 3;

    public Scenario(
            String name,
            double totalRps,
            double errorRate,
            double sigma,
            boolean diurnal,
            boolean warmup,
            boolean gaps,
            Fault fault) {
        this(name, totalRps, errorRate, sigma, diurnal, warmup, gaps, fault, 0);
    }

    /** The same service before its fault: what its earlier, healthy canaries looked like. */
    public Scenario beforeFault() {
        return new Scenario(name, totalRps, errorRate, sigma, diurnal, warmup, gaps, Fault.NONE, errorBurstShape);
    }

    /**
     * The same service's stable track before its canary: its healthy version on pods that have served for a long time
     * (no warm-up), with its traffic's drift, gaps and bursts.
     */
    public Scenario stableTrack() {
        return new Scenario(name, totalRps, errorRate, sigma, diurnal, false, gaps, Fault.NONE, errorBurstShape);
    }

    /** Not among BENCHMARKS.md's scenarios: reported apart, not held to its targets. */
    public boolean extra() {
        return errorBurstShape > 0;
    }

    public boolean healthy() {
        return fault.kind() == Fault.Kind.NONE;
    }

    /** Error-rate and latency regressions are held to the time-to-detect target against the oracle. */
    public boolean ttdTarget() {
        return switch (fault.kind()) {
            case ERROR_TIMES, ERROR_PLUS, LATENCY_TIMES -> true;
            default -> false;
        };
    }

    private static Scenario base(String name) {
        return new Scenario(name, 200, 0.005, 0.35, false, false, false, Fault.NONE);
    }

    /** The healthy and regressed scenarios, in table order. */
    public static List<Scenario> all() {
        var list = new ArrayList<Scenario>();
        Scenario b = base("healthy");
        list.add(b);
        list.add(new Scenario("healthy-diurnal-drift", 200, 0.005, 0.35, true, false, false, Fault.NONE));
        list.add(new Scenario("healthy-warmup", 200, 0.005, 0.35, false, true, false, Fault.NONE));
        list.add(new Scenario("healthy-heavy-tail", 200, 0.005, 0.8, false, false, false, Fault.NONE));
        list.add(new Scenario("healthy-sparse-errors", 200, 0.0005, 0.35, false, false, false, Fault.NONE));
        list.add(new Scenario("healthy-gaps", 200, 0.005, 0.35, false, false, true, Fault.NONE));
        list.add(new Scenario("healthy-low-traffic", 20, 0.005, 0.35, false, false, false, Fault.NONE));
        for (boolean ramp : new boolean[] {false, true}) {
            String s = ramp ? "-ramp" : "-step";
            list.add(regressed("errors-x2" + s, new Fault(Fault.Kind.ERROR_TIMES, 2, ramp)));
            list.add(regressed("errors-x5" + s, new Fault(Fault.Kind.ERROR_TIMES, 5, ramp)));
            list.add(regressed("errors-+0.5pt" + s, new Fault(Fault.Kind.ERROR_PLUS, 0.005, ramp)));
            list.add(regressed("latency-+10%" + s, new Fault(Fault.Kind.LATENCY_TIMES, 1.10, ramp)));
            list.add(regressed("latency-+25%" + s, new Fault(Fault.Kind.LATENCY_TIMES, 1.25, ramp)));
            list.add(regressed("p99-only-4%-at-2s" + s, new Fault(Fault.Kind.SLOW_REQUESTS_2S, 0.04, ramp)));
            list.add(regressed("variance-up-same-median" + s, new Fault(Fault.Kind.SIGMA, 0.6, ramp)));
            // new errors at 0.5% where the baseline has none (the [0,1,2,1,0,0] trap at 5% weight)
            list.add(new Scenario(
                    "sparse-new-errors" + s,
                    200,
                    0.0,
                    0.35,
                    false,
                    false,
                    false,
                    new Fault(Fault.Kind.SPARSE_NEW_ERRORS, 0.005, ramp)));
        }
        // extra, after the others so that their seeds stay as they were: errors in bursts, which binomial tests misread
        list.add(new Scenario("healthy-bursty-errors", 200, 0.005, 0.35, false, false, false, Fault.NONE, BURST_SHAPE));
        return list;
    }

    private static Scenario regressed(String name, Fault fault) {
        return new Scenario(name, 200, 0.005, 0.35, false, false, false, fault);
    }
}
