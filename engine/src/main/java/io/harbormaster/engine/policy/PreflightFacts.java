package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the preflight checks look at, gathered once before they run so that the checks themselves are pure.
 *
 * @param service the catalog entry of the service being deployed
 * @param version the version being deployed
 * @param automatic whether the deploy started without a human (a CI auto-deploy)
 * @param now the time of the check
 * @param lock the service's lock, if any
 * @param freezes the freezes (stored and configured) that cover the service now, as reasons
 * @param autoDeployBlock the block on automatic deploys in force, if any
 * @param conflicting other deploys in flight of this service or of a service it depends on, as "service version"
 * @param dependencyVersions the version each dependency runs now, where known
 * @param unhealthyDependencies dependencies that are not healthy now, with why (no stable Deployment, a rollback in
 *     progress): what holds every deploy back, an emergency one too
 * @param dependencyIncidents the open incidents of dependencies that hold deploys back now, oldest first: an emergency
 *     deploy goes ahead despite them
 */
public record PreflightFacts(
        ServiceSpec service,
        String version,
        boolean automatic,
        Instant now,
        Optional<ServiceLock> lock,
        List<String> freezes,
        Optional<AutoDeployBlock> autoDeployBlock,
        List<String> conflicting,
        Map<String, String> dependencyVersions,
        Map<String, String> unhealthyDependencies,
        List<DependencyIncident> dependencyIncidents) {

    public PreflightFacts {
        freezes = List.copyOf(freezes);
        conflicting = List.copyOf(conflicting);
        dependencyVersions = Map.copyOf(dependencyVersions);
        unhealthyDependencies = Map.copyOf(unhealthyDependencies);
        dependencyIncidents = List.copyOf(dependencyIncidents);
    }

    /** Facts with no open incident of a dependency. */
    public PreflightFacts(
            ServiceSpec service,
            String version,
            boolean automatic,
            Instant now,
            Optional<ServiceLock> lock,
            List<String> freezes,
            Optional<AutoDeployBlock> autoDeployBlock,
            List<String> conflicting,
            Map<String, String> dependencyVersions,
            Map<String, String> unhealthyDependencies) {
        this(
                service,
                version,
                automatic,
                now,
                lock,
                freezes,
                autoDeployBlock,
                conflicting,
                dependencyVersions,
                unhealthyDependencies,
                List.of());
    }

    /**
     * The same facts with {@code lock} as the service's lock: one taken after the locks were read, found by the claim
     * of the service's rollout that would have started the canary.
     */
    public PreflightFacts withLock(ServiceLock lock) {
        return new PreflightFacts(
                service,
                version,
                automatic,
                now,
                Optional.of(lock),
                freezes,
                autoDeployBlock,
                conflicting,
                dependencyVersions,
                unhealthyDependencies,
                dependencyIncidents);
    }

    /** The same facts without the open incidents of dependencies (what an emergency deploy is not held back by). */
    PreflightFacts withoutDependencyIncidents() {
        return new PreflightFacts(
                service,
                version,
                automatic,
                now,
                lock,
                freezes,
                autoDeployBlock,
                conflicting,
                dependencyVersions,
                unhealthyDependencies,
                List.of());
    }
}
