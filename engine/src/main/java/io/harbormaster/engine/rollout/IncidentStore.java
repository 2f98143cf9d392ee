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

    /** A service's incidents opened at or after {@code since}, newest first. */
    List<Incident> recent(String service, Instant since);
}
