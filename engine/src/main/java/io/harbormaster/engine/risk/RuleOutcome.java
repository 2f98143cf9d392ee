package io.harbormaster.engine.risk;

/** What one always-escalate rule says about a deploy: nothing to add, or a human must look, and why. */
public sealed interface RuleOutcome {
    /** The rule found nothing. */
    record Pass(String rule) implements RuleOutcome {}

    /** The rule requires a human approval, for the reason given. */
    record Escalate(String rule, String reason) implements RuleOutcome {}

    /** A pass, named after the rule. */
    static RuleOutcome pass(String rule) {
        return new Pass(rule);
    }
}
