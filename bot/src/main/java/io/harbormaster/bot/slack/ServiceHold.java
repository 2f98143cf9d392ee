package io.harbormaster.bot.slack;

import io.harbormaster.engine.policy.DependencyIncident;
import java.time.Instant;
import java.util.List;
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
 * @param people the Slack members {@code reason} names (who asked for the rollback behind a block or an incident),
 *     shown as mentions
 */
public record ServiceHold(
        String service,
        Kind kind,
        String reason,
        Optional<String> by,
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<DependencyIncident> incident,
        List<String> people) {
    public enum Kind {
        LOCK,
        AUTO_DEPLOY_BLOCK,
        FREEZE,
        DEPENDENCY_INCIDENT
    }

    public ServiceHold {
        people = List.copyOf(people);
    }

    /** A hold that is not a dependency's incident, whose reason names no one. */
    public ServiceHold(
            String service,
            Kind kind,
            String reason,
            Optional<String> by,
            Optional<Instant> since,
            Optional<Instant> until) {
        this(service, kind, reason, by, since, until, Optional.empty(), List.of());
    }

    /** The same hold, its reason naming {@code people}. */
    public ServiceHold naming(List<String> people) {
        return new ServiceHold(service, kind, reason, by, since, until, incident, people);
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
                Optional.of(incident),
                incident.people());
    }
}
