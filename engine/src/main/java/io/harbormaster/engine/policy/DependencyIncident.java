package io.harbormaster.engine.policy;

import java.time.Instant;
import java.util.List;

/**
 * An open incident of a service that the deployed one depends on, as preflight weighs it: it holds the dependent's
 * deploys back until someone resolves it (an approver of the dependency by hand, or a promoted deploy of the
 * dependency), and at most until {@code holdsUntil}, its opening plus {@code defaults.incident_block}. An emergency
 * deploy goes ahead despite it.
 *
 * @param service the dependency the incident is of
 * @param incidentId the incident's number, as {@code /deploy resolve} takes it
 * @param openedAt when it was opened (the rollback)
 * @param holdsUntil when it stops holding deploys back if nobody resolves it
 * @param summary what happened, as the incident records it (the rollback's reason)
 * @param resolvers the group whose members may resolve it by hand (the dependency's approvers)
 * @param people who {@code summary} names (who asked for the rollback that opened it)
 */
public record DependencyIncident(
        String service,
        long incidentId,
        Instant openedAt,
        Instant holdsUntil,
        String summary,
        String resolvers,
        List<String> people) {
    public DependencyIncident {
        people = List.copyOf(people);
    }

    /** An incident whose summary names no one. */
    public DependencyIncident(
            String service, long incidentId, Instant openedAt, Instant holdsUntil, String summary, String resolvers) {
        this(service, incidentId, openedAt, holdsUntil, summary, resolvers, List.of());
    }
}
