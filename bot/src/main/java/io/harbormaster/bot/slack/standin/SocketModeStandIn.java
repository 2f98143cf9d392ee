package io.harbormaster.bot.slack.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Slack stand-in's Socket Mode side, served by the same loopback server as its Web API. As Slack does it:
 * {@code apps.connections.open}, called with the app-level token ({@code xapp-…}), hands out a one-use WebSocket URL;
 * a connection to that URL is greeted with {@code hello}; each slash command, button click or event is sent to one
 * connection as an envelope {@code {envelope_id, type, payload, accepts_response_payload}}, which the app acknowledges
 * with {@code {envelope_id[, payload]}}; {@code {type: disconnect, reason: refresh_requested}} asks the app to open a
 * new connection. A slash command's acknowledgement payload is shown to the person as Slack shows it (ephemeral unless
 * {@code response_type} is {@code in_channel}). Envelopes that are never acknowledged are not redelivered.
 */
public final class SocketModeStandIn {
    /** The app id Slack puts in the WebSocket URL and in {@code hello}. */
    static final String APP_ID = "A0HARBORMASTER";

    /**
     * An acknowledgement the app sent for an envelope.
     *
     * @param connection the connection it came on (ids as {@link #connections()} lists them)
     * @param payload the response payload, when the app sent one
     */
    public record Ack(String envelopeId, String connection, Optional<JsonNode> payload, Instant at) {}

    private record Pending(String type, JsonNode payload) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackStandIn slack;
    private volatile String appToken;
    private final Set<String> tickets = ConcurrentHashMap.newKeySet();
    private final Map<String, WsContext> open = new LinkedHashMap<>();
    private final AtomicInteger hellos = new AtomicInteger();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();

    SocketModeStandIn(SlackStandIn slack) {
        this.slack = slack;
    }

    /** Turns Socket Mode on: {@code apps.connections.open} accepts this app-level token (and only it). */
    public void enable(String appLevelToken) {
        if (appLevelToken == null || !appLevelToken.startsWith("xapp-")) {
            throw new IllegalArgumentException("an app-level token starts with xapp-");
        }
        this.appToken = appLevelToken;
    }

    boolean isAppToken(String given) {
        var t = appToken;
        return t != null && t.equals(given);
    }

