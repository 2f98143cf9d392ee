package io.harbormaster.engine.policy;

/** How much a service matters; higher criticality raises the risk score. */
public enum Criticality {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL
}
