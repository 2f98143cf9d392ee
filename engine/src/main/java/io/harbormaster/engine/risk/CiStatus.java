package io.harbormaster.engine.risk;

/** The state of the build's CI pipeline when the deploy is requested. */
public enum CiStatus {
    GREEN,
    FAILED,
    RUNNING,
    UNKNOWN
}