    /** {@code apps.connections.open}: a fresh one-use URL of the WebSocket. */
    ObjectNode openConnection(int port) {
        var ticket = UUID.randomUUID().toString();
        tickets.add(ticket);
        var o = JSON.createObjectNode();
        o.put("ok", true);
        o.put("url", "ws://127.0.0.1:" + port + "/link?ticket=" + ticket + "&app_id=" + APP_ID);
        return o;
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            var ticket = ctx.queryParam("ticket");
            if (ticket == null || !tickets.remove(ticket)) {
                ctx.closeSession(1008, "invalid or used ticket: call apps.connections.open for a new URL");
                return;
            }
            int connections;
            synchronized (open) {
                open.put(ctx.sessionId(), ctx);
                connections = open.size();
            }
            hellos.incrementAndGet();
            var hello = JSON.createObjectNode();
            hello.put("type", "hello");
            hello.put("num_connections", connections);
            var debug = hello.putObject("debug_info");
            debug.put("host", "applink-standin");
            debug.put("build_number", 1);
            debug.put("approximate_connection_time", 18060);
            hello.putObject("connection_info").put("app_id", APP_ID);
            send(ctx, hello);
        });
        ws.onMessage(ctx -> acknowledged(ctx.sessionId(), ctx.message()));
        ws.onClose(ctx -> forget(ctx.sessionId()));
        ws.onError(ctx -> forget(ctx.sessionId()));
    }

    /** The open connections' ids, oldest first. */
    public List<String> connections() {
        synchronized (open) {
            return List.copyOf(open.keySet());
        }
    }

    /** How many connections have been greeted with {@code hello} since the start (reconnections count). */
    public int hellos() {
        return hellos.get();
    }

    /**
     * Sends an envelope to the newest open connection, as Slack sends each request to one of the app's connections.
     *
     * @return the envelope's id, to find its acknowledgement with {@link #ack(String)}
     * @throws IllegalStateException when the app has no connection open
     */
    public String deliver(String type, ObjectNode payload, boolean acceptsResponsePayload) {
        var connection = newest().orElseThrow(() -> new IllegalStateException(
                "no Socket Mode connection is open: the app has not called apps.connections.open and connected"));
        var id = UUID.randomUUID().toString();
        var envelope = JSON.createObjectNode();
        envelope.put("envelope_id", id);
        envelope.put("type", type);
        envelope.set("payload", payload);
        envelope.put("accepts_response_payload", acceptsResponsePayload);
        if (type.equals("events_api")) {
            envelope.put("retry_attempt", 0);
            envelope.put("retry_reason", "");
        }
        pending.put(id, new Pending(type, payload));
        send(connection, envelope);
        return id;
    }

    /**
     * A slash command over the socket (type {@code slash_commands}), with a response_url of the stand-in's own; returns
     * the envelope id.
     */
    public String slashCommand(SlackRequests.Origin from, String command, String text) {
        var responseUrl = slack.responseUrl(from.channelId(), from.userId());
        return deliver("slash_commands", SlackRequests.slashCommandPayload(from, command, text, responseUrl), true);
    }

    /** A button click over the socket (type {@code interactive}); returns the envelope id. */
    public String blockAction(
            SlackRequests.Origin from, String actionId, String blockId, String value, ObjectNode message) {
        return deliver("interactive", SlackRequests.blockActionPayload(from, actionId, blockId, value, message), false);
    }

    /** Tells every open connection to reconnect ({@code disconnect}, {@code refresh_requested}); returns how many. */
    public int requestReconnect() {
        var disconnect = JSON.createObjectNode();
        disconnect.put("type", "disconnect");
        disconnect.put("reason", "refresh_requested");
        disconnect.putObject("debug_info").put("host", "applink-standin");
        List<WsContext> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
        }
        all.forEach(c -> send(c, disconnect));
        return all.size();
    }

    /** Closes every open connection from Slack's side, without warning (as when Slack's server goes away). */
    public void dropConnections() {
        List<WsContext> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
        }
        all.forEach(c -> c.closeSession(1001, "going away"));
    }

    /** The acknowledgement of an envelope, once the app has sent it. */
    public Optional<Ack> ack(String envelopeId) {
        return acks.stream().filter(a -> a.envelopeId().equals(envelopeId)).findFirst();
    }

    /** Every acknowledgement received, oldest first. */
    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    /** Envelopes sent and not acknowledged yet. */
    public Set<String> unacknowledged() {
        return Set.copyOf(pending.keySet());
    }

    private void acknowledged(String connection, String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (Exception e) {
            return; // Slack ignores what it cannot read
        }
        var id = message.path("envelope_id").asText("");
        var envelope = pending.remove(id);
        if (envelope == null) {
            return; // unknown, or acknowledged already
        }
        var payload = Optional.ofNullable(message.get("payload")).filter(p -> !p.isNull());
        if (envelope.type().equals("slash_commands") && payload.isPresent()) {
            slack.commandResponse(
                    envelope.payload().path("channel_id").asText(),
                    envelope.payload().path("user_id").asText(),
                    payload.get(),
                    Optional.ofNullable(envelope.payload().get("response_url")).map(JsonNode::asText));
        }
        acks.add(new Ack(id, connection, payload, Instant.now()));
    }

    private Optional<WsContext> newest() {
        synchronized (open) {
            WsContext last = null;
            for (var c : open.values()) {
                if (c.session.isOpen()) {
                    last = c;
                }
            }
            return Optional.ofNullable(last);
        }
    }

    private void forget(String connection) {
        synchronized (open) {
            open.remove(connection);
        }
    }

    private static void send(WsContext ctx, JsonNode message) {
        synchronized (ctx) {
            ctx.send(message.toString());
        }
    }
}
