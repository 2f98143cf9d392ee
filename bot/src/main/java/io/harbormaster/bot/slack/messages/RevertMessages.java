package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.rollout.Revert;
import io.harbormaster.engine.text.Durations;
import io.harbormaster.engine.text.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
     * The note (plain text, the requesters' ids shown as mentions) for a {@code /deploy rollback} that finds the revert
     * it asks for already going or done: a redelivery, someone else's request at the same moment, or a later one while
     * the revert runs. It says which revert, who asked for it and when, and that nothing was started or stopped; while
     * the revert runs, what to follow it with, and the deploys waiting their turn behind it ({@code behind}), which go
     * ahead once it is done and which a rollback then stops.
     *
     * @param askedAt when the revert was asked for
     */
    public static String already(DeployView d, Optional<Revert> r, Instant askedAt, List<DeployView> behind) {
        var which = "revert #" + d.deployId() + " (back to `" + d.version() + "`"
                + r.map(x -> " from `" + x.fromVersion() + "`, undoing deploy #" + x.reverts())
                        .orElse("")
                + "), asked for by " + d.requesterId() + " at " + Times.words(askedAt);
        if (d.state().terminal()) {
            return d.service() + " is already back on `" + d.version() + "`: " + which + ", is done. Nothing new was"
                    + " started; to go further back, deploy the version you want: /deploy " + d.service()
                    + " <version>";
        }
        var text = "A revert of " + d.service() + " is already in progress: " + which + ", is "
                + d.state().words()
                + " right now. Nothing new was started and nothing was stopped; follow it in its thread or with"
                + " /deploy status " + d.service() + ".";
        if (behind.isEmpty()) {
            return text;
        }
        var waiting = behind.stream()
                .map(b -> "deploy #" + b.deployId() + " (" + b.service() + " `" + b.version() + "`, asked by "
                        + b.requesterId() + ")")
                .toList();
        var one = behind.size() == 1;
        return text + " " + capitalized(String.join(" and ", waiting))
                + (one ? " waits its turn behind it and goes ahead" : " wait their turn behind it and go ahead")
                + " once the revert is done; to stop " + (one ? "it" : "them") + ", run " + command(d) + " again then"
                + (one ? "" : ", once for each") + ".";
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String command(DeployView d) {
        return "/deploy rollback " + d.service();
    }
}
