package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The engine's port to incidents. */
public interface IncidentStore {
    Incident open(
            OptionalLong deployId,
            String service,
            String version,
            String metric,
            String summary,
            String hypothesis,
            Instant at);

    /**
     * Resolves the incident if it is still open, once: {@code beforeResolving} (its audit entry) runs first, while the
     * incident's row is held, and only when this call resolves it, so that of two resolutions at the same moment (a
     * promotion and a person, two people, two replicas) one is audited and stored and the other finds it resolved.
     * Returns the incident as it is afterwards (resolved now or before, which the caller tells by whether {@code
     * beforeResolving} ran), or empty when there is no such incident.
     */
    Optional<Incident> resolve(long incidentId, String resolution, Instant at, Runnable beforeResolving);

    /** Replaces the incident's hypothesis (the advisor's, written after the rollback) and returns the incident. */
    Incident hypothesize(long incidentId, String hypothesis);

    /** A service's incidents opened at or after {@code since}, newest first. */
    List<Incident> recent(String service, Instant since);

    /** A service's latest {@code limit} incidents, however old, newest first: a bounded read. */
    default List<Incident> latest(String service, int limit) {
        return recent(service, Instant.EPOCH).stream().limit(limit).toList();
    }

    /** The incidents of one version of a service, however old, newest first. */
    default List<Incident> ofVersion(String service, String version) {
        return recent(service, Instant.EPOCH).stream()
                .filter(i -> i.version().equals(version))
                .toList();
    }

    /** The incident with this number, if there is one. */
    Optional<Incident> find(long incidentId);

    /** A service's incidents that nobody (and no promotion) has resolved, however old, oldest first. */
    List<Incident> unresolved(String service);
}
