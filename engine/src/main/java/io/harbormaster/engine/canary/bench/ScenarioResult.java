package io.harbormaster.engine.canary.bench;

import java.util.Map;

/** Every judge's figures on one scenario, keyed by judge name in table order. */
public record ScenarioResult(Scenario scenario, Map<String, JudgeFigures> judges) {}
