package io.harbormaster.bot.slack.messages;

import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.ContextBlockElement;
import com.slack.api.model.block.DividerBlock;
import com.slack.api.model.block.HeaderBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.ButtonElement;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Block Kit blocks Harbormaster posts, holding every Slack limit: anything too long is cut with a visible
 * "… (truncated, N more characters)" instead of being refused by Slack, which would lose the whole message.
 */
public final class BlockKit {
    public static final int MAX_BLOCKS = 50;
    public static final int SECTION_TEXT = 3000;
    public static final int MAX_FIELDS = 10;
    public static final int FIELD_TEXT = 2000;
    public static final int HEADER_TEXT = 150;
    public static final int MAX_CONTEXT_ELEMENTS = 10;
    public static final int CONTEXT_TEXT = 3000;
    public static final int MAX_ACTIONS = 25;
    public static final int BUTTON_TEXT = 75;
    public static final int BUTTON_VALUE = 2000;
    public static final int ACTION_ID = 255;
    public static final int BLOCK_ID = 255;
    /** Slack truncates a message's top-level text after 40,000 characters and advises staying under 4,000. */
    public static final int MESSAGE_TEXT = 4000;

    private BlockKit() {}

    /** A section of mrkdwn text. */
    public static LayoutBlock section(String mrkdwn) {
        return SectionBlock.builder().text(markdown(mrkdwn, SECTION_TEXT)).build();
    }

    /** How many lines a list section holds at most ({@link #sections}): more are easier to read in the next one. */
    public static final int LIST_LINES = 15;

    /**
     * A list under {@code head}: its lines in sections of at most {@link #LIST_LINES} lines and of what one section's
     * text holds, so that no line is cut off at Slack's limit while a later section could have carried it (a single
     * line longer than a section is cut, saying so). A list that is capped says so in its last line ("… and N more").
     */
    public static List<LayoutBlock> sections(String head, List<String> lines) {
        var blocks = new ArrayList<LayoutBlock>();
        var text = new StringBuilder(head);
        int inSection = 0;
        for (var line : lines) {
            if (inSection == LIST_LINES || inSection > 0 && text.length() + 1 + line.length() > SECTION_TEXT) {
                blocks.add(section(text.toString()));
                text.setLength(0);
                inSection = 0;
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(line);
            inSection++;
        }
        if (!text.isEmpty()) {
            blocks.add(section(text.toString()));
        }
        return blocks;
    }

    /** A section shown as a two-column grid of short mrkdwn fields (at most ten; more are summarized). */
    public static LayoutBlock fields(List<String> fields) {
        var texts = new ArrayList<TextObject>();
        var capped = capped(fields, MAX_FIELDS, n -> "… " + n + " more");
        for (var f : capped) {
            texts.add(markdown(f, FIELD_TEXT));
        }
        return SectionBlock.builder().fields(texts).build();
    }

    /** A section with text and fields. */
    public static LayoutBlock section(String mrkdwn, List<String> fields) {
        var texts = new ArrayList<TextObject>();
        for (var f : capped(fields, MAX_FIELDS, n -> "… " + n + " more")) {
            texts.add(markdown(f, FIELD_TEXT));
        }
        return SectionBlock.builder()
                .text(markdown(mrkdwn, SECTION_TEXT))
                .fields(texts)
                .build();
    }

    /** A header: plain text, large. */
    public static LayoutBlock header(String plain) {
        return HeaderBlock.builder()
                .text(PlainTextObject.builder()
                        .text(Truncation.cut(plain, HEADER_TEXT))
                        .emoji(true)
                        .build())
                .build();
    }

    /** A context line: small mrkdwn elements side by side (at most ten; more are summarized). */
    public static LayoutBlock context(List<String> mrkdwn) {
        var elements = new ArrayList<ContextBlockElement>();
        for (var e : capped(mrkdwn, MAX_CONTEXT_ELEMENTS, n -> "… " + n + " more")) {
            elements.add(markdown(e, CONTEXT_TEXT));
        }
        return ContextBlock.builder().elements(elements).build();
    }

    public static LayoutBlock context(String mrkdwn) {
        return context(List.of(mrkdwn));
    }

    public static LayoutBlock divider() {
        return DividerBlock.builder().build();
    }

    /** A row of buttons under {@code blockId} (at most 25). */
    public static LayoutBlock actions(String blockId, List<ButtonElement> buttons) {
        var elements = new ArrayList<BlockElement>(buttons.subList(0, Math.min(buttons.size(), MAX_ACTIONS)));
        return ActionsBlock.builder()
                .blockId(Truncation.cut(blockId, BLOCK_ID))
                .elements(elements)
                .build();
    }

    /** What a button looks like. */
    public enum Style {
        DEFAULT,
        PRIMARY,
        DANGER
    }

    /** A button; Slack sends {@code actionId} and {@code value} back when it is clicked. */
    public static ButtonElement button(String text, String actionId, String value, Style style) {
        return ButtonElement.builder()
                .text(PlainTextObject.builder()
                        .text(Truncation.cut(text, BUTTON_TEXT))
                        .emoji(true)
                        .build())
                .actionId(Truncation.cut(actionId, ACTION_ID))
                .value(Truncation.cut(value, BUTTON_VALUE))
                .style(
                        switch (style) {
                            case DEFAULT -> null;
                            case PRIMARY -> "primary";
                            case DANGER -> "danger";
                        })
                .build();
    }

    static MarkdownTextObject markdown(String text, int max) {
        return MarkdownTextObject.builder()
                .text(Truncation.cut(text.isEmpty() ? " " : text, max))
                .build();
    }

    /** At most {@code max} items: the first {@code max - 1} and a last one saying how many were left out. */
    static List<String> capped(List<String> items, int max, java.util.function.IntFunction<String> more) {
        if (items.size() <= max) {
            return items;
        }
        var kept = new ArrayList<>(items.subList(0, max - 1));
        kept.add(more.apply(items.size() - (max - 1)));
        return kept;
    }
}
