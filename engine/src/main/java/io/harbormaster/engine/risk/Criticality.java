package io.harbormaster.engine.risk;

/** How much the business depends on a service, from the service catalog. */
public enum Criticality {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL
}
