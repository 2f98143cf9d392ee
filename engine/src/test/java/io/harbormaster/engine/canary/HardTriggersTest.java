package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class HardTriggersTest {
    @Test
    void anErrorRateOverFivePercentForTwoMinutesFires() {
        var history = new ArrayList<IntervalSample>();
        for (int i = 0; i < 12; i++) {
            history.add(new IntervalSample(10L * i, Samples.track(100, 0, 40, 200), Samples.track(100, 6, 40, 200)));
        }
        var fired = HardTriggers.check(history, HardTriggerPolicy.defaults(), 10);
        assertEquals("error_rate", fired.orElseThrow().metric());
    }

    @Test
    void theErrorRateWindowMustHavePassedBeforeItCanFire() {
        var history = new ArrayList<IntervalSample>();
        for (int i = 0; i < 6; i++) {
            history.add(new IntervalSample(10L * i, Samples.track(100, 0, 40, 200), Samples.track(100, 50, 40, 200)));
        }
        assertTrue(HardTriggers.check(history, HardTriggerPolicy.defaults(), 10).isEmpty());
    }

    @Test
    void threeRestartsWithinFiveMinutesFireAtOnce() {
        var history = new ArrayList<IntervalSample>();
        history.add(new IntervalSample(0, Samples.track(100, 0, 40, 200), new TrackSample(100, 0, 40, 200, 2)));
        history.add(new IntervalSample(10, Samples.track(100, 0, 40, 200), new TrackSample(100, 0, 40, 200, 1)));
        assertEquals(
                "restarts",
                HardTriggers.check(history, HardTriggerPolicy.defaults(), 10)
                        .orElseThrow()
                        .metric());
    }

    @Test
    void aP99OverTwoSecondsForThreeMinutesFires() {
        var history = new ArrayList<IntervalSample>();
        for (int i = 0; i < 18; i++) {
            history.add(new IntervalSample(10L * i, Samples.track(100, 0, 40, 200), Samples.track(100, 0, 40, 2500)));
        }
        assertEquals(
                "p99_ms",
                HardTriggers.check(history, HardTriggerPolicy.defaults(), 10)
                        .orElseThrow()
                        .metric());
    }

    @Test
    void eachTriggerGivesTheBaselinesValueOverItsWindowBesideTheCanarys() {
        var errors = new ArrayList<IntervalSample>();
        for (int i = 0; i < 12; i++) {
            errors.add(new IntervalSample(10L * i, Samples.track(100, 1, 40, 200), Samples.track(100, 6, 40, 200)));
        }
        var rate = HardTriggers.check(errors, HardTriggerPolicy.defaults(), 10).orElseThrow();
        assertEquals(0.06, rate.canary(), 1e-12);
        assertEquals(0.01, rate.baseline(), 1e-12);

        var slow = new ArrayList<IntervalSample>();
        for (int i = 0; i < 18; i++) {
            slow.add(new IntervalSample(
                    10L * i, Samples.track(100, 0, 40, 300 + i), Samples.track(100, 0, 40, 2500 + i)));
        }
        var p99 = HardTriggers.check(slow, HardTriggerPolicy.defaults(), 10).orElseThrow();
        assertEquals(2500, p99.canary(), 1e-12); // the lowest of each track's over the window
        assertEquals(300, p99.baseline(), 1e-12);

        var crashing = new ArrayList<IntervalSample>();
        crashing.add(new IntervalSample(0, new TrackSample(100, 0, 40, 200, 1), new TrackSample(100, 0, 40, 200, 3)));
        var restarts =
                HardTriggers.check(crashing, HardTriggerPolicy.defaults(), 10).orElseThrow();
        assertEquals(3, restarts.canary(), 1e-12);
        assertEquals(1, restarts.baseline(), 1e-12);
    }

    @Test
    void aTriggersJudgedWindowIsItsOwnTrailingWindowAndTheSequentialJudgesTheWholeCanary() {
        var policy = CanaryPolicy.defaults();
        var errors = new ArrayList<IntervalSample>();
        for (int i = 0; i < 20; i++) {
            errors.add(new IntervalSample(10L * i, Samples.track(100, 1, 40, 200), Samples.track(100, 6, 40, 200)));
        }
        var rate = HardTriggers.check(errors, policy.hardTriggers(), 10).orElseThrow();
        long window = policy.hardTriggers().errorWindowSeconds();
        assertEquals(
                new JudgedWindow(200 - window, 200),
                JudgedWindow.of(rate, 200, policy).orElseThrow());
        var sequential = new SequentialJudge(policy.sequential(), CanaryNoise.NONE)
                .evidence()
                .getFirst();
        assertEquals(
                new JudgedWindow(0, 200),
                JudgedWindow.of(sequential, 200, policy).orElseThrow());
        // a trigger that fires before its window has passed (restarts) judged the canary from its start
        var early = Evidence.of("hard-trigger", "restarts", "restarts >= 3 over 300 s", 0, 3, "crash loop");
        assertEquals(new JudgedWindow(0, 30), JudgedWindow.of(early, 30, policy).orElseThrow());
    }
}
