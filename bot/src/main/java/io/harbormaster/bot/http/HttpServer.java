package io.harbormaster.bot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.util.SlackRequestParser;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's HTTP server (Javalin on Jetty): {@code /slack/events} handed to Bolt, {@code /healthz}, {@code /readyz},
 * {@code /metrics}, and whatever routes the composition root adds (the deploy-request API, audit exports).
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Slack's payloads are small; anything this large is not from Slack. */
    private static final long MAX_BODY = 1 << 20;

    private final Javalin javalin;
    private final App bolt;
    private final SlackRequestParser parser;
    private final RequestSignature signature;
    private final Clock clock = Clock.systemUTC();
    private final List<ReadinessCheck> checks;

    /** How long {@link #close()} lets requests in progress finish (Jetty also waits this long for idle connections). */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /**
     * @param extraRoutes further routes, declared on Javalin's route configuration
     * @param grace how long stopping waits for requests in progress
     */
    public HttpServer(
            App bolt,
            List<ReadinessCheck> checks,
            BotMetrics metrics,
            Consumer<RoutesConfig> extraRoutes,
            Duration grace) {
        this.bolt = bolt;
        this.parser = new SlackRequestParser(bolt.config());
        this.signature = RequestSignature.slack(bolt.config().getSigningSecret());
        this.checks = List.copyOf(checks);
        this.javalin = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_BODY;
            cfg.jetty.modifyServer(server -> server.setStopTimeout(grace.toMillis()));
            cfg.routes.post("/slack/events", this::slackEvents);
            cfg.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
            cfg.routes.get("/readyz", this::readyz);
            cfg.routes.get(
                    "/metrics", ctx -> ctx.contentType(BotMetrics.contentType()).result(metrics.scrape()));
            extraRoutes.accept(cfg.routes);
        });
    }

    public HttpServer(App bolt, List<ReadinessCheck> checks, BotMetrics metrics) {
        this(bolt, checks, metrics, routes -> {}, DEFAULT_GRACE);
    }

    /**
     * Starts listening; port 0 picks a free one ({@link #port()} tells which).
     *
     * @throws CannotListen when the port is taken (or not this process's to take), for the caller to say what to do
     */
    public HttpServer start(String host, int port) {
        if (port != 0) {
            // Javalin logs "Failed to start Javalin" at ERROR before it throws, a line above the caller's own message
            // that adds nothing to it: a port that is taken is found out here first. One taken in the instant
            // between this probe and Javalin's bind still ends as CannotListen, with that line.
            checkFree(host, port);
        }
        try {
            javalin.start(host, port);
        } catch (JavalinBindException e) {
            throw new CannotListen(host, port, e);
        }
        log.info("Listening on http://{}:{}", host, javalin.port());
        return this;
    }

    /** Probes {@code host:port} as the server would bind it, and lets go at once. */
    public static void checkFree(String host, int port) {
        try (var probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new CannotListen(host, port, e);
        }
    }

    /** The server could not listen on its address: the port is taken, or not this process's to take. */
    public static final class CannotListen extends RuntimeException {
        private final boolean inUse;

        CannotListen(String host, int port, Throwable cause) {
            super("cannot listen on " + host + ":" + port + " (" + why(cause) + ")", cause);
            this.inUse = inUse(cause);
        }

        /** Whether another program holds the port (rather than, say, a port below 1024 without the privilege). */
        public boolean inUse() {
            return inUse;
        }

        /**
         * What to do, said after the message: {@code others} names who is likely to hold the port ("another
         * sandbox").
         */
        public String advice(String others) {
            return inUse
                    ? ": is " + others + " or another program using it? Stop it, or pick another port with --port"
                    : ": pick another port with --port (ports below 1024 need privileges)";
        }

        private static boolean inUse(Throwable cause) {
            return cause.getMessage() != null
                    && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("in use");
        }

        private static String why(Throwable cause) {
            if (inUse(cause)) {
                return "address already in use";
            }
            return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        }
    }

    public int port() {
        return javalin.port();
    }

    /** Stops accepting requests and lets the ones in progress finish (up to the grace period). */
    @Override
    public void close() {
        javalin.stop();
    }

    /**
     * Hands the request to Bolt exactly as it arrived: the signature covers the raw body, so it is never re-encoded.
     * The signature is checked here first, before the body is parsed: Bolt parses the payload before it verifies, so a
     * forged body that is not JSON would otherwise reach its parser (and the log, with a stack trace), and Bolt lets a
     * timestamp from the future pass. Bolt checks the signature again.
     */
    private void slackEvents(Context ctx) throws Exception {
        var body = ctx.bodyAsBytes();
        var refusal = signature.refusal(
                ctx.header(RequestSignature.SLACK_TIMESTAMP_HEADER),
                ctx.header(RequestSignature.SLACK_SIGNATURE_HEADER),
                body,
                clock.instant());
        if (refusal.isPresent()) {
            log.debug("Slack request refused: {}", refusal.get());
            ctx.status(401).contentType("application/json").result("{\"error\":\"invalid request signature\"}");
            return;
        }
        var headers = new LinkedHashMap<String, List<String>>();
        for (var name : Collections.list(ctx.req().getHeaderNames())) {
            headers.put(name, Collections.list(ctx.req().getHeaders(name)));
        }
        com.slack.api.bolt.request.Request<?> request;
        try {
            request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(ctx.path())
                    .queryString(ctx.queryParamMap())
                    .headers(new RequestHeaders(headers))
                    .requestBody(new String(body, StandardCharsets.UTF_8))
                    .remoteAddress(ctx.ip())
                    .build());
        } catch (RuntimeException e) {
            // Signed, so from Slack (or whoever holds the secret), yet unreadable: one line, not a stack trace.
            log.warn(
                    "Slack request refused: its payload cannot be read ({})",
                    e.getClass().getSimpleName());
            ctx.status(400).contentType("application/json").result("{\"error\":\"malformed Slack payload\"}");
            return;
        }
        if (request == null) {
            ctx.status(400).contentType("application/json").result("{\"error\":\"not a Slack request\"}");
            return;
        }
        com.slack.api.bolt.response.Response response;
        try {
            response = bolt.run(request);
        } catch (RuntimeException e) {
            // Bolt starts itself on the first request and calls auth.test; if Slack cannot be reached or refuses the
            // token, no handler has run. Say "not now" (Slack shows the user a failure) rather than a bare 500.
            log.warn("Slack request not handled: {}", e.getMessage());
            ctx.status(503).contentType("application/json").result("{\"error\":\"the bot cannot reach Slack\"}");
            return;
        }
        ctx.status(response.getStatusCode() == null ? 200 : response.getStatusCode());
        if (response.getHeaders() != null) {
            response.getHeaders()
                    .forEach((name, values) -> values.forEach(v -> ctx.res().addHeader(name, v)));
        }
        if (response.getContentType() != null) {
            ctx.contentType(response.getContentType());
        }
        if (response.getBody() != null) {
            ctx.result(response.getBody());
        }
    }

    private void readyz(Context ctx) throws Exception {
        var results = new LinkedHashMap<String, String>();
        var failed = new ArrayList<String>();
        for (var check : checks) {
            String result;
            try {
                result = check.problem().get().orElse("ok");
            } catch (RuntimeException e) {
                result = "failed: " + e.getClass().getSimpleName();
            }
            results.put(check.name(), result);
            if (!result.equals("ok")) {
                failed.add(check.name());
            }
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("ready", failed.isEmpty());
        body.put("failed", failed);
        body.put("checks", results);
        ctx.status(failed.isEmpty() ? 200 : 503).contentType("application/json").result(JSON.writeValueAsString(body));
    }
}
