package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.SimilarIncident;
import java.util.List;

/**
 * A past incident as an approval request lists it, with the Slack members its summary may name (who asked for the
 * rollback that opened it), shown as mentions rather than as raw member ids, and what the change shares with the
 * version it rolled back ({@code shared}, why it is shown, its names apart from its words: empty when it is one of the
 * service's latest only).
 */
public record PastIncidentView(Incident incident, List<String> people, List<SimilarIncident.Shared> shared) {
    public PastIncidentView {
        people = List.copyOf(people);
        shared = List.copyOf(shared);
    }

    /** One shown as one of the service's latest, sharing nothing with the change. */
    public PastIncidentView(Incident incident, List<String> people) {
        this(incident, people, List.of());
    }
}
