package io.harbormaster.bot.slack.messages;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.util.json.GsonFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * An approval request as it is kept with its deploy, so that any replica, and a restarted bot, can count approvals on
 * it and close it: the context package above the buttons as it was rendered when it was posted, and what the line
 * under the buttons is made of. Who approved so far is not part of it: that is the deploy's approvals.
 *
 * @param title the deploy's title, e.g. "billing 2.0.0 → production"
 * @param risk the risk score the request was posted with
 * @param body the blocks above the buttons (the context package)
 */
public record EscalationCard(
        long deployId,
        String title,
        double risk,
        List<LayoutBlock> body,
        String approverGroup,
        int requiredApprovals,
        Instant expiresAt) {
    private static final Gson GSON =
            GsonFactory.createSnakeCase().newBuilder().disableHtmlEscaping().create();
    private static final int FORMAT = 1;

    public EscalationCard {
        body = List.copyOf(body);
    }

    /** The card as JSON, to store; {@link #fromJson} reads it back. */
    public String toJson() {
        var o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("deploy_id", deployId);
        o.addProperty("title", title);
        o.addProperty("risk", risk);
        o.add("body", GSON.toJsonTree(body));
        o.addProperty("approver_group", approverGroup);
        o.addProperty("required_approvals", requiredApprovals);
        o.addProperty("expires_at", expiresAt.toString());
        return GSON.toJson(o);
    }

    /**
     * Reads a card {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException when it is not one (another format, a key missing or of another type)
     */
    public static EscalationCard fromJson(String json) {
        try {
            var o = GSON.fromJson(json, JsonObject.class);
            if (o == null || field(o, "format").getAsInt() != FORMAT) {
                throw new IllegalArgumentException("not an approval card of format " + FORMAT);
            }
            List<LayoutBlock> body = GSON.fromJson(field(o, "body"), new TypeToken<List<LayoutBlock>>() {}.getType());
            return new EscalationCard(
                    field(o, "deploy_id").getAsLong(),
                    field(o, "title").getAsString(),
                    field(o, "risk").getAsDouble(),
                    body,
                    field(o, "approver_group").getAsString(),
                    field(o, "required_approvals").getAsInt(),
                    Instant.parse(field(o, "expires_at").getAsString()));
        } catch (JsonParseException
                | IllegalStateException
                | UnsupportedOperationException
                | NumberFormatException
                | DateTimeParseException e) {
            throw new IllegalArgumentException("not an approval card: " + e.getMessage(), e);
        }
    }

    private static JsonElement field(JsonObject o, String key) {
        var value = o.get(key);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException("not an approval card: no " + key);
        }
        return value;
    }
}
