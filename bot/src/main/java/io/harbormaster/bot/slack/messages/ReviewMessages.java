package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.engine.rollout.Review;
import io.harbormaster.engine.text.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An emergency deploy's review after the fact, in its thread: the request with its Mark reviewed button, posted once
 * the deploy has ended, and who reviewed it and when in the button's place.
 */
public final class ReviewMessages {
    public static final String REVIEW_ACTION = "emergency_mark_reviewed";

    private ReviewMessages() {}

    /**
     * The review request (the button's value is the deploy id) and, under it, who may review. Closed like a pause once
     * reviewed ({@link #reviewed}, {@link #closed}).
     */
    public static SlackMessage due(DeployView d, String approverGroup) {
        var id = Long.toString(d.deployId());
        var text =
                ":rotating_light: *Review needed*: this emergency deploy skipped the approval wait, and it has ended ("
                        + d.state().words()
                        + "). It needs a review after the fact: look at what it changed and why it could"
                        + " not wait, then mark it reviewed.";
        return new SlackMessage(
                "Review needed: emergency deploy #" + id + " (" + d.service() + " " + d.version() + ")",
                List.of(
                        BlockKit.section(text),
                        BlockKit.actions(
                                "review-" + id,
                                List.of(BlockKit.button("Mark reviewed", REVIEW_ACTION, id, BlockKit.Style.PRIMARY))),
                        BlockKit.context("Only members of *" + escape(approverGroup) + "* may review it; the requester"
                                + " and the change's author may not. `/deploy status` lists it until it is reviewed"
                                + " (or `" + DeployCommandParser.REVIEW_USAGE + "`).")));
    }

    /** Who reviewed and when: "Reviewed by <@U1> at 2026-11-24 10:05 UTC, 3 min after it ended". */
    public static String reviewedBy(Review r, Instant endedAt) {
        return "Reviewed by " + DeployMessages.requester(r.reviewer()) + " at " + Mrkdwn.time(r.reviewedAt()) + ", "
                + Durations.words(Duration.between(endedAt, r.reviewedAt())) + " after it ended";
    }

    /** The answer to a review of a deploy ({@code deploy}, mrkdwn) someone reviewed before ({@code how}). */
    public static String already(String deploy, String how) {
        // "how" is a sentence of its own elsewhere ("Reviewed by ..."): here it goes on after a colon
        var rest = how.isEmpty() ? how : Character.toLowerCase(how.charAt(0)) + how.substring(1);
        return deploy + " was reviewed already: " + rest + ". Nothing new was recorded.";
    }

    /** The review request rebuilt from the deploy, its button replaced by {@code outcome} (who reviewed it, when). */
    public static SlackMessage reviewed(DeployView d, String approverGroup, String outcome) {
        return closed(due(d, approverGroup).blocks(), outcome);
    }

    /** The review request as Slack shows it ({@code shown}, from a click on it), its button replaced by the outcome. */
    public static SlackMessage closed(List<LayoutBlock> shown, String outcome) {
        return new SlackMessage(
                "Emergency deploy reviewed: " + outcome,
                EscalationMessages.closedAsShown(shown, outcome).blocks());
    }
}
