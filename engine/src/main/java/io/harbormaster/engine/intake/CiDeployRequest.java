package io.harbormaster.engine.intake;

import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.text.Texts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build CI announced on {@code deploy.requests} or {@code POST /api/v1/deploy-requests}, parsed once and checked.
 * Obtain one from {@link #parse(byte[])}; the JSON fields are documented on {@link CiDeployRequestParser}.
 *
 * @param service the catalog name of the service
 * @param version the image tag to deploy
 * @param image the image reference, registry included
 * @param commitSha the commit the image was built from, lower-case hex
 * @param buildId CI's id for the build
 * @param environment where to deploy ({@code production} when CI did not say)
 * @param ciStatus CI's verdict on the build
 * @param autoDeploy whether CI asks for a deploy now, not only announces the build
 * @param change the change metadata
 * @param requestedBy who CI says asked for it, if anyone
 * @param json the message exactly as it arrived: kept as the request's payload
 * @param warnings things that did not stop the request but that the sender should hear about (unknown fields)
 */
public record CiDeployRequest(
        String service,
        String version,
        String image,
        String commitSha,
        String buildId,
        String environment,
        CiStatus ciStatus,
        boolean autoDeploy,
        ChangeMetadata change,
        Optional<String> requestedBy,
        String json,
        List<String> warnings) {

    /** The requester recorded when CI names nobody. */
    public static final String DEFAULT_REQUESTER = "ci";

    /** Longest idempotency key {@link DeployRequest} accepts. */
    private static final int MAX_KEY = 255;

    public CiDeployRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(commitSha, "commitSha");
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(ciStatus, "ciStatus");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(requestedBy, "requestedBy");
        Objects.requireNonNull(json, "json");
        warnings = List.copyOf(warnings);
    }

    /** Parses a message (UTF-8 JSON); see {@link CiDeployRequestParser}. */
    public static ParseResult parse(byte[] utf8) {
        return CiDeployRequestParser.parse(utf8);
    }

    /** Parses a message given as text; see {@link CiDeployRequestParser}. */
    public static ParseResult parse(String json) {
        return CiDeployRequestParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * What makes two deliveries the same request, whatever carried them (a Kafka redelivery, an HTTP retry, the same
     * build announced on both): {@code ci:<service>/<environment>/<build_id>}. Service and environment are part of it
     * because one build (a monorepo pipeline) may announce several services, and may be promoted from staging to
     * production under the same build id. A key that would exceed 255 characters carries the build id's SHA-256
     * instead ({@code ci:<service>/<environment>/sha256:<hex>}).
     *
     * <p>The Kafka record key is deliberately not used: records are keyed by service (so one replica owns a service's
     * partition), and a key shared by every build of a service would make every build after the first a duplicate.
     */
    public String idempotencyKey() {
        String prefix = "ci:" + service + "/" + environment + "/";
        String key = prefix + buildId;
        if (key.length() <= MAX_KEY) {
            return key;
        }
        return prefix + "sha256:" + Texts.sha256(buildId);
    }

    /** The request to store, deploy or not: emergency is never set from CI. */
    public DeployRequest toDeployRequest(RequestSource source, String idempotencyKey, Instant receivedAt) {
        return new DeployRequest(
                idempotencyKey,
                source,
                service,
                version,
                environment,
                requestedBy.orElse(DEFAULT_REQUESTER),
                false,
                json,
                receivedAt);
    }

    /** The request to store, under {@link #idempotencyKey()}. */
    public DeployRequest toDeployRequest(RequestSource source, Instant receivedAt) {
        return toDeployRequest(source, idempotencyKey(), receivedAt);
    }

    /** The build this message announces, for the {@link io.harbormaster.engine.rollout.BuildCatalog}. */
    public AnnouncedBuild toAnnouncedBuild(Instant announcedAt) {
        return new AnnouncedBuild(
                service, version, image, commitSha, buildId, ciStatus.wire(), change.json(), announcedAt);
    }
}
