package io.harbormaster.engine.risk;

import java.util.List;

/**
 * The full outcome of scoring one deploy, ready for the approval thread and the audit log.
 *
 * @param service the service
 * @param version the version
 * @param score the risk score, 0..100 (the model's probability of a bad deploy, in percent)
 * @param threshold the threshold it was compared with
 * @param decision proceed or escalate, with the reasons
 * @param factors every factor with its contribution, largest effect first
 * @param bias the log-odds before any factor (the training base rate)
 * @param rules every always-escalate rule's outcome
 * @param assumptions conservative defaults applied for missing inputs
 * @param reasoning the decision in a few lines of words
 * @param model which model scored it
 */
public record RiskAssessment(
        String service,
        String version,
        double score,
        Threshold threshold,
        RiskDecision decision,
        List<Factor> factors,
        double bias,
        List<RuleOutcome> rules,
        List<String> assumptions,
        List<String> reasoning,
        RiskModelId model) {
    public RiskAssessment {
        factors = List.copyOf(factors);
        rules = List.copyOf(rules);
        assumptions = List.copyOf(assumptions);
        reasoning = List.copyOf(reasoning);
    }

    /** Whether a human must approve. */
    public boolean escalated() {
        return decision instanceof RiskDecision.Escalate;
    }
}
