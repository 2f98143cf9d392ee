package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Automatic deploys of a service are blocked until a time, usually for an hour after a rollback.
 *
 * @param people who {@code reason} names (who asked for the rollback behind it), as the deploy it came of has them
 */
public record AutoDeployBlock(
        String service, Instant until, String reason, OptionalLong deployId, List<String> people) {
    public AutoDeployBlock {
        people = List.copyOf(people);
    }

    /** A block whose people are not known (as stored: they are the people of its deploy, {@link #naming}). */
    public AutoDeployBlock(String service, Instant until, String reason, OptionalLong deployId) {
        this(service, until, reason, deployId, List.of());
    }

    /** The same block, naming {@code people}. */
    public AutoDeployBlock naming(List<String> people) {
        return new AutoDeployBlock(service, until, reason, deployId, people);
    }
}
