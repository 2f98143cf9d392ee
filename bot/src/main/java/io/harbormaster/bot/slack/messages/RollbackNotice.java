package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.JudgedWindow;
import io.harbormaster.engine.rollout.RollbackCause;
import java.util.List;
import java.util.Optional;

/**
 * What the channel learns about a rollback.
 *
 * @param trigger the evidence that fired: metric, baseline and canary values, effect estimate and interval; empty when
 *     no metric tripped (a person asked for the rollback, the canary's pods never became ready)
 * @param alongside the rest of what the analysis had when it decided (the judges' running figures): the values of
 *     the tripped metric when its own evidence is a test statistic without them
 * @param judged the stretch of the canary the trigger was judged on, when known
 * @param reason why it was rolled back, in words (the pipeline's reason)
 * @param requestedBy who asked for it and how, when a person did ({@code /deploy rollback}, or a paused canary's Roll
 *     back button)
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
        List<Evidence> alongside,
        Optional<JudgedWindow> judged,
        String reason,
        Optional<RollbackCause.Requested> requestedBy,
        Optional<String> incidentId,
        Optional<String> threadLink,
        java.time.Instant blockedUntil) {

    /** An automatic rollback on {@code trigger}'s evidence alone, judged over a window not known. */
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
                List.of(),
                Optional.empty(),
                trigger.reason(),
                Optional.empty(),
                incidentId,
                threadLink,
                blockedUntil);
    }
}
