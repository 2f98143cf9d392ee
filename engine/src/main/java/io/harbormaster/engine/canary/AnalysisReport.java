package io.harbormaster.engine.canary;

import java.util.List;

/**
 * A replayed canary: the final verdict, the interval-by-interval timeline that led to it, and whether the latency
 * judges still used the noise history they started from at the end (false when there was none).
 */
public record AnalysisReport(Verdict verdict, List<TimelineEntry> timeline, boolean latencyHistoryKept) {

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
