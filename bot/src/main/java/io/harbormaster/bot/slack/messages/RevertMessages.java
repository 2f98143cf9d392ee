package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.rollout.Revert;
import io.harbormaster.engine.text.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;

/**
 * What the thread and the channel say of a revert: {@code /deploy rollback} with nothing of the service in flight,
 * which puts back what the service ran before its latest promotion.
 */
public final class RevertMessages {
    private RevertMessages() {}

    /** The revert's first thread reply, posted with its parent message: what goes back, and what it skips. */
    public static SlackMessage received(DeployView d, Revert r, Duration autoDeployBlock) {
        return SlackMessage.text(":rewind: Revert requested by " + DeployMessages.requester(d.requesterId()) + " with `"
                + command(d) + "`: `" + d.service() + "` goes back from `" + escape(r.fromVersion()) + "` (deploy #"
                + r.reverts() + ") to `" + escape(d.version()) + "`, what it ran before that promotion. No risk"
                + " score, approval or canary: it ran there already, so the stable Deployment gets it at full size now."
                + " Automatic deploys of " + d.service() + " are blocked for " + Durations.words(autoDeployBlock)
                + ". Updates follow in this thread.");
    }

    /** The revert was audited and goes to the cluster. */
    public static SlackMessage reverting(Revert r) {
        return SlackMessage.text(":arrows_counterclockwise: *Reverting*: the stable Deployment gets `"
                + escape(r.image())
                + "` (" + escape(r.imageFrom()) + ") at full size; canary and baseline, if any, go. Waiting for its"
                + " pods to be ready.");
    }

    /** The revert is done: told in the thread and broadcast to the channel. */
    public static SlackMessage reverted(
            DeployView d, Revert r, String requester, Instant blockedUntil, Optional<String> threadLink) {
        var text = ":rewind: Reverted " + d.service() + " to " + escape(d.version()) + " in " + d.environment()
                + " (from " + escape(r.fromVersion()) + ", deploy #" + r.reverts() + ") at the request of "
                + DeployMessages.requester(requester) + " (`" + command(d) + "`): its pods are ready";
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section("*" + text + "*"));
        var context = new ArrayList<String>();
        context.add("deploy #" + d.deployId());
        context.add("automatic deploys of " + d.service() + " are blocked until "
                + io.harbormaster.engine.text.Times.end(blockedUntil));
        threadLink.ifPresent(l -> context.add("<" + l + "|deploy thread>"));
        blocks.add(BlockKit.context(context));
        return new SlackMessage(text, blocks);
    }

    /**
     * The note (plain text) for a {@code /deploy rollback} that finds the revert it asks for already going or done: a
     * redelivery, or someone else's request at the same moment.
     */
    public static String already(DeployView d) {
        return d.service() + " is " + (d.state().terminal() ? "already back on " : "already going back to ")
                + d.version() + " (revert #" + d.deployId() + "). Nothing new was started.";
    }

    private static String command(DeployView d) {
        return "/deploy rollback " + d.service();
    }
}
