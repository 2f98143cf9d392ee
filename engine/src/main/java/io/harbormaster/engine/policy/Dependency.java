package io.harbormaster.engine.policy;

import java.util.Optional;

/** A service this one calls, and the minimum version of it that this one needs, if any. */
public record Dependency(String service, Optional<String> minVersion) {}
