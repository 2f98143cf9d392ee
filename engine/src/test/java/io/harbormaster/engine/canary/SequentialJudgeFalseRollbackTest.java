package io.harbormaster.engine.canary;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.canary.bench.Fault;
import io.harbormaster.engine.canary.bench.FixedSchedule;
import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The sequential judge, looking after every interval for the longest schedule (54 looks), rolls back few enough
 * seeded healthy canaries: at most its alpha. Fixed seeds, so the outcome is deterministic.
 */
class SequentialJudgeFalseRollbackTest {
    static final int SIMULATIONS = 1000;

    @Test
    void looksAfterEveryIntervalRollBackNoMoreHealthyCanariesThanAlpha() {
        SequentialPolicy policy = SequentialPolicy.defaults();
        Scenario healthy = new Scenario("healthy", 200, 0.005, 0.35, false, false, false, Fault.NONE);
        AtomicInteger rollbacks = new AtomicInteger();
        IntStream.range(0, SIMULATIONS).parallel().forEach(run -> {
            List<IntervalSample> stream = FixedSchedule.stream(new TrafficGenerator(healthy, 0, 1000L + run));
            var judge = new SequentialJudge(policy);
            for (IntervalSample s : stream) {
                judge.observe(s);
                if (judge.regression().isPresent()) {
                    rollbacks.incrementAndGet();
                    return;
                }
            }
        });
        double rate = (double) rollbacks.get() / SIMULATIONS;
        assertTrue(rate <= policy.alpha(), "false rollback rate " + rate + " over alpha " + policy.alpha());
    }
}
