package io.harbormaster.engine.policy;

import io.harbormaster.engine.canary.CanaryPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service of the catalog: where it runs, what it depends on, who approves its risky deploys, when it may be
 * deployed, how its canary is analysed, and where its notices go.
 *
 * @param escalatedCanary how the canary of a change its risk score escalated is analysed (by default
 *     {@link CanaryPolicy#cautious()} of {@code canary})
 * @param metricTemplates PromQL templates by metric name (requests, errors, p50, p99, restarts) that override the
 *     defaults for this service
 * @param deployerGroup the group whose members (with the approvers) may deploy, roll back, lock and unlock it from
 *     Slack; empty: anyone may
 * @param oncallChannel where every automatic rollback is also announced, besides the deploy's own channel; empty:
 *     only there
 * @param gatewayRoute the HTTPRoute whose weights divide its traffic during a canary; empty: traffic follows pods
 *     (replica ratio)
 */
public record ServiceSpec(
        String name,
        String namespace,
        String deployment,
        String container,
        Criticality criticality,
        List<Dependency> dependencies,
        String approverGroup,
        int requiredApprovals,
        List<DeployWindow> windows,
        CanaryPolicy canary,
        CanaryPolicy escalatedCanary,
        Map<String, String> metricTemplates,
        String channel,
        Optional<String> deployerGroup,
        Optional<String> oncallChannel,
        Optional<GatewayRoute> gatewayRoute) {

    public ServiceSpec {
        java.util.Objects.requireNonNull(gatewayRoute, "gatewayRoute");
        dependencies = List.copyOf(dependencies);
        windows = List.copyOf(windows);
        metricTemplates = Map.copyOf(metricTemplates);
        if (requiredApprovals < 1) {
            throw new IllegalArgumentException("a service needs at least one approval for escalated deploys");
        }
    }

    /**
     * The canary policy of a deploy: {@link #escalatedCanary()} for a change its risk score escalated (whether humans
     * approved it or it went as an emergency), {@link #canary()} otherwise. It depends only on what the deploy
     * recorded when it was scored, so every replica, and every replay after a restart, judges it by the same policy.
     */
    public CanaryPolicy canaryFor(boolean escalated) {
        return escalated ? escalatedCanary : canary;
    }

    /** Whether this service may be deployed at {@code at}: always when it declares no window. */
    public boolean inWindow(java.time.Instant at) {
        return windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(at));
    }

    public Optional<Dependency> dependency(String service) {
        return dependencies.stream().filter(d -> d.service().equals(service)).findFirst();
    }
}
