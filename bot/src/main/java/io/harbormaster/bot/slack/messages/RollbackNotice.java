package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.canary.Evidence;
import java.util.Optional;

/**
 * What the channel learns about a rollback.
 *
 * @param trigger the evidence that fired: metric, baseline and canary values, effect estimate and interval; empty when
 *     no metric tripped (a person asked for the rollback, the canary's pods never became ready)
 * @param reason why it was rolled back, in words (the pipeline's reason)
 * @param requestedBy who asked for it, when a person did ({@code /deploy rollback})
 * @param incidentId the incident record opened for it
 * @param threadLink a permalink to the deploy's thread
 * @param blockedUntil when automatic deploys of the service may start again
 */
public record RollbackNotice(
        long deployId,
        String service,
        String version,
        String environment,
        Optional<Evidence> trigger,
        String reason,
        Optional<String> requestedBy,
        Optional<String> incidentId,
        Optional<String> threadLink,
        java.time.Instant blockedUntil) {

    /** An automatic rollback on {@code trigger}'s evidence. */
    public RollbackNotice(
            long deployId,
            String service,
            String version,
            String environment,
            Evidence trigger,
            Optional<String> incidentId,
            Optional<String> threadLink,
            java.time.Instant blockedUntil) {
        this(
                deployId,
                service,
                version,
                environment,
                Optional.of(trigger),
                trigger.reason(),
                Optional.empty(),
                incidentId,
                threadLink,
                blockedUntil);
    }
}
