package io.harbormaster.bot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.CiDeployRequestParser;
import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.ParseResult;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/deploy-requests}: CI announces a build (and may ask for a deploy) over HTTP. The body is the
 * same JSON as on {@code deploy.requests}; the request is signed like Slack's, with our own prefix:
 * {@code X-Harbormaster-Signature: v1=<hex HMAC-SHA256 of "v1:{X-Harbormaster-Timestamp}:{raw body}">}, and refused
 * when the timestamp is more than 5 minutes off.
 */
public final class DeployRequestsApi {
    public static final String PATH = "/api/v1/deploy-requests";
    public static final String SIGNATURE_HEADER = "X-Harbormaster-Signature";
    public static final String TIMESTAMP_HEADER = "X-Harbormaster-Timestamp";
    public static final String SECRET_VARIABLE = "HARBORMASTER_CI_SIGNING_SECRET";

    private static final Logger log = LoggerFactory.getLogger(DeployRequestsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<String> secret;
    private final DeployRequestHandler handler;
    private final LongConsumer nudge;
    private final Clock clock;

    /**
     * @param secret the shared signing secret; empty: the route answers 503 saying how to configure it
     * @param handler the engine's intake (announces the build, submits the deploy when CI asks for one)
     * @param nudge advances a new deploy at once
     */
    public DeployRequestsApi(Optional<String> secret, DeployRequestHandler handler, LongConsumer nudge, Clock clock) {
        this.secret = secret.filter(s -> !s.isBlank());
        this.handler = handler;
        this.nudge = nudge;
        this.clock = clock;
    }

    /** Declares the route. */
    public void routes(RoutesConfig routes) {
        routes.post(PATH, this::handle);
    }

    /** The signature header's value for {@code body} signed at {@code timestamp} (CI clients and tests use it). */
    public static String signature(String secret, long timestamp, byte[] body) {
        return scheme(secret).sign(Long.toString(timestamp), body);
    }

    /** Slack's signing scheme ({@link RequestSignature}) with our own version, {@code v1}. */
    private static RequestSignature scheme(String secret) {
        return new RequestSignature("v1", secret);
    }

    private void handle(Context ctx) {
        if (secret.isEmpty()) {
            answer(
                    ctx,
                    503,
                    Map.of(
                            "error",
                            "the deploy-request API is not configured: set " + SECRET_VARIABLE
                                    + " on the server (and sign requests with it), or publish to the Kafka topic"
                                    + " deploy.requests"));
            return;
        }
        var body = boundedBody(ctx);
        if (body.isEmpty()) {
            return;
        }
        var refusal = checkSignature(ctx.header(TIMESTAMP_HEADER), ctx.header(SIGNATURE_HEADER), body.get());
        if (refusal.isPresent()) {
            answer(ctx, 401, Map.of("error", refusal.get()));
            return;
        }
        switch (CiDeployRequest.parse(body.get())) {
            case ParseResult.Refused r -> refused(ctx, 400, r);
            case ParseResult.Parsed p -> decide(ctx, p.request());
        }
    }

    /**
     * The body, or empty when it is larger than a deploy request may be: then answered {@code 413} with the parser's
     * own refusal, whether the size is told by Content-Length (refused before reading), found on reading, or over the
     * server's limit for every route (which would otherwise answer in plain text). Its signature is not checked first:
     * the limit is no secret, and reading a body that will be refused anyway is what the limit saves.
     */
    private static Optional<byte[]> boundedBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > CiDeployRequestParser.MAX_BYTES) {
            drain(ctx);
            refused(ctx, 413, CiDeployRequestParser.tooLarge(java.util.OptionalLong.of(declared)));
            return Optional.empty();
        }
        byte[] body;
        try {
            body = ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            if (e.getStatus() != HttpStatus.CONTENT_TOO_LARGE.getCode()) {
                throw e;
            }
            drain(ctx);
            refused(ctx, 413, CiDeployRequestParser.tooLarge(java.util.OptionalLong.empty()));
            return Optional.empty();
        }
        if (body.length > CiDeployRequestParser.MAX_BYTES) {
            refused(ctx, 413, CiDeployRequestParser.tooLarge(java.util.OptionalLong.of(body.length)));
            return Optional.empty();
        }
        return Optional.of(body);
    }

    /** The most of a refused body that is read and dropped before the refusal is answered. */
    static final long DRAIN_AT_MOST = 16L << 20;

    /**
     * Reads and drops what is left of a body that is refused for its size, up to {@link #DRAIN_AT_MOST}: a server that
     * answers and closes while the client is still sending resets the connection, and the client (curl, Java's
     * HttpClient) then loses the answer and reports a broken connection instead of the 413 that says what to do. A body
     * larger still is not read; the connection closes after the answer, and such a client may see only that.
     */
    private static void drain(Context ctx) {
        var buffer = new byte[64 * 1024];
        long read = 0;
        try {
            var in = ctx.req().getInputStream();
            int n;
            while (read <= DRAIN_AT_MOST && (n = in.read(buffer)) >= 0) {
                read += n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the client went away or the server refused more: the answer is still tried
        }
    }

    /** A message refused as a whole or field by field: the error in one line, and each problem with its field. */
    private static void refused(Context ctx, int status, ParseResult.Refused r) {
        var problems = r.problems().stream()
                .map(p -> Map.of("field", p.field(), "message", p.message()))
                .toList();
        answer(ctx, status, Map.of("error", r.message(), "problems", problems));
    }

    private void decide(Context ctx, CiDeployRequest request) {
        DeployRequestHandler.Outcome outcome;
        try {
            outcome = handler.handle(request, request.idempotencyKey());
        } catch (RuntimeException e) {
            log.warn("Deploy request {} not handled now: {}", request.idempotencyKey(), e.toString());
            answer(ctx, 503, Map.of("error", "Harbormaster cannot take the request now; retry it (it is idempotent)"));
            return;
        }
        var warnings = new java.util.ArrayList<>(request.warnings());
        warnings.addAll(outcome.warnings());
        switch (outcome) {
            case DeployRequestHandler.Outcome.Accepted a -> {
                a.deployId().ifPresent(nudge::accept);
                answer(ctx, 202, accepted(a.deployId(), false, warnings));
            }
            case DeployRequestHandler.Outcome.Duplicate d -> {
                var body = accepted(d.deployId(), true, warnings);
                d.deploy()
                        .ifPresent(
                                standing -> standing(body, request, d.deployId().orElseThrow(), standing));
                answer(ctx, 200, body);
            }
            case DeployRequestHandler.Outcome.Refused r -> answer(ctx, 409, Map.of("error", r.reason()));
        }
    }

    private static Map<String, Object> accepted(java.util.OptionalLong deployId, boolean duplicate, List<String> warn) {
        var body = new LinkedHashMap<String, Object>();
        body.put("deploy_id", deployId.isPresent() ? deployId.getAsLong() : null);
        body.put("duplicate", duplicate);
        if (!warn.isEmpty()) {
            body.put("warnings", warn);
        }
        return body;
    }

    /**
     * Where the deploy a repeated request names stands: its state, the reason of its latest move, and for one that has
     * ended, that this request started nothing and how to deploy the version again. A retry of a deploy that failed
     * must not read as one on its way.
     */
    private static void standing(
            Map<String, Object> body, CiDeployRequest request, long deployId, DeployRequestHandler.Standing standing) {
        body.put("state", io.harbormaster.engine.rollout.DeployEventJson.wire(standing.state()));
        body.put("ended", standing.ended());
        body.put("reason", standing.reason());
        if (standing.ended()) {
            body.put(
                    "message",
                    "deploy #" + deployId + " of " + request.service() + " " + request.version() + " has ended ("
                            + standing.state().words() + ": " + standing.reason() + "); this request repeats it and"
                            + " started nothing"
                            + (standing.state() == io.harbormaster.engine.rollout.DeployState.PROMOTED
                                    ? ""
                                    : ". To deploy " + request.version() + " again, send the build with a new build_id"
                                            + " and auto_deploy, or /deploy " + request.service() + " "
                                            + request.version()));
        }
    }

    private Optional<String> checkSignature(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return Optional.of("unsigned request: send " + TIMESTAMP_HEADER + " (unix seconds) and " + SIGNATURE_HEADER
                    + " (v1=<hex HMAC-SHA256 of \"v1:{timestamp}:{body}\">)");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Optional.of(TIMESTAMP_HEADER + " must be unix seconds");
        }
        if (!RequestSignature.withinSkew(ts, clock.instant())) {
            return Optional.of("the request timestamp is more than 5 minutes off the server's clock");
        }
        if (!scheme(secret.orElseThrow()).matches(Long.toString(ts), body, signature.strip())) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    private static void answer(Context ctx, int status, Map<String, ?> body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.status(500).result("{\"error\":\"internal\"}");
        }
    }
}
