package io.harbormaster.engine.rollout;

/** What became of a person's {@code /deploy resolve} of an incident. */
public sealed interface IncidentResolution {
    /** Resolved now (and audited as {@code incident.resolved}). */
    record Resolved(Incident incident) implements IncidentResolution {}

    /** It was resolved before, by whoever or whatever its resolution names: nothing new was recorded. */
    record AlreadyResolved(Incident incident) implements IncidentResolution {}

    /** Not allowed (audited as {@code resolve.refused}): the reason says who may. */
    record Refused(String reason) implements IncidentResolution {}

    /** There is no incident with that number. */
    record NotFound(String reason) implements IncidentResolution {}
}
