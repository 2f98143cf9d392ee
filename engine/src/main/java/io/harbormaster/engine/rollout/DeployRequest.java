package io.harbormaster.engine.rollout;

import java.time.Instant;
import java.util.Objects;

/**
 * A request to deploy, as it arrived. {@code idempotencyKey} is what makes a redelivery the same request: Slack's
 * request id, a Kafka record key, a CI build id.
 */
public record DeployRequest(
        String idempotencyKey,
        RequestSource source,
        String service,
        String version,
        String environment,
        String requestedBy,
        boolean emergency,
        String payloadJson,
        Instant receivedAt) {

    public DeployRequest {
        idempotencyKey = nonBlank(idempotencyKey, "idempotency key");
        Objects.requireNonNull(source, "source");
        service = nonBlank(service, "service");
        version = nonBlank(version, "version");
        environment = nonBlank(environment, "environment");
        requestedBy = nonBlank(requestedBy, "requested by");
        payloadJson = payloadJson == null || payloadJson.isBlank() ? "{}" : payloadJson;
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (idempotencyKey.length() > 255) {
            throw new IllegalArgumentException("an idempotency key is at most 255 characters");
        }
    }

    private static String nonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a deploy request needs a " + what);
        }
        return value;
    }
}
