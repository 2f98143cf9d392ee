package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.rollout.Incident;
import java.util.List;

/**
 * A past incident as an approval request lists it, with the Slack members its summary may name (who asked for the
 * rollback that opened it), shown as mentions rather than as raw member ids.
 */
public record PastIncidentView(Incident incident, List<String> people) {
    public PastIncidentView {
        people = List.copyOf(people);
    }
}
