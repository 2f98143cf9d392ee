package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.rollout.DeployState;
import java.time.Instant;

/**
 * What the messages show of a deploy.
 *
 * @param requesterId the Slack user id of whoever asked (or a name for CI requests)
 * @param stateLine the current state in words, shown under the title of the parent message
 * @param updatedAt when the deploy last changed state (for a finished deploy: when it ended)
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
        Instant updatedAt) {}
