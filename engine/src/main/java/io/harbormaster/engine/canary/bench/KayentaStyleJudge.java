package io.harbormaster.engine.canary.bench;

import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryScore;
import io.harbormaster.engine.canary.CanaryScorer;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.MannWhitneyPolicy;
import io.harbormaster.engine.canary.ScoringPolicy;
import java.util.List;

/**
 * Baseline: Kayenta's fixed-horizon judge. At the end of each 3 min step, Mann-Whitney over the step's intervals
 * (tolerance 0.25, confidence 0.98) and the scorer; a failing score rolls back, the last step must pass.
 */
public final class KayentaStyleJudge {
    private KayentaStyleJudge() {}

    public static RunOutcome judge(List<IntervalSample> stream) {
        int per = FixedSchedule.INTERVALS_PER_STEP;
        for (int step = 0; step < FixedSchedule.WEIGHTS.length; step++) {
            List<IntervalSample> samples = stream.subList(step * per, (step + 1) * per);
            CanaryScore score = CanaryScorer.score(
                    CanaryAnalysis.compareStep(samples, MannWhitneyPolicy.defaults()), ScoringPolicy.defaults());
            double at = (step + 1) * per * FixedSchedule.INTERVAL_SECONDS;
            boolean last = step == FixedSchedule.WEIGHTS.length - 1;
            switch (score.outcome()) {
                case FAIL -> {
                    return new RunOutcome(RunOutcome.Decision.ROLLBACK, at);
                }
                case NODATA -> {
                    return new RunOutcome(RunOutcome.Decision.PAUSE, at);
                }
                case MARGINAL -> {
                    if (last) {
                        return new RunOutcome(RunOutcome.Decision.ROLLBACK, at);
                    }
                }
                case PASS -> {}
            }
        }
        return new RunOutcome(RunOutcome.Decision.PROMOTE, FixedSchedule.END_SECONDS);
    }
}
