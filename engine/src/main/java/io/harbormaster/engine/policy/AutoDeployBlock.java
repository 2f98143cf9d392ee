package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.OptionalLong;

/** Automatic deploys of a service are blocked until a time, usually for an hour after a rollback. */
public record AutoDeployBlock(String service, Instant until, String reason, OptionalLong deployId) {}
