package io.harbormaster.engine.risk;

import io.harbormaster.engine.policy.Criticality;
import java.time.DayOfWeek;

/**
 * Where and when the change is being deployed.
 *
 * @param criticality the service's criticality from the catalog
 * @param recentRollbacks rollbacks of the service in the recent window (the last 30 days)
 * @param recentIncidents incidents of the service in the same window
 * @param dependents services that depend on this one
 * @param dayOfWeek the local day of the deploy
 * @param hour the local hour of the deploy, 0..23
 * @param ciStatus the build's CI status
 */
public record DeployContext(
        Criticality criticality,
        int recentRollbacks,
        int recentIncidents,
        int dependents,
        DayOfWeek dayOfWeek,
        int hour,
        CiStatus ciStatus) {

    public DeployContext {
        if (recentRollbacks < 0 || recentIncidents < 0 || dependents < 0 || hour < 0 || hour > 23) {
            throw new IllegalArgumentException("deploy context out of range");
        }
    }

    /** A context that neither raises nor lowers risk: a medium service, quiet history, Tuesday late morning. */
    public static DeployContext neutral() {
        return new DeployContext(Criticality.MEDIUM, 0, 0, 0, DayOfWeek.TUESDAY, 11, CiStatus.GREEN);
    }
}
