package io.harbormaster.engine.rollout;

import java.time.Instant;

/** A build CI announced: the image to deploy and the change metadata the risk scorer reads. */
public record AnnouncedBuild(
        String service,
        String version,
        String image,
        String commitSha,
        String buildId,
        String ciStatus,
        String changeJson,
        Instant announcedAt) {}
