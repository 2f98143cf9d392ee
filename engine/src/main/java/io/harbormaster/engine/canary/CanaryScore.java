package io.harbormaster.engine.canary;

import java.util.List;

/** The scorer's result: a 0-100 score, what it means, and the critical metrics that failed. */
public record CanaryScore(double score, Outcome outcome, List<String> criticalFailures, String reason) {
    /** Pass (at or over the pass threshold), Marginal (at or over marginal), Fail (below, or a critical metric). */
    public enum Outcome {
        PASS,
        MARGINAL,
        FAIL,
        NODATA
    }
}
