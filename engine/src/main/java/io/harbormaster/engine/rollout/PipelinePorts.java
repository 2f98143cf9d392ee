package io.harbormaster.engine.rollout;

import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.policy.PersonDirectory;
import io.harbormaster.engine.policy.PolicyStore;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.risk.RiskScorer;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Everything outside the engine that the pipeline talks to, each behind a port the engine owns.
 *
 * @param people who has an email address that CI names a change's author (or a deploy's requester) by, when
 *     {@code people:} does not say
 */
public record PipelinePorts(
        DeployStore deploys,
        BuildCatalog builds,
        PolicyStore policies,
        IncidentStore incidents,
        AuditLog audit,
        Cluster cluster,
        MetricsSource metrics,
        DeployEvents events,
        Notifier notifier,
        RiskScorer risk,
        Supplier<ServiceCatalog> catalog,
        Clock clock,
        PersonDirectory people) {}
