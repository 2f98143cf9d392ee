package io.harbormaster.engine.rollout;

import java.time.Instant;

/** One state change of a deploy, with who made it and why. */
public record Transition(
        long deployId, int ordinal, DeployState from, DeployState to, String actor, String reason, Instant at) {}
