package io.harbormaster.engine.risk;

import java.util.List;

/** What risk scoring decided for a deploy. */
public sealed interface RiskDecision {
    /** Low risk and no rule fired: the deploy proceeds without a human. */
    record Proceed() implements RiskDecision {}

    /** A human must approve, for these reasons (rules first, then the score if it is over the threshold). */
    record Escalate(List<String> reasons) implements RiskDecision {
        public Escalate {
            reasons = List.copyOf(reasons);
        }
    }
}
