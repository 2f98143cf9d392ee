package io.harbormaster.engine.risk;

import java.util.List;

/** The result of parsing a deploy's risk input: either a valid input or every problem found, in words. */
public sealed interface ParsedInput {
    /** The input was valid (possibly after documented conservative defaults, listed in its assumptions). */
    record Valid(RiskInput input) implements ParsedInput {}

    /** The input was refused; each problem says what is wrong and what to send instead. */
    record Invalid(List<String> problems) implements ParsedInput {
        public Invalid {
            problems = List.copyOf(problems);
        }
    }
}
