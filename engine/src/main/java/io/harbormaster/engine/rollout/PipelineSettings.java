package io.harbormaster.engine.rollout;

import java.time.Duration;

/**
 * How the pipeline behaves, from configuration.
 *
 * @param owner this engine's name in leases (unique per replica)
 * @param lease how long a lease lasts without renewal; another replica takes over a deploy after that
 * @param approvalTimeout how long an escalated deploy waits for approvers
 * @param autoDeployBlock how long automatic deploys of a service are blocked after a rollback
 * @param readinessTimeout how long canary and baseline pods may take to become ready before the canary is rolled back
 * @param incidentLookback how far back "recent rollbacks and incidents" reach for risk scoring
 * @param engineVersion written into every audit entry
 * @param policyVersion written into every audit entry (a hash or version of harbormaster.yml)
 * @param environment the one environment this engine deploys to: every rollout goes to the services' Deployments in
 *     this engine's cluster, so a request that names another environment is refused before anything starts
 */
public record PipelineSettings(
        String owner,
        Duration lease,
        Duration approvalTimeout,
        Duration autoDeployBlock,
        Duration readinessTimeout,
        Duration incidentLookback,
        String engineVersion,
        String policyVersion,
        String environment) {

    /** The environment an instance deploys to when its configuration names none. */
    public static final String DEFAULT_ENVIRONMENT = "production";

    public static PipelineSettings defaults(String owner) {
        return new PipelineSettings(
                owner,
                Duration.ofSeconds(30),
                Duration.ofHours(4),
                Duration.ofHours(1),
                Duration.ofMinutes(5),
                Duration.ofDays(30),
                "harbormaster-0.1.0",
                "unversioned",
                DEFAULT_ENVIRONMENT);
    }
}
