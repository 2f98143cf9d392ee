package io.harbormaster.bot.slack.messages;

import com.slack.api.model.block.LayoutBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * A message ready to post: the blocks, and the plain text Slack shows in notifications and where blocks cannot be
 * shown. At most 50 blocks: beyond that the last one says how many were left out.
 */
public record SlackMessage(String text, List<LayoutBlock> blocks) {
    public SlackMessage {
        text = Truncation.cut(text.isBlank() ? "Harbormaster" : text, BlockKit.MESSAGE_TEXT);
        if (blocks.size() > BlockKit.MAX_BLOCKS) {
            var kept = new ArrayList<>(blocks.subList(0, BlockKit.MAX_BLOCKS - 1));
            kept.add(BlockKit.context("… (truncated, " + (blocks.size() - kept.size()) + " more blocks)"));
            blocks = kept;
        }
        blocks = List.copyOf(blocks);
    }

    /** A message that is only text. */
    public static SlackMessage text(String mrkdwn) {
        return new SlackMessage(mrkdwn, List.of(BlockKit.section(mrkdwn)));
    }
}
