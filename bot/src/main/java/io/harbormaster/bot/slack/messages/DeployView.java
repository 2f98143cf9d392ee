package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.rollout.DeployState;
import java.time.Instant;
import java.util.List;

/**
 * What the messages show of a deploy.
 *
 * @param requesterId the Slack user id of whoever asked (or a name for CI requests)
 * @param stateLine the current state in words, shown under the title of the parent message
 * @param updatedAt when the deploy last changed state (for a finished deploy: when it ended)
 * @param people the Slack members the state line names (who made the deploy's last move), shown as mentions
 */
public record DeployView(
        long deployId,
        String service,
        String version,
        String environment,
        String requesterId,
        DeployState state,
        String stateLine,
        boolean emergency,
        Instant updatedAt,
        List<String> people) {
    public DeployView {
        people = List.copyOf(people);
    }

    /** A view whose state line names no one. */
    public DeployView(
            long deployId,
            String service,
            String version,
            String environment,
            String requesterId,
            DeployState state,
            String stateLine,
            boolean emergency,
            Instant updatedAt) {
        this(deployId, service, version, environment, requesterId, state, stateLine, emergency, updatedAt, List.of());
    }
}
