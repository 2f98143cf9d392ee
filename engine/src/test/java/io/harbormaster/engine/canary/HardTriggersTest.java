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
}
