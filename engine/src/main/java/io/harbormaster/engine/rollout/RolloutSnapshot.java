package io.harbormaster.engine.rollout;

import java.util.Objects;
import java.util.Optional;

/** What of a rollout exists in the cluster now: what a restarted engine reads before it resumes or rolls back. */
public record RolloutSnapshot(
        StableDeployment stable, Optional<TrackDeployment> canary, Optional<TrackDeployment> baseline) {
    public RolloutSnapshot {
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(baseline, "baseline");
    }

    /** Whether a canary or a baseline is still there (a rollout was started and not finished). */
    public boolean inProgress() {
        return canary.isPresent() || baseline.isPresent();
    }
}
