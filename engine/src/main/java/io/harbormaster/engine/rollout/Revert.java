package io.harbormaster.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A deploy that undoes a service's latest promotion ({@code /deploy rollback} with nothing of the service in flight):
 * the stable Deployment gets back the image it ran before, at once, without risk scoring, approval or canary, since
 * that image already ran there. It is kept in the revert's request (under {@value #KEY} in its payload), so that the
 * engine that finishes it, on any replica or after a restart, and the front end that shows it know what it reverts.
 *
 * @param reverts the promoted deploy it undoes
 * @param fromVersion that deploy's version
 * @param image the image the stable Deployment gets back
 * @param imageFrom where {@code image} was found, in words (the audit entry and the thread say it)
 * @param requestKey the idempotency key of the person's request (a Slack redelivery carries the same one)
 */
public record Revert(long reverts, String fromVersion, String image, String imageFrom, String requestKey) {
    static final String KEY = "revert";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Revert {
        Objects.requireNonNull(fromVersion, "fromVersion");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(imageFrom, "imageFrom");
        Objects.requireNonNull(requestKey, "requestKey");
    }

    /**
     * The idempotency key of the {@code attempt}-th revert of deploy {@code reverts}: two requests to revert the same
     * promotion, on any replicas, make the same key, and the store keeps one deploy per key. A new attempt is made
     * only after the one before it failed.
     */
    static String key(long reverts, int attempt) {
        return "revert:" + reverts + ":" + attempt;
    }

    /** The revert's request payload. */
    String payload() {
        return CanonicalJson.of(Map.of(KEY, fields()));
    }

    /** What the audit entry and the payload say of it. */
    Map<String, Object> fields() {
        var m = new LinkedHashMap<String, Object>();
        m.put("reverts_deploy", reverts);
        m.put("from_version", fromVersion);
        m.put("to_image", image);
        m.put("to_image_from", imageFrom);
        m.put("request_key", requestKey);
        return m;
    }

    /**
     * The revert a request asks for; empty for any other request (and for a payload that is not a revert's). Only a
     * request the pipeline made as a revert is one: its key is a revert's ({@link #key}) for the deploy its payload
     * names. A CI message is kept as it arrived, as its request's payload, so a payload alone proves nothing: taken
     * for a revert it would skip risk scoring, approval and the canary and put any image in place.
     */
    public static Optional<Revert> of(DeployRequest request) {
        if (request.source() != RequestSource.SLACK || !request.idempotencyKey().startsWith("revert:")) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(request.payloadJson()).path(KEY);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (!node.path("reverts_deploy").isIntegralNumber()
                || !node.path("from_version").isTextual()
                || !node.path("to_image").isTextual()) {
            return Optional.empty();
        }
        long reverts = node.path("reverts_deploy").asLong();
        if (!request.idempotencyKey().matches("revert:" + reverts + ":[1-9][0-9]{0,8}")) {
            return Optional.empty();
        }
        return Optional.of(new Revert(
                reverts,
                node.path("from_version").asText(),
                node.path("to_image").asText(),
                node.path("to_image_from").asText(""),
                node.path("request_key").asText("")));
    }
}
