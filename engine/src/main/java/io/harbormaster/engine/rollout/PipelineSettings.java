package io.harbormaster.engine.rollout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the pipeline behaves, from configuration.
 *
 * @param owner this engine's name in leases (unique per replica)
 * @param lease how long a lease lasts without renewal; another replica takes over a deploy after that
 * @param approvalTimeout how long an escalated deploy waits for approvers
 * @param autoDeployBlock how long automatic deploys of a service are blocked after a rollback
 * @param incidentBlock how long, at most, an open incident of a service holds back the deploys of the services that
 *     depend on it (preflight's "dependencies healthy"); resolving it, by hand or by a promotion, ends that sooner
 * @param readinessTimeout how long canary and baseline pods may take to become ready before the canary is rolled back
 * @param incidentLookback how far back "recent rollbacks and incidents" reach for risk scoring
 * @param engineVersion written into every audit entry
 * @param policyVersions what is written into every audit entry as its policy version (a hash or version of
 *     harbormaster.yml): asked at each entry, so that a configuration reloaded while the engine runs is named by the
 *     entries written under it ({@link #policyVersion()})
 * @param environment the one environment this engine deploys to: every rollout goes to the services' Deployments in
 *     this engine's cluster, so a request that names another environment is refused before anything starts
 */
public record PipelineSettings(
        String owner,
        Duration lease,
        Duration approvalTimeout,
        Duration autoDeployBlock,
        Duration incidentBlock,
        Duration readinessTimeout,
        Duration incidentLookback,
        String engineVersion,
        Supplier<String> policyVersions,
        String environment) {

    public PipelineSettings {
        Objects.requireNonNull(policyVersions, "policyVersions");
    }

    /** Settings whose policy version never changes (a configuration read once). */
    public PipelineSettings(
            String owner,
            Duration lease,
            Duration approvalTimeout,
            Duration autoDeployBlock,
            Duration incidentBlock,
            Duration readinessTimeout,
            Duration incidentLookback,
            String engineVersion,
            String policyVersion,
            String environment) {
        this(
                owner,
                lease,
                approvalTimeout,
                autoDeployBlock,
                incidentBlock,
                readinessTimeout,
                incidentLookback,
                engineVersion,
                () -> policyVersion,
                environment);
    }

    /** The policy version in force now: what an audit entry written now carries. */
    public String policyVersion() {
        return policyVersions.get();
    }

    /** The environment an instance deploys to when its configuration names none. */
    public static final String DEFAULT_ENVIRONMENT = "production";

    public static PipelineSettings defaults(String owner) {
        return new PipelineSettings(
                owner,
                Duration.ofSeconds(30),
                Duration.ofHours(4),
                Duration.ofHours(1),
                Duration.ofHours(1),
                Duration.ofMinutes(5),
                Duration.ofDays(30),
                "harbormaster-0.1.0",
                "unversioned",
                DEFAULT_ENVIRONMENT);
    }
}
