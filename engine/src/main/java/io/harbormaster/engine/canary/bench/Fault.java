package io.harbormaster.engine.canary.bench;

/** What goes wrong in a regressed scenario, how much, and whether it arrives at once or ramps up over 5 min. */
public record Fault(Kind kind, double magnitude, boolean ramp) {
    /** The kinds of regression of BENCHMARKS.md section 2. */
    public enum Kind {
        NONE,
        ERROR_TIMES,
        ERROR_PLUS,
        LATENCY_TIMES,
        SLOW_REQUESTS_2S,
        SIGMA,
        SPARSE_NEW_ERRORS
    }

    /** Seconds a ramp takes to reach the full fault. */
    public static final double RAMP_SECONDS = 300;

    public static final Fault NONE = new Fault(Kind.NONE, 0, false);

    /** How much of the fault is present at time t (0 before onset, 1 when fully there). */
    public double fraction(double t, double onset) {
        if (kind == Kind.NONE || t < onset) {
            return 0;
        }
        return ramp ? Math.min(1, (t - onset) / RAMP_SECONDS) : 1;
    }
}
