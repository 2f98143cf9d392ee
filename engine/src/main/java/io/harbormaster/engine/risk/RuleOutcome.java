package io.harbormaster.engine.risk;

/**
 * What one always-escalate rule says about a deploy: nothing to add, a human must look (and why), or something the
 * people around the deploy should read although it does not escalate.
 */
public sealed interface RuleOutcome {
    /** The rule found nothing. */
    record Pass(String rule) implements RuleOutcome {}

    /** The rule requires a human approval, for the reason given. */
    record Escalate(String rule, String reason) implements RuleOutcome {}

    /** The rule does not escalate, but found what the deploy's thread must say (scored as usual). */
    record Note(String rule, String text) implements RuleOutcome {}

    /** A pass, named after the rule. */
    static RuleOutcome pass(String rule) {
        return new Pass(rule);
    }
}
