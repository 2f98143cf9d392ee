package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.List;
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

    Incident resolve(long incidentId, String resolution, Instant at);

    /** Replaces the incident's hypothesis (the advisor's, written after the rollback) and returns the incident. */
    Incident hypothesize(long incidentId, String hypothesis);

    /** A service's incidents opened at or after {@code since}, newest first. */
    List<Incident> recent(String service, Instant since);
}
