package io.harbormaster.engine.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON form of a {@link DeployEvent}, schema version 1, as published on {@code deploy.events} (record key: the
 * service, so one service's events share a partition and stay in order; header {@code content-type: application/json;
 * schema_version=1}):
 *
 * <pre>{@code
 * {
 *   "schema_version": 1,                  integer; bumped only for a change that is not an addition
 *   "type": "deploy.transition",          always this, for now
 *   "deploy_id": 42,                      integer
 *   "sequence": 3,                        integer, 0 for a deploy's first event (requested), then 1, 2, ...;
 *                                       (deploy_id, sequence) is the event's id
 *   "service": "payments",
 *   "version": "1.4.2",
 *   "environment": "production",
 *   "from": "canary",                     a state, or null for the deploy's first event
 *   "to": "promoting",                    a state
 *   "terminal": false,                    whether "to" ends the deploy
 *   "step": 2,                            canary step after the change, 0 before the canary
 *   "actor": "engine",                    a user id, or "engine"
 *   "reason": "all metrics passed at 50%",
 *   "at": "2025-06-01T12:00:00.123Z"      ISO-8601 UTC
 * }
 * }</pre>
 *
 * <p>States are lower-case: requested, scored, awaiting_approval, approved, rejected, expired, preflight, canary,
 * promoting, promoted, rolling_back, rolled_back, failed. Consumers must ignore fields they do not know; fields are
 * only added within a schema version.
 *
 * <p>Delivery on Kafka is at least once ({@link EventRelay}): every event is published, a deploy's events in sequence
 * order, but an event can come twice (after a bot stopped between a send and its acknowledgement being recorded), so
 * consumers de-duplicate on {@code (deploy_id, sequence)}. docs/deploy-events.md says the same for consumers.
 */
public final class DeployEventJson {

    public static final int SCHEMA_VERSION = 1;
    public static final String TYPE = "deploy.transition";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeployEventJson() {}

    public static String toJson(DeployEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("schema_version", SCHEMA_VERSION);
        node.put("type", TYPE);
        node.put("deploy_id", event.deployId());
        node.put("sequence", event.sequence());
        node.put("service", event.service());
        node.put("version", event.version());
        node.put("environment", event.environment());
        if (event.from().isPresent()) {
            node.put("from", wire(event.from().get()));
        } else {
            node.putNull("from");
        }
        node.put("to", wire(event.to()));
        node.put("terminal", event.to().terminal());
        node.put("step", event.step());
        node.put("actor", event.actor());
        node.put("reason", event.reason());
        node.put("at", event.at().toString());
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree can always be written", e);
        }
    }

    /** Reads an event back; refuses another schema version or a missing field, saying which. */
    public static DeployEvent fromJson(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("deploy event is not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("deploy event must be a JSON object");
        }
        int schema = required(node, "schema_version").asInt();
        if (schema != SCHEMA_VERSION) {
            throw new IllegalArgumentException(
                    "deploy event has schema_version " + schema + ", this reader knows " + SCHEMA_VERSION);
        }
        JsonNode from = node.get("from");
        try {
            return new DeployEvent(
                    required(node, "deploy_id").asLong(),
                    required(node, "sequence").asInt(),
                    required(node, "service").asText(),
                    required(node, "version").asText(),
                    required(node, "environment").asText(),
                    from == null || from.isNull() ? Optional.empty() : Optional.of(state(from.asText())),
                    state(required(node, "to").asText()),
                    required(node, "step").asInt(),
                    required(node, "actor").asText(),
                    required(node, "reason").asText(),
                    Instant.parse(required(node, "at").asText()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("deploy event field at is not an ISO-8601 instant", e);
        }
    }

    /** A state's name in the JSON: the enum name in lower case. */
    public static String wire(DeployState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static DeployState state(String wire) {
        try {
            return DeployState.valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deploy event has unknown state \"" + wire + "\"", e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("deploy event lacks field " + field);
        }
        return value;
    }
}
