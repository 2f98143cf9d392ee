package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.List;

/**
 * One state change of a deploy, with who made it and why.
 *
 * @param people who {@code reason} names besides {@code actor} (a lock's holder in a blocked preflight, who asked for
 *     the rollback behind an automatic-deploy block): plain text for the log, people for those who show it
 */
public record Transition(
        long deployId,
        int ordinal,
        DeployState from,
        DeployState to,
        String actor,
        String reason,
        Instant at,
        List<String> people) {
    public Transition {
        people = List.copyOf(people);
    }

    /** A transition whose reason names no one but, perhaps, its actor. */
    public Transition(
            long deployId, int ordinal, DeployState from, DeployState to, String actor, String reason, Instant at) {
        this(deployId, ordinal, from, to, actor, reason, at, List.of());
    }
}
