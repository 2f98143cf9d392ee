package io.harbormaster.engine.risk;

import io.harbormaster.engine.policy.Criticality;
import java.time.DayOfWeek;
import java.util.Optional;

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
 * @param automatic whether CI asked for the deploy (not a person)
 * @param versionRolledBack when this very version was rolled back before on what it did (a metric, a hard trigger, its
 *     pods never ready), that rollback in words: which deploy, when, the incident and what tripped
 */
public record DeployContext(
        Criticality criticality,
        int recentRollbacks,
        int recentIncidents,
        int dependents,
        DayOfWeek dayOfWeek,
        int hour,
        CiStatus ciStatus,
        boolean automatic,
        Optional<String> versionRolledBack) {

    public DeployContext {
        if (recentRollbacks < 0 || recentIncidents < 0 || dependents < 0 || hour < 0 || hour > 23) {
            throw new IllegalArgumentException("deploy context out of range");
        }
        java.util.Objects.requireNonNull(versionRolledBack, "versionRolledBack");
    }

    /** A context of a person's deploy of a version never rolled back. */
    public DeployContext(
            Criticality criticality,
            int recentRollbacks,
            int recentIncidents,
            int dependents,
            DayOfWeek dayOfWeek,
            int hour,
            CiStatus ciStatus) {
        this(
                criticality,
                recentRollbacks,
                recentIncidents,
                dependents,
                dayOfWeek,
                hour,
                ciStatus,
                false,
                Optional.empty());
    }

    /** A context that neither raises nor lowers risk: a medium service, quiet history, Tuesday late morning. */
    public static DeployContext neutral() {
        return new DeployContext(Criticality.MEDIUM, 0, 0, 0, DayOfWeek.TUESDAY, 11, CiStatus.GREEN);
    }
}
