package io.harbormaster.engine.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** "1 interval", "2 intervals": the messages that count intervals say so in the right number. */
class IntervalCountWordingTest {
    private static final Pattern OVER = Pattern.compile("over (\\d+) (interval\\w*);");

    @Test
    void theSequentialJudgesLatencyReasonCountsOneIntervalInTheSingular() {
        var judge = new SequentialJudge(SequentialPolicy.defaults());
        var counts = new ArrayList<Integer>();
        for (int i = 0; i < 4; i++) {
            judge.observe(new IntervalSample(
                    10L * i, Samples.track(1000, 5, 40 + i, 200), Samples.track(1000, 5, 41 + i, 205)));
            var reason = judge.evidence().get(1).reason(); // p50
            var m = OVER.matcher(reason);
            if (m.find()) {
                int n = Integer.parseInt(m.group(1));
                counts.add(n);
                assertThat(m.group(2)).as(reason).isEqualTo(n == 1 ? "interval" : "intervals");
            }
        }
        assertThat(counts)
                .as("the reasons counted one interval, then more")
                .contains(1)
                .anyMatch(n -> n > 1);
    }

    @Test
    void aStepThatEndsWithOneIntervalWithDataSaysOneInterval() {
        // Two blind intervals, then one with data: the 3-interval step ends with a single interval to judge.
        var policy = CanaryPolicy.defaults().withSteps(List.of(new CanaryStep(5, 3), new CanaryStep(100, 3)));
        var same = Samples.track(1000, 5, 40, 200);
        var series = List.of(
                new IntervalSample(0, same, TrackSample.NO_DATA),
                new IntervalSample(10, same, TrackSample.NO_DATA),
                new IntervalSample(20, same, same));
        var report = CanaryAnalysis.replay(series, policy);
        assertThat(report.verdict().evidence())
                .anySatisfy(e -> assertThat(e.reason()).isEqualTo("only 1 interval with data in the step"));
    }

    @Test
    void aStepOfOneIntervalIsRefusedInTheSingular() {
        assertThatThrownBy(
                        () -> CanaryPolicy.defaults().withSteps(List.of(new CanaryStep(5, 1), new CanaryStep(100, 18))))
                .hasMessageContaining("the step at 5% lasts 1 interval; a step needs at least 3 intervals");
    }
}
