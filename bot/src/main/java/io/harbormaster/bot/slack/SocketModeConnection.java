package io.harbormaster.bot.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.bolt.App;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.request.SocketModeRequestParser;
import com.slack.api.socket_mode.SocketModeClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's Socket Mode, for workspaces without public ingress: instead of Slack calling {@code /slack/events}, the bot
 * opens a WebSocket to Slack ({@code apps.connections.open} with the app-level token) and Slack sends every slash
 * command and button click over it as an envelope. Each envelope goes to the same Bolt app as an HTTP request (so the
 * same handlers, the same ack within 3 s) and is acknowledged on the socket with the handler's response as payload.
 * Slack's {@code disconnect} messages and lost connections are answered by opening a new connection (Slack's client,
 * Java-WebSocket backend). Nothing here sees a signing secret: Socket Mode requests are not signed, the token that
 * opened the socket is the proof.
 */
public final class SocketModeConnection implements AutoCloseable {
    /** What every app-level token starts with. */
    public static final String APP_TOKEN_PREFIX = "xapp-";

    /** Slack's answers that mean the token itself is wrong: retrying cannot help. */
    static final Set<String> TOKEN_REFUSALS = Set.of(
            "invalid_auth",
            "not_authed",
            "not_allowed_token_type",
            "account_inactive",
            "token_revoked",
            "token_expired",
            "missing_scope");

    private static final Pattern SLACK_ERROR = Pattern.compile("\\(error: ([a-z_]+)\\)");
    private static final Logger log = LoggerFactory.getLogger(SocketModeConnection.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Slack refused the app-level token: a configuration mistake, reported at start and not retried. */
    public static final class TokenRefused extends RuntimeException {
        private final String error;

        TokenRefused(String error) {
            super("Slack refused the app-level token for Socket Mode (" + error + ")");
            this.error = error;
        }

        /** Slack's error code, such as {@code not_allowed_token_type} or {@code invalid_auth}. */
        public String error() {
            return error;
        }
    }

    private final App app;
    private final String appToken;
    private final SocketModeRequestParser parser;
    private final Duration retryEvery;
    private final AtomicInteger hellos = new AtomicInteger();
    private final CountDownLatch firstHello = new CountDownLatch(1);
    private volatile SocketModeClient client;
    private volatile boolean closed;
    private volatile Thread retrying;

    private SocketModeConnection(App app, String appToken, Duration retryEvery) {
        this.app = app;
        this.appToken = appToken;
        this.parser = new SocketModeRequestParser(app.config());
        this.retryEvery = retryEvery;
    }

    /**
     * Opens the connection. A token Slack refuses is thrown at once ({@link TokenRefused}); Slack out of reach is
     * logged and retried every {@code retryEvery} in the background, so a Slack outage at start never stops the bot.
     */
    public static SocketModeConnection open(App app, String appToken, Duration retryEvery) {
        var connection = new SocketModeConnection(app, appToken, retryEvery);
        try {
            connection.connect();
        } catch (TokenRefused e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            log.warn(
                    "Could not open the Slack Socket Mode connection ({}); trying again every {} s",
                    e.getMessage(),
                    retryEvery.toSeconds());
            connection.retryInBackground();
        }
        return connection;
    }

    /** Waits up to {@code wait} for Slack's first {@code hello}; true once the socket is open. */
    public boolean awaitHello(Duration wait) throws InterruptedException {
        return firstHello.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many times Slack said {@code hello}: one per connection opened, reconnections included. */
    public int connections() {
        return hellos.get();
    }

    @Override
    public void close() {
        closed = true;
        var r = retrying;
        if (r != null) {
            r.interrupt();
        }
        var c = client;
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                log.debug("Closing the Socket Mode connection: {}", e.getMessage());
            }
        }
    }

    private void connect() throws IOException {
        SocketModeClient c;
        try {
            // apps.connections.open, through the app's Slack client (so SLACK_API_URL applies); not connected yet.
            c = app.slack().socketMode(appToken, SocketModeClient.Backend.JavaWebSocket);
        } catch (IllegalStateException e) {
            var m = SLACK_ERROR.matcher(String.valueOf(e.getMessage()));
            if (m.find() && TOKEN_REFUSALS.contains(m.group(1))) {
                throw new TokenRefused(m.group(1));
            }
            throw e;
        }
        c.addWebSocketMessageListener(this::received);
        c.addWebSocketCloseListener((code, reason) -> {
            if (!closed) {
                log.info("A Slack Socket Mode connection closed ({} {})", code, reason);
            }
        });
        client = c;
        if (closed) {
            c.close();
            return;
        }
        c.connect();
    }

    private void retryInBackground() {
        retrying = Thread.ofVirtual().name("slack-socket-mode-retry").start(() -> {
            while (!closed && client == null) {
                try {
                    Thread.sleep(retryEvery);
                    connect();
                    log.info("Slack Socket Mode connection opened");
                } catch (InterruptedException e) {
                    return;
                } catch (TokenRefused e) {
                    log.error("{}: set SLACK_APP_TOKEN to the app's app-level token and restart", e.getMessage());
                    return;
                } catch (RuntimeException | IOException e) {
                    log.warn("Still cannot open the Slack Socket Mode connection ({})", e.getMessage());
                }
            }
        });
    }

    /** One message from Slack: {@code hello}, or an envelope to run through Bolt and acknowledge. */
    private void received(String message) {
        JsonNode json;
        try {
            json = JSON.readTree(message);
        } catch (IOException e) {
            log.warn("Unreadable Socket Mode message ignored");
            return;
        }
        var type = json.path("type").asText("");
        if (type.equals("hello")) {
            log.info("Slack Socket Mode connected (connection {})", hellos.incrementAndGet());
            firstHello.countDown();
            return;
        }
        var request = parser.parse(message);
        if (request == null) {
            return; // not an envelope Bolt handles
        }
        var envelopeId = request.getEnvelope().getEnvelopeId();
        Response response;
        try {
            response = app.run(request.getBoltRequest());
        } catch (Exception e) {
            log.error("Socket Mode {} envelope failed in Bolt; not acknowledged, so Slack tells the person", type, e);
            return;
        }
        if (response.getStatusCode() == null || response.getStatusCode() != 200) {
            log.warn("Socket Mode {} envelope answered {} by Bolt; not acknowledged", type, response.getStatusCode());
            return;
        }
        client.sendSocketModeResponse(ack(envelopeId, response));
    }

    /** {@code {envelope_id}}, with the handler's response as {@code payload} when it gave one. */
    static String ack(String envelopeId, Response response) {
        var ack = JSON.createObjectNode();
        ack.put("envelope_id", envelopeId);
        var body = response.getBody();
        if (body != null && !body.isBlank()) {
            var contentType = response.getContentType() == null ? "" : response.getContentType();
            if (contentType.startsWith("application/json")) {
                try {
                    ack.set("payload", JSON.readTree(body));
                } catch (IOException e) {
                    ack.putObject("payload").put("text", body);
                }
            } else {
                ack.putObject("payload").put("text", body);
            }
        }
        return ack.toString();
    }
}
