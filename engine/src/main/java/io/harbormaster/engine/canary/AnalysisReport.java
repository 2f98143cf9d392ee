package io.harbormaster.engine.canary;

import java.util.List;

/** A replayed canary: the final verdict and the interval-by-interval timeline that led to it. */
public record AnalysisReport(Verdict verdict, List<TimelineEntry> timeline) {
    /** PROMOTE, ROLLBACK or PAUSE; a canary whose data ran out before a decision is PAUSE (a human decides). */
    public String decision() {
        return switch (verdict) {
            case Verdict.Promote p -> "PROMOTE";
            case Verdict.Rollback r -> "ROLLBACK";
            case Verdict.Pause p -> "PAUSE";
            case Verdict.Continue c -> "PAUSE";
        };
    }
}
