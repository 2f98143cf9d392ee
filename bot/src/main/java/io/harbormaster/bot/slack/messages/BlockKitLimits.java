package io.harbormaster.bot.slack.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks Block Kit JSON against the limits Slack enforces, the way Slack would refuse it ({@code invalid_blocks}).
 * The builder keeps to them; the Slack stand-in and the tests use this to prove it.
 */
public final class BlockKitLimits {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Gson GSON =
            GsonFactory.createSnakeCase().newBuilder().disableHtmlEscaping().create();

    private BlockKitLimits() {}

    /** The blocks as Slack receives them. */
    public static String json(List<LayoutBlock> blocks) {
        return GSON.toJson(blocks);
    }

    /** Every limit the blocks break, in words (empty: Slack accepts them). */
    public static List<String> violations(List<LayoutBlock> blocks) {
        return violations(json(blocks));
    }

    /** Every limit the blocks (a JSON array) break; unreadable JSON is one violation. */
    public static List<String> violations(String blocksJson) {
        var problems = new ArrayList<String>();
        JsonNode blocks;
        try {
            blocks = JSON.readTree(blocksJson);
        } catch (Exception e) {
            return List.of("blocks are not JSON");
        }
        if (blocks == null || !blocks.isArray()) {
            return List.of("blocks must be an array");
        }
        if (blocks.size() > BlockKit.MAX_BLOCKS) {
            problems.add("more than " + BlockKit.MAX_BLOCKS + " blocks: " + blocks.size());
        }
        for (int i = 0; i < blocks.size(); i++) {
            var b = blocks.get(i);
            var where = "blocks[" + i + "]";
            max(problems, where + ".block_id", b.path("block_id"), BlockKit.BLOCK_ID);
            switch (b.path("type").asText()) {
                case "section" -> {
                    max(problems, where + ".text", b.path("text").path("text"), BlockKit.SECTION_TEXT);
                    var fields = b.path("fields");
                    if (fields.size() > BlockKit.MAX_FIELDS) {
                        problems.add(where + ".fields: more than " + BlockKit.MAX_FIELDS + ": " + fields.size());
                    }
                    for (int f = 0; f < fields.size(); f++) {
                        max(
                                problems,
                                where + ".fields[" + f + "]",
                                fields.get(f).path("text"),
                                BlockKit.FIELD_TEXT);
                    }
                    if (b.path("text").isMissingNode() && fields.isEmpty()) {
                        problems.add(where + ": a section needs text or fields");
                    }
                }
                case "header" -> max(problems, where + ".text", b.path("text").path("text"), BlockKit.HEADER_TEXT);
                case "context" -> {
                    var elements = b.path("elements");
                    if (elements.isEmpty() || elements.size() > BlockKit.MAX_CONTEXT_ELEMENTS) {
                        problems.add(where + ".elements: 1 to " + BlockKit.MAX_CONTEXT_ELEMENTS + " allowed, got "
                                + elements.size());
                    }
                    for (int e = 0; e < elements.size(); e++) {
                        max(
                                problems,
                                where + ".elements[" + e + "]",
                                elements.get(e).path("text"),
                                BlockKit.CONTEXT_TEXT);
                    }
                }
                case "actions" -> {
                    var elements = b.path("elements");
                    if (elements.isEmpty() || elements.size() > BlockKit.MAX_ACTIONS) {
                        problems.add(
                                where + ".elements: 1 to " + BlockKit.MAX_ACTIONS + " allowed, got " + elements.size());
                    }
                    for (int e = 0; e < elements.size(); e++) {
                        var el = elements.get(e);
                        var w = where + ".elements[" + e + "]";
                        max(problems, w + ".text", el.path("text").path("text"), BlockKit.BUTTON_TEXT);
                        max(problems, w + ".value", el.path("value"), BlockKit.BUTTON_VALUE);
                        max(problems, w + ".action_id", el.path("action_id"), BlockKit.ACTION_ID);
                    }
                }
                case "divider" -> {}
                default ->
                    problems.add(where + ": block type '" + b.path("type").asText() + "' is not one we post");
            }
        }
        return problems;
    }

    private static void max(List<String> problems, String where, JsonNode text, int max) {
        if (text.isTextual() && text.asText().length() > max) {
            problems.add(where + ": " + text.asText().length() + " characters, at most " + max);
        }
    }
}
