package io.harbormaster.engine.risk;

/** An always-escalate rule: a named function from a deploy's input to a pass or an escalation with its reason. */
public interface EscalationRule {
    /** The rule's name, as it appears in the audit log. */
    String name();

    /** Applies the rule. */
    RuleOutcome check(RiskInput input);

    /** A rule from a name and a function. */
    static EscalationRule of(String name, java.util.function.Function<RiskInput, RuleOutcome> check) {
        return new EscalationRule() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RuleOutcome check(RiskInput input) {
                return check.apply(input);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
