package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.canary.Evidence;
import java.util.Optional;

/**
 * What the channel learns about an automatic rollback.
 *
 * @param trigger the evidence that fired: metric, baseline and canary values, effect estimate and interval
 * @param incidentId the incident record opened for it
 * @param threadLink a permalink to the deploy's thread
 * @param blockedUntil when automatic deploys of the service may start again
 */
public record RollbackNotice(
        long deployId,
        String service,
        String version,
        String environment,
        Evidence trigger,
        Optional<String> incidentId,
        Optional<String> threadLink,
        java.time.Instant blockedUntil) {}
