package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.engine.rollout.Approval;
import java.util.List;
import java.util.Optional;

/**
 * The deploy desk of a build without the rollout pipeline: every request is answered, honestly, with "not wired",
 * and nothing is started. It lets {@code serve} run the real Slack front end (signatures, parsing, messages) today.
 */
public final class PipelineNotWired implements DeployDesk {
    static final String REASON = "The deploy pipeline is not wired in this build of Harbormaster: nothing was started."
            + " `/deploy help` and `/audit` work; deploys, rollbacks, locks and approvals do not yet.";

    @Override
    public RequestOutcome requestDeploy(
            DeployCommand.Deploy command, SlackUser requester, String channel, String idempotencyKey) {
        return new RequestOutcome.Refused(REASON);
    }

    @Override
    public List<DeployView> status(Optional<String> service) {
        return List.of();
    }

    @Override
    public ActionOutcome rollback(DeployCommand.Rollback command, SlackUser who, String channel, String key) {
        return new ActionOutcome.Refused(REASON);
    }

    @Override
    public ActionOutcome lock(DeployCommand.Lock command, SlackUser who, String channel) {
        return new ActionOutcome.Refused(REASON);
    }

    @Override
    public ActionOutcome unlock(DeployCommand.Unlock command, SlackUser who, String channel) {
        return new ActionOutcome.Refused(REASON);
    }

    @Override
    public DecisionOutcome decide(long deployId, SlackUser clicker, Approval.Decision decision, String key) {
        return new DecisionOutcome.Refused(REASON);
    }
}
