package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One state change of one deploy, as other systems see it on {@code deploy.events}. Its JSON form is
 * {@link DeployEventJson}'s (schema version {@value DeployEventJson#SCHEMA_VERSION}).
 *
 * @param deployId the deploy
 * @param sequence the change's place within the deploy: 0 for its request, then the ordinal of each transition (1, 2,
 *     ...); {@code (deployId, sequence)} is the event's id, which consumers order and de-duplicate by (delivery on
 *     Kafka is at least once)
 * @param from the state before, empty for the deploy's first event
 * @param to the state after
 * @param step the canary step after the change (0 before the canary starts)
 * @param actor who made the change: a user id, or {@code engine}
 * @param reason why, in a sentence
 */
public record DeployEvent(
        long deployId,
        int sequence,
        String service,
        String version,
        String environment,
        Optional<DeployState> from,
        DeployState to,
        int step,
        String actor,
        String reason,
        Instant at) {

    public DeployEvent {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(from, "from (use Optional.empty())");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }

    /** The deploy's first event (sequence 0): {@code request} was accepted and created {@code deploy}. */
    public static DeployEvent requested(Deploy deploy, DeployRequest request) {
        return of(
                deploy,
                new Transition(
                        deploy.id(),
                        0,
                        null,
                        DeployState.REQUESTED,
                        request.requestedBy(),
                        "requested from " + request.source().name().toLowerCase(java.util.Locale.ROOT),
                        request.receivedAt()));
    }

    /** The event for a transition the store recorded on {@code deploy} (the deploy as it is after the change). */
    public static DeployEvent of(Deploy deploy, Transition transition) {
        if (deploy.id() != transition.deployId()) {
            throw new IllegalArgumentException(
                    "transition of deploy " + transition.deployId() + " given with deploy " + deploy.id());
        }
        return new DeployEvent(
                deploy.id(),
                transition.ordinal(),
                deploy.service(),
                deploy.version(),
                deploy.environment(),
                Optional.ofNullable(transition.from()),
                transition.to(),
                deploy.step(),
                transition.actor(),
                transition.reason(),
                transition.at());
    }
}
