package io.harbormaster.engine.risk;

import java.util.List;
import java.util.Set;

/**
 * Everything risk scoring looks at for one deploy request, parsed and validated once.
 *
 * @param service the service being deployed
 * @param version the version (image tag)
 * @param announced whether a CI build announced this version (if not, nothing is known about the change)
 * @param metrics the change's just-in-time metrics
 * @param filesTouched paths of the files the change touches, relative to the repository root
 * @param dependencies the services the new version talks to
 * @param catalogDependencies the dependencies the service catalog lists for the service
 * @param context when and where it is deployed
 * @param assumptions conservative defaults that were applied for missing inputs, in words
 */
public record RiskInput(
        String service,
        String version,
        boolean announced,
        ChangeMetrics metrics,
        List<String> filesTouched,
        Set<String> dependencies,
        Set<String> catalogDependencies,
        DeployContext context,
        List<String> assumptions) {

    public RiskInput {
        filesTouched = List.copyOf(filesTouched);
        dependencies = Set.copyOf(dependencies);
        catalogDependencies = Set.copyOf(catalogDependencies);
        assumptions = List.copyOf(assumptions);
    }

    /** An announced change with the given metrics in a neutral context (for backtests and tests). */
    public static RiskInput ofMetrics(ChangeMetrics metrics) {
        return new RiskInput(
                "unnamed", "0", true, metrics, List.of(), Set.of(), Set.of(), DeployContext.neutral(), List.of());
    }
}
