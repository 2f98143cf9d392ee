package io.harbormaster.bot.slack;

import io.harbormaster.engine.policy.DependencyIncident;
import java.time.Instant;
import java.util.Optional;

/**
 * Something that holds a service's deploys back now, for {@code /deploy status}: a lock (every deploy), an automatic
 * deploy block after a rollback (CI's deploys), a change freeze (every deploy but an emergency), or an open incident
 * of a service it depends on (every deploy but an emergency, until the incident is resolved or its time is up).
 *
 * @param by the Slack member who set it, where a person did
 * @param since when it began, where known
 * @param until when it ends by itself; empty for a lock, which lasts until it is lifted
 * @param incident for {@link Kind#DEPENDENCY_INCIDENT}, the dependency's incident that holds the service back
 */
public record ServiceHold(
        String service,
        Kind kind,
        String reason,
        Optional<String> by,
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<DependencyIncident> incident) {
    public enum Kind {
        LOCK,
        AUTO_DEPLOY_BLOCK,
        FREEZE,
        DEPENDENCY_INCIDENT
    }

    /** A hold that is not a dependency's incident. */
    public ServiceHold(
            String service,
            Kind kind,
            String reason,
            Optional<String> by,
            Optional<Instant> since,
            Optional<Instant> until) {
        this(service, kind, reason, by, since, until, Optional.empty());
    }

    /** {@code service} is held back by {@code incident}, an open incident of one of its dependencies. */
    public static ServiceHold dependencyIncident(String service, DependencyIncident incident) {
        return new ServiceHold(
                service,
                Kind.DEPENDENCY_INCIDENT,
                incident.summary(),
                Optional.empty(),
                Optional.of(incident.openedAt()),
                Optional.of(incident.holdsUntil()),
                Optional.of(incident));
    }
}
