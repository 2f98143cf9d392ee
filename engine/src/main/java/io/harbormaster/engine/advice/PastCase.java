package io.harbormaster.engine.advice;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * A past deploy or incident as the advisor remembers it: a text to compare new changes and incidents with, and how it
 * ended.
 *
 * @param kind a deploy or an incident
 * @param deployId the deploy (for an incident: the deploy that caused it)
 * @param incidentId the incident, for kind {@link Kind#INCIDENT}
 * @param service the service
 * @param version the version deployed
 * @param text what changed (and for an incident: what tripped), in words
 * @param outcome how it ended: promoted, rolled_back, failed; for an incident its resolution, or "unresolved"
 * @param at when it ended
 */
public record PastCase(
        Kind kind,
        long deployId,
        OptionalLong incidentId,
        String service,
        String version,
        String text,
        String outcome,
        Instant at) {

    /** A deploy or an incident. */
    public enum Kind {
        DEPLOY,
        INCIDENT
    }

    /** How people refer to it: "deploy #12" or "incident #3". */
    public String ref() {
        return kind == Kind.INCIDENT && incidentId.isPresent()
                ? "incident #" + incidentId.getAsLong()
                : "deploy #" + deployId;
    }
}
