package io.harbormaster.engine.intake;

import java.util.List;
import java.util.stream.Collectors;

/** A CI deploy request parsed into a typed value, or refused with every problem found. */
public sealed interface ParseResult {

    /** The message is a valid deploy request. */
    record Parsed(CiDeployRequest request) implements ParseResult {}

    /** The message is not a valid deploy request; nothing may be done with it but report it. */
    record Refused(List<Problem> problems) implements ParseResult {
        public Refused {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("a refusal needs at least one problem");
            }
        }

        /** All problems in one line each, prefixed with what was refused: fit for a log, a DLQ header, a reply. */
        public String message() {
            return problems.size() == 1
                    ? "deploy request refused: " + problems.getFirst()
                    : "deploy request refused, " + problems.size() + " problems: "
                            + problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
        }
    }
}
