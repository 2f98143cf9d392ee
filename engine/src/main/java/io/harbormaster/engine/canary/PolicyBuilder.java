package io.harbormaster.engine.canary;

import java.util.List;

/**
 * A canary policy with a few settings changed: copy one, change fields, build. The one place besides the record that
 * lists every setting, so that a new one is added here and nowhere else ({@link CanaryPolicy}'s withers, the tests).
 */
final class PolicyBuilder {
    long intervalSeconds;
    List<CanaryStep> steps;
    long minStepSeconds;
    long minPromoteSeconds;
    long lastStepAfterSeconds;
    long promoteBySeconds;
    double holdErrorZ;
    double holdLatencyT;
    double escalateEValue;
    long closingTestSeconds;
    double closingAlpha;
    long maxNoDataSeconds;
    HardTriggerPolicy hardTriggers;
    MannWhitneyPolicy mannWhitney;
    ScoringPolicy scoring;
    SequentialPolicy sequential;

    static PolicyBuilder from(CanaryPolicy p) {
        var b = new PolicyBuilder();
        b.intervalSeconds = p.intervalSeconds();
        b.steps = p.steps();
        b.minStepSeconds = p.minStepSeconds();
        b.minPromoteSeconds = p.minPromoteSeconds();
        b.lastStepAfterSeconds = p.lastStepAfterSeconds();
        b.promoteBySeconds = p.promoteBySeconds();
        b.holdErrorZ = p.holdErrorZ();
        b.holdLatencyT = p.holdLatencyT();
        b.escalateEValue = p.escalateEValue();
        b.closingTestSeconds = p.closingTestSeconds();
        b.closingAlpha = p.closingAlpha();
        b.maxNoDataSeconds = p.maxNoDataSeconds();
        b.hardTriggers = p.hardTriggers();
        b.mannWhitney = p.mannWhitney();
        b.scoring = p.scoring();
        b.sequential = p.sequential();
        return b;
    }

    static PolicyBuilder defaults() {
        return from(CanaryPolicy.defaults());
    }

    CanaryPolicy build() {
        return new CanaryPolicy(
                intervalSeconds,
                steps,
                minStepSeconds,
                minPromoteSeconds,
                lastStepAfterSeconds,
                promoteBySeconds,
                holdErrorZ,
                holdLatencyT,
                escalateEValue,
                closingTestSeconds,
                closingAlpha,
                maxNoDataSeconds,
                hardTriggers,
                mannWhitney,
                scoring,
                sequential);
    }
}
