package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;
import static io.harbormaster.bot.slack.messages.Mrkdwn.num;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.canary.Evidence;
import java.util.ArrayList;

/** The notice broadcast to the channel when a canary is rolled back, automatically or at someone's request. */
public final class RollbackMessages {
    /**
     * How the broadcast writes an estimate: a change or a shift as the effect it measures, how much worse the canary
     * is ({@code effect +25% (interval +10% to +40%)}); a test statistic or a score under its own name.
     */
    private static final Evidence.Wording EFFECT = new Evidence.Wording(Mrkdwn::num, true, false, true);

    private RollbackMessages() {}

    /**
     * The one-line text (also the notification text): which metric tripped, by how much, with what interval; for a
     * rollback no metric tripped, who asked for it or why it happened instead (never figures it does not have).
     */
    public static String text(RollbackNotice n) {
        var head = n.service() + " " + n.version() + " in " + n.environment();
        var text = new StringBuilder();
        if (n.trigger().isPresent()) {
            var e = n.trigger().get();
            var figures = new ArrayList<String>();
            if (!Double.isNaN(e.canary()) && !Double.isNaN(e.baseline())) {
                figures.add("canary " + num(e.canary()) + " vs baseline " + num(e.baseline()));
            }
            if (!Double.isNaN(e.estimate())) {
                figures.add(e.estimateInWords(EFFECT));
            }
            text.append(":rotating_light: Rolled back ")
                    .append(head)
                    .append(": ")
                    .append(e.metric());
            if (!figures.isEmpty()) {
                text.append(' ').append(String.join(", ", figures));
            }
        } else if (n.requestedBy().isPresent()) {
            text.append(":rewind: Rolled back ")
                    .append(head)
                    .append(" at the request of ")
                    .append(DeployMessages.requester(n.requestedBy().get()))
                    .append(" (`/deploy rollback ")
                    .append(n.service())
                    .append("`), not on a metric");
        } else {
            text.append(":rotating_light: Rolled back ")
                    .append(head)
                    .append(": ")
                    .append(escape(n.reason()));
        }
        n.incidentId().ifPresent(i -> text.append(", incident ").append(i));
        return text.toString();
    }

    /** The broadcast: the text, the rule that fired, the incident and a link to the thread. */
    public static SlackMessage broadcast(RollbackNotice n) {
        var blocks = new ArrayList<LayoutBlock>();
        blocks.add(BlockKit.section("*" + text(n) + "*"));
        n.trigger().ifPresent(e -> blocks.add(BlockKit.section(DeployMessages.evidenceLine(e))));
        var context = new ArrayList<String>();
        context.add("deploy #" + n.deployId());
        n.incidentId().ifPresent(i -> context.add("incident " + escape(i)));
        context.add("automatic deploys of " + n.service() + " are blocked until "
                + io.harbormaster.engine.text.Times.end(n.blockedUntil()));
        n.threadLink().ifPresent(l -> context.add("<" + l + "|deploy thread>"));
        blocks.add(BlockKit.context(context));
        return new SlackMessage(text(n), blocks);
    }
}
