package io.harbormaster.engine.canary;

/**
 * The closing test's evidence as the real test gives it (judge, rule, statistic, p-value and reason), for the tests of
 * what reads or shows it, here and in the bot: taken at 340 s, at level 0.01.
 */
public final class ClosingTestEvidence {
    /** The canary's age when the test is taken, in seconds. */
    public static final long AT = 340;
    /** The test's level. */
    public static final double LEVEL = 0.01;

    private ClosingTestEvidence() {}

    /** A canary whose errors grow by one an interval: the error rate's score test finds it (a z statistic). */
    public static Evidence growingErrors() {
        var test = new ClosingTest();
        for (int i = 0; i < 34; i++) {
            long t = 10L * i;
            test.observe(
                    new IntervalSample(
                            t, new TrackSample(1000, 5, 40, 230, 0), new TrackSample(1000, 5 + i, 40, 230, 0)),
                    t + 5);
        }
        return test.regression(LEVEL, AT).orElseThrow();
    }

    /**
     * A canary whose p50 grows by 1% an interval, with some noise (so that the quantiles' t is finite): the p50's
     * sign-flip test finds it (a t statistic).
     */
    public static Evidence growingP50() {
        var test = new ClosingTest();
        for (int i = 0; i < 34; i++) {
            long t = 10L * i;
            double wobble = 1 + 0.01 * Math.sin(i);
            test.observe(
                    new IntervalSample(
                            t,
                            new TrackSample(1000, 0, 40, 230, 0),
                            new TrackSample(1000, 0, 40 * (1 + 0.01 * i) * wobble, 230 * wobble, 0)),
                    t + 5);
        }
        return test.regression(LEVEL, AT).orElseThrow();
    }
}
