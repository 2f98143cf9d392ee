package io.harbormaster.engine.rollout;

import java.util.Objects;

/** A canary or baseline Deployment as the cluster has it now. */
public record TrackDeployment(Track track, String name, String image, int replicas, int readyReplicas) {
    public TrackDeployment {
        Objects.requireNonNull(track, "track");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
    }
}
