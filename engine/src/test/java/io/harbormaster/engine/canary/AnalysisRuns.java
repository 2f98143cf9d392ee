package io.harbormaster.engine.canary;

/** The real canary analysis, with its default policy, run over a hand-made canary: for the tests of what shows it. */
public final class AnalysisRuns {
    private AnalysisRuns() {}

    /**
     * The first verdict of {@code kind} the analysis gives for the same interval every 10 s from 0 (up to 600 s).
     *
     * @throws AssertionError when it gives none
     */
    public static <V extends Verdict> V until(Class<V> kind, TrackSample baseline, TrackSample canary) {
        var analysis = new CanaryAnalysis(CanaryPolicy.defaults());
        for (long t = 0; t < 600; t += 10) {
            var verdict = analysis.observe(new IntervalSample(t, baseline, canary));
            if (kind.isInstance(verdict)) {
                return kind.cast(verdict);
            }
        }
        throw new AssertionError("no " + kind.getSimpleName() + " within 600 s");
    }
}
