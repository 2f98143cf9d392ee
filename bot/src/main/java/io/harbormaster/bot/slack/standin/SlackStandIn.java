package io.harbormaster.bot.slack.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the Slack Web API on loopback: the methods Harbormaster calls, with Slack's token and argument
 * checks and error codes, messages kept per channel and thread, and 429s with {@code Retry-After} on request. Point
 * Bolt at {@link #methodsUrlPrefix()} with {@code SlackConfig#setMethodsEndpointUrlPrefix}. The sandbox's console
 * reads the same state through {@code GET /_standin/state}. {@link #socketMode()} is Slack's Socket Mode on the same
 * server, for apps without public ingress. A {@code chat.getPermalink} link opens the message's thread as a web page,
 * here or on the server {@link #linkThreadsTo} names (the sandbox's console).
 */
public final class SlackStandIn implements AutoCloseable {
    /** Slack's top-level message text limit. */
    static final int MAX_TEXT = 40_000;

    /**
     * A workspace member as {@code users.info} describes them.
     *
     * @param email the address in their profile ({@code users.lookupByEmail} finds them by it); empty: none
     */
    public record User(String id, String name, String realName, String email) {
        /** A member without an email address in their profile. */
        public User(String id, String name, String realName) {
            this(id, name, realName, "");
        }
    }

    /** The bot token's scopes when nothing else is said: what slack-app.yml asks for. */
    public static final java.util.Set<String> APP_SCOPES =
            java.util.Set.copyOf(io.harbormaster.bot.slack.SlackSettings.SCOPES.keySet());

    /** A channel the bot is in. */
    public record Channel(String id, String name) {}

    /**
     * A message as the stand-in holds it.
     *
     * @param threadTs the parent's ts for a thread reply, empty for a top-level message
     * @param ephemeralTo the only user who sees it, empty for a normal message
     * @param edits how many times {@code chat.update} changed it
     */
    public record Message(
            String channel,
            String ts,
            Optional<String> threadTs,
            String user,
            String text,
            String blocksJson,
            boolean replyBroadcast,
            Optional<String> ephemeralTo,
            int edits) {

        /** The text and every text inside the blocks, for assertions that do not care where the words are. */
        public String allText() {
            return text + "\n" + blocksJson;
        }
    }

    /** One call that reached the stand-in, answered or not. */
    public record Call(String method, Map<String, String> args, Instant at, String error) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the stand-in's response URLs live on its server. */
    private static final String RESPOND = "/_standin/respond/";

    /** How many times Slack takes one response_url. */
    static final int RESPONSE_URL_USES = 5;

    /**
     * A slash command's response_url: whom and where it answers, how often it was used, and the message that a
     * {@code replace_original} replaces (the command's immediate answer once it is shown, or what replaced it).
     */
    private static final class Hook {
        final String channel;
        final String user;
        int uses;
        Optional<String> shownTs = Optional.empty();

        Hook(String channel, String user) {
            this.channel = channel;
            this.user = user;
        }
    }

    private final Map<String, Hook> hooks = new HashMap<>();

    private final String token;
    private final String teamId;
    private final String botUserId;
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> scopes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger rateLimitedCalls = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis() * 1000);
    private final SocketModeStandIn socketMode = new SocketModeStandIn(this);
    private final Javalin server;
    /** Where permalinks point: this server unless {@link #linkThreadsTo} says otherwise. */
    private volatile String permalinkBase;

    private SlackStandIn(String token, String teamId, String botUserId, List<User> users, List<Channel> channels) {
        this.token = token;
        this.teamId = teamId;
        this.botUserId = botUserId;
        users.forEach(u -> this.users.put(u.id(), u));
        channels.forEach(c -> this.channels.put(c.id(), c));
        this.scopes.addAll(APP_SCOPES);
        this.server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            // A stand-in has nothing to finish: stop at once instead of waiting for idle keep-alive connections.
            cfg.jetty.modifyServer(s -> s.setStopTimeout(0));
            cfg.routes.post("/api/{method}", this::handle);
            cfg.routes.get("/api/{method}", this::handle);
            cfg.routes.ws("/link", socketMode::configure);
            cfg.routes.get("/_standin/state", ctx -> ctx.contentType("application/json")
                    .result(JSON.writeValueAsString(state())));
            cfg.routes.get("/archives/{channel}/{message}", ctx -> serveThread(ctx, Optional.empty()));
            cfg.routes.post(RESPOND + "{hook}", this::respond);
        });
    }

    /**
     * Starts a stand-in on a free loopback port.
     *
     * @param token the bot token it accepts
     */
    public static SlackStandIn start(String token, List<User> users, List<Channel> channels) {
        var standIn = new SlackStandIn(token, "T0SANDBOX", "U0HARBORMASTER", users, channels);
        standIn.server.start("127.0.0.1", 0);
        return standIn;
    }

    /** What to give {@code SlackConfig#setMethodsEndpointUrlPrefix}. */
    public String methodsUrlPrefix() {
        return "http://127.0.0.1:" + server.port() + "/api/";
    }

    public int port() {
        return server.port();
    }

    /**
     * Makes {@code chat.getPermalink} answer {@code base/archives/CHANNEL/pTS} instead of this server's own address,
     * for a server in front (the sandbox's console) that serves those paths with {@link #serveThread}.
     */
    public void linkThreadsTo(java.net.URI base) {
        var s = base.toString();
        permalinkBase = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Answers {@code GET /archives/{channel}/{message}}, what a permalink opens, with the message's thread as a web
     * page (the parent and every reply everyone sees, escaped), or 404 with a line saying why.
     *
     * @param openInConsole the start of the link that opens a thread (its parent's ts follows) in a console, when a
     *     console serves the page
     */
    public void serveThread(Context ctx, Optional<String> openInConsole) {
        var channelParam = ctx.pathParam("channel");
        var messageParam = ctx.pathParam("message");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", ThreadPage.CONTENT_SECURITY_POLICY);
        var page = threadPage(channelParam, messageParam, openInConsole);
        if (page.isPresent()) {
            ctx.contentType("text/html; charset=utf-8").result(page.get());
        } else {
            ctx.status(404)
                    .contentType("text/plain; charset=utf-8")
                    .result("No message " + messageParam + " in channel " + channelParam + " here: the link may be"
                            + " from an earlier run with other data, or the message is gone.\n");
        }
    }

    /** The page {@link #serveThread} shows for a permalink's channel and {@code pTS} part, if they name a message. */
    synchronized Optional<String> threadPage(String channelId, String permalinkPart, Optional<String> openInConsole) {
        var channel = channel(channelId);
        var ts = ThreadPage.tsOf(permalinkPart);
        if (channel.isEmpty() || ts.isEmpty()) {
            return Optional.empty();
        }
        var id = channel.get().id();
        var linked = message(id, ts.get()).filter(m -> m.ephemeralTo().isEmpty());
        if (linked.isEmpty()) {
            return Optional.empty();
        }
        var parentTs = linked.get().threadTs().orElse(ts.get());
        var parent = message(id, parentTs).filter(m -> m.ephemeralTo().isEmpty());
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        var replies = replies(id, parentTs).stream()
                .filter(m -> m.ephemeralTo().isEmpty())
                .toList();
        return Optional.of(ThreadPage.render(
                channel.get(),
                parent.get(),
                replies,
                ts.get(),
                this::authorName,
                openInConsole.map(prefix -> prefix + parentTs)));
    }

    private String authorName(String userId) {
        if (userId.equals(botUserId)) {
            return "Harbormaster";
        }
        var user = users.get(userId);
        return user == null ? userId : user.realName();
    }

    public String botUserId() {
        return botUserId;
    }

    /** Slack's Socket Mode: off until {@link SocketModeStandIn#enable} names the app-level token. */
    public SocketModeStandIn socketMode() {
        return socketMode;
    }

    /** Answer the next {@code calls} calls with HTTP 429 and {@code Retry-After: retryAfterSeconds}. */
    public void rateLimitNext(int calls, int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
        rateLimitedCalls.set(calls);
    }

    /**
     * Takes {@code scope} from the bot token, as an app installed without it: the methods that need it answer
     * {@code missing_scope}, naming what was needed and what the token has.
     */
    public void revokeScope(String scope) {
        scopes.remove(scope);
    }

    /** Gives {@code scope} back to the bot token (see {@link #revokeScope}). */
    public void grantScope(String scope) {
        scopes.add(scope);
    }

    public synchronized void addChannel(Channel channel) {
        channels.put(channel.id(), channel);
    }

    public synchronized void addUser(User user) {
        users.put(user.id(), user);
    }

    /** Every call received, oldest first. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Top-level messages in a channel, oldest first (ephemeral ones excluded). */
    public synchronized List<Message> messages(String channel) {
        return messages.stream()
                .filter(m -> m.channel().equals(channel)
                        && m.threadTs().isEmpty()
                        && m.ephemeralTo().isEmpty())
                .toList();
    }

    /** The replies in a thread, oldest first. */
    public synchronized List<Message> replies(String channel, String threadTs) {
        return messages.stream()
                .filter(m -> m.channel().equals(channel) && m.threadTs().equals(Optional.of(threadTs)))
                .toList();
    }

    /** Ephemeral messages shown in a channel, oldest first. */
    public synchronized List<Message> ephemerals(String channel) {
        return messages.stream()
                .filter(m -> m.channel().equals(channel) && m.ephemeralTo().isPresent())
                .toList();
    }

    /** Every message in every channel, oldest first. */
    public synchronized List<Message> allMessages() {
        return List.copyOf(messages);
    }

    public synchronized Optional<Message> message(String channel, String ts) {
        return messages.stream()
                .filter(m -> m.channel().equals(channel) && m.ts().equals(ts))
                .findFirst();
    }

    /**
     * Posts a message as a person in the channel (or in a thread), as the sandbox console's composer does. The bot is
     * not told: Harbormaster subscribes to no message events.
     */
    public synchronized Message postAsUser(String channel, String user, String text, Optional<String> threadTs) {
        var c = channel(channel).orElseThrow(() -> new IllegalArgumentException("no channel " + channel));
        if (!users.containsKey(user)) {
            throw new IllegalArgumentException("no user " + user);
        }
        var m = new Message(c.id(), nextTs(), threadTs, user, text, "[]", false, Optional.empty(), 0);
        messages.add(m);
        return m;
    }

    /**
     * Shows {@code user} an ephemeral message, as Slack does with a slash command's or a button's immediate response
     * ({@code response_type: ephemeral} in the HTTP answer rather than a {@code chat.postEphemeral} call).
     */
    public synchronized Message showEphemeral(String channel, String user, String text, String blocksJson) {
        var c = channel(channel).orElseThrow(() -> new IllegalArgumentException("no channel " + channel));
        var m = new Message(
                c.id(), nextTs(), Optional.empty(), botUserId, text, blocksJson, false, Optional.of(user), 0);
        messages.add(m);
        return m;
    }

    /**
     * A fresh {@code response_url} for a slash command {@code user} types in {@code channel}, as Slack sends one with
     * each command: a POST of a message to it (JSON) shows it to the person, or with {@code replace_original} puts it
     * in place of the command's immediate answer ({@link #showCommandAnswer}), or with {@code delete_original} takes
     * that away. Like Slack's, it is taken {@value #RESPONSE_URL_USES} times.
     */
    public synchronized String responseUrl(String channel, String user) {
        var id = java.util.UUID.randomUUID().toString().replace("-", "");
        hooks.put(id, new Hook(channel, user));
        return "http://127.0.0.1:" + server.port() + RESPOND + id;
    }

    /**
     * Shows a slash command's immediate answer (its acknowledgement's text and blocks) as Slack does, to the person only
     * unless {@code inChannel}; when the command came with {@code responseUrl} (one of {@link #responseUrl}), it is the
     * message a {@code replace_original} sent there replaces. Slack shows an acknowledgement before anything the app
     * sends later: an answer whose response_url already replaced it is not shown. Content Slack would refuse is
     * recorded as a failed call.
     */
    public synchronized Optional<Message> showCommandAnswer(
            String channel,
            String user,
            String text,
            String blocksJson,
            boolean inChannel,
            Optional<String> responseUrl) {
        var hook = responseUrl.flatMap(this::hookId).map(hooks::get);
        if (hook.isPresent() && hook.get().shownTs.isPresent()) {
            return Optional.empty(); // replaced already
        }
        var args = new HashMap<String, String>();
        args.put("text", text);
        args.put("blocks", normalized(blocksJson.isBlank() ? "[]" : blocksJson));
        var refused = content(args);
        if (refused.isPresent()) {
            calls.add(new Call(
                    "command.response",
                    Map.of(),
                    Instant.now(),
                    refused.get().path("error").asText()));
            return Optional.empty();
        }
        var c = channel(channel).orElseThrow(() -> new IllegalArgumentException("no channel " + channel));
        var m = new Message(
                c.id(),
                nextTs(),
                Optional.empty(),
                botUserId,
                text,
                args.get("blocks"),
                false,
                inChannel ? Optional.empty() : Optional.of(user),
                0);
        messages.add(m);
        hook.ifPresent(h -> h.shownTs = Optional.of(m.ts()));
        return Optional.of(m);
    }

    /** The hook id of one of this stand-in's response URLs. */
    private Optional<String> hookId(String responseUrl) {
        var prefix = "http://127.0.0.1:" + server.port() + RESPOND;
        return responseUrl.startsWith(prefix) ? Optional.of(responseUrl.substring(prefix.length())) : Optional.empty();
    }

    /**
     * {@code POST} to a response_url, answered as Slack answers one: {@code ok}, or HTTP 404 for a URL it does not
     * know or that was used up, 400 for a body that is not a message it would show.
     */
    private void respond(Context ctx) {
        var id = ctx.pathParam("hook");
        JsonNode body;
        try {
            body = JSON.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            body = null;
        }
        var error = body != null && body.isObject() ? respond(id, body) : "invalid_payload";
        if (error.equals("invalid_payload")) {
            calls.add(new Call("response_url", Map.of(), Instant.now(), error));
        }
        ctx.status(error.isEmpty() ? 200 : error.equals("no_active_hooks") || error.equals("used_url") ? 404 : 400)
                .contentType("text/plain; charset=utf-8")
                .result(error.isEmpty() ? "ok" : error);
    }

    /**
     * What a response_url does with {@code body}; empty when it was taken, else Slack's error. The call is recorded with
     * what it did, at once: whoever sees its effect sees the call.
     */
    private synchronized String respond(String id, JsonNode body) {
        var error = respondTo(id, body);
        calls.add(new Call("response_url", Map.of(), Instant.now(), error));
        return error;
    }

    private String respondTo(String id, JsonNode body) {
        var hook = hooks.get(id);
        if (hook == null) {
            return "no_active_hooks";
        }
        if (++hook.uses > RESPONSE_URL_USES) {
            return "used_url";
        }
        int original = -1;
        for (int i = 0; i < messages.size() && hook.shownTs.isPresent(); i++) {
            var m = messages.get(i);
            if (m.channel().equals(hook.channel) && m.ts().equals(hook.shownTs.get())) {
                original = i;
            }
        }
        if (body.path("delete_original").asBoolean(false)) {
            if (original >= 0) {
                messages.remove(original);
            }
            return "";
        }
        var args = new HashMap<String, String>();
        args.put("text", body.path("text").asText(""));
        if (body.has("blocks") && !body.get("blocks").isNull()) {
            args.put("blocks", normalized(body.get("blocks").toString()));
        }
        var refused = content(args);
        if (refused.isPresent()) {
            return refused.get().path("error").asText();
        }
        boolean inChannel = body.path("response_type").asText("").equals("in_channel");
        boolean replace = body.path("replace_original").asBoolean(false);
        if (replace && original >= 0) {
            var old = messages.get(original);
            messages.set(
                    original,
                    new Message(
                            old.channel(),
                            old.ts(),
                            old.threadTs(),
                            old.user(),
                            args.get("text"),
                            args.getOrDefault("blocks", "[]"),
                            false,
                            old.ephemeralTo(),
                            old.edits() + 1));
            return "";
        }
        var m = new Message(
                hook.channel,
                nextTs(),
                Optional.empty(),
                botUserId,
                args.get("text"),
                args.getOrDefault("blocks", "[]"),
                false,
                inChannel ? Optional.empty() : Optional.of(hook.user),
                0);
        messages.add(m);
        if (replace) {
            hook.shownTs = Optional.of(m.ts()); // it stands for the answer not shown yet
        }
        return "";
    }

    /** Every message as JSON, which {@link #load} reads back, so that a sandbox started again shows the same channel. */
    public synchronized String saved() {
        var list = JSON.createArrayNode();
        for (var m : messages) {
            var o = list.addObject();
            o.put("channel", m.channel());
            o.put("ts", m.ts());
            m.threadTs().ifPresent(t -> o.put("thread_ts", t));
            o.put("user", m.user());
            o.put("text", m.text());
            o.put("blocks", m.blocksJson());
            o.put("reply_broadcast", m.replyBroadcast());
            m.ephemeralTo().ifPresent(u -> o.put("ephemeral_to", u));
            o.put("edits", m.edits());
        }
        return list.toString();
    }

    /** Reads back what {@link #saved} gave; the messages come before any message posted from now on. */
    public synchronized void load(java.nio.file.Path file) throws java.io.IOException {
        var list = JSON.readTree(file.toFile());
        if (list == null || !list.isArray()) {
            throw new java.io.IOException(file + " is not a saved Slack stand-in (expected a JSON array)");
        }
        long latest = 0;
        for (var o : list) {
            var m = new Message(
                    o.path("channel").asText(),
                    o.path("ts").asText(),
                    Optional.ofNullable(o.get("thread_ts")).map(JsonNode::asText),
                    o.path("user").asText(),
                    o.path("text").asText(),
                    o.path("blocks").asText("[]"),
                    o.path("reply_broadcast").asBoolean(),
                    Optional.ofNullable(o.get("ephemeral_to")).map(JsonNode::asText),
                    o.path("edits").asInt());
            messages.add(m);
            var parts = m.ts().split("\\.");
            if (parts.length == 2) {
                latest = Math.max(latest, Long.parseLong(parts[0]) * 1_000_000 + Long.parseLong(parts[1]));
            }
        }
        long last = latest;
        clock.updateAndGet(prev -> Math.max(prev, last));
    }

    @Override
    public void close() {
        server.stop();
    }

    private void handle(Context ctx) throws Exception {
        var method = ctx.pathParam("method");
        var args = args(ctx);
        if (rateLimitedCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            calls.add(new Call(method, redacted(args), Instant.now(), "ratelimited"));
            ctx.status(429).header("Retry-After", Integer.toString(retryAfterSeconds));
            json(ctx, error("ratelimited"));
            return;
        }
        var given = bearer(ctx).or(() -> Optional.ofNullable(args.get("token")));
        ObjectNode answer;
        if (given.isEmpty() || given.get().isBlank()) {
            answer = error("not_authed");
        } else if (socketMode.isAppToken(given.get())) {
            // An app-level token opens Socket Mode connections and says whose it is (Slack's client asks auth.test
            // for the team before calling apps.connections.open); every other method refuses it.
            answer = switch (method) {
                case "apps.connections.open" -> socketMode.openConnection(server.port());
                case "auth.test" -> appAuthTest();
                default -> error("not_allowed_token_type");
            };
        } else if (!given.get().equals(token)) {
            answer = error("invalid_auth");
        } else {
            // as Slack does, every answer to the bot token says which scopes the token has
            ctx.header("x-oauth-scopes", String.join(",", new java.util.TreeSet<>(scopes)));
            answer = switch (method) {
                case "apps.connections.open" -> error("not_allowed_token_type");
                case "auth.test" -> authTest();
                case "chat.postMessage" -> postMessage(args);
                case "chat.update" -> update(args);
                case "chat.postEphemeral" -> postEphemeral(args);
                case "chat.getPermalink" -> permalink(args);
                case "users.info" -> usersInfo(args);
                case "users.lookupByEmail" -> lookupByEmail(args);
                case "conversations.info" -> conversationsInfo(args);
                default -> error("unknown_method");
            };
        }
        calls.add(new Call(
                method, redacted(args), Instant.now(), answer.path("error").asText("")));
        json(ctx, answer);
    }

    private ObjectNode authTest() {
        var o = ok();
        o.put("url", "http://127.0.0.1:" + server.port() + "/");
        o.put("team", "Harbormaster sandbox");
        o.put("user", "harbormaster");
        o.put("team_id", teamId);
        o.put("user_id", botUserId);
        o.put("bot_id", "B0HARBORMASTER");
        o.put("is_enterprise_install", false);
        return o;
    }

    private ObjectNode appAuthTest() {
        var o = ok();
        o.put("url", "http://127.0.0.1:" + server.port() + "/");
        o.put("team", "Harbormaster sandbox");
        o.put("team_id", teamId);
        o.put("app_id", SocketModeStandIn.APP_ID);
        o.put("is_enterprise_install", false);
        return o;
    }

    private synchronized ObjectNode postMessage(Map<String, String> args) {
        var channel = channel(args.get("channel"));
        if (channel.isEmpty()) {
            return error("channel_not_found");
        }
        var content = content(args);
        if (content.isPresent()) {
            return content.get();
        }
        var thread = Optional.ofNullable(args.get("thread_ts")).filter(s -> !s.isBlank());
        var m = new Message(
                channel.get().id(),
                nextTs(),
                thread,
                botUserId,
                args.getOrDefault("text", ""),
                args.getOrDefault("blocks", "[]"),
                thread.isPresent() && truthy(args.get("reply_broadcast")),
                Optional.empty(),
                0);
        messages.add(m);
        var o = ok();
        o.put("channel", m.channel());
        o.put("ts", m.ts());
        o.set("message", messageJson(m));
        return o;
    }

    private synchronized ObjectNode update(Map<String, String> args) {
        var channel = channel(args.get("channel"));
        if (channel.isEmpty()) {
            return error("channel_not_found");
        }
        var ts = args.getOrDefault("ts", "");
        var index = -1;
        for (int i = 0; i < messages.size(); i++) {
            var m = messages.get(i);
            if (m.channel().equals(channel.get().id())
                    && m.ts().equals(ts)
                    && m.ephemeralTo().isEmpty()) {
                index = i;
            }
        }
        if (index < 0) {
            return error("message_not_found");
        }
        var old = messages.get(index);
        if (!old.user().equals(botUserId)) {
            return error("cant_update_message");
        }
        var content = content(args);
        if (content.isPresent()) {
            return content.get();
        }
        var m = new Message(
                old.channel(),
                old.ts(),
                old.threadTs(),
                old.user(),
                args.getOrDefault("text", ""),
                args.getOrDefault("blocks", "[]"),
                old.replyBroadcast(),
                Optional.empty(),
                old.edits() + 1);
        messages.set(index, m);
        var o = ok();
        o.put("channel", m.channel());
        o.put("ts", m.ts());
        o.put("text", m.text());
        return o;
    }

    private synchronized ObjectNode postEphemeral(Map<String, String> args) {
        var channel = channel(args.get("channel"));
        if (channel.isEmpty()) {
            return error("channel_not_found");
        }
        var user = args.get("user");
        if (user == null || !users.containsKey(user)) {
            return error("user_not_in_channel");
        }
        var content = content(args);
        if (content.isPresent()) {
            return content.get();
        }
        var m = new Message(
                channel.get().id(),
                nextTs(),
                Optional.ofNullable(args.get("thread_ts")).filter(s -> !s.isBlank()),
                botUserId,
                args.getOrDefault("text", ""),
                args.getOrDefault("blocks", "[]"),
                false,
                Optional.of(user),
                0);
        messages.add(m);
        var o = ok();
        o.put("message_ts", m.ts());
        return o;
    }

    private synchronized ObjectNode permalink(Map<String, String> args) {
        var channel = channel(args.get("channel"));
        if (channel.isEmpty()) {
            return error("channel_not_found");
        }
        var ts = args.getOrDefault("message_ts", "");
        if (message(channel.get().id(), ts).isEmpty()) {
            return error("message_not_found");
        }
        var o = ok();
        o.put("channel", channel.get().id());
        o.put(
                "permalink",
                (permalinkBase != null ? permalinkBase : "http://127.0.0.1:" + server.port()) + "/archives/"
                        + channel.get().id() + "/p" + ts.replace(".", ""));
        return o;
    }

    private synchronized ObjectNode usersInfo(Map<String, String> args) {
        if (!scopes.contains("users:read")) {
            return missingScope("users:read");
        }
        var user = users.get(args.getOrDefault("user", ""));
        if (user == null) {
            return error("user_not_found");
        }
        var o = ok();
        userJson(o.putObject("user"), user);
        return o;
    }

    /**
     * {@code users.lookupByEmail}: the member whose profile has the address (Slack compares addresses without regard
     * to case), {@code users_not_found} when none has, {@code invalid_arguments} without one, and
     * {@code missing_scope} for a token without {@code users:read.email}.
     */
    private synchronized ObjectNode lookupByEmail(Map<String, String> args) {
        if (!scopes.contains("users:read.email")) {
            return missingScope("users:read.email");
        }
        var email = args.getOrDefault("email", "").strip();
        if (email.isEmpty()) {
            var e = error("invalid_arguments");
            e.putObject("response_metadata").putArray("messages").add("[ERROR] missing required field: email");
            return e;
        }
        var user = users.values().stream()
                .filter(u -> !u.email().isBlank() && u.email().strip().equalsIgnoreCase(email))
                .findFirst();
        if (user.isEmpty()) {
            return error("users_not_found");
        }
        var o = ok();
        userJson(o.putObject("user"), user.get());
        return o;
    }

    private ObjectNode missingScope(String needed) {
        var e = error("missing_scope");
        e.put("needed", needed);
        e.put("provided", String.join(",", new java.util.TreeSet<>(scopes)));
        return e;
    }

    /** A user object as Slack's users methods give it; the profile's email only with {@code users:read.email}. */
    private void userJson(ObjectNode u, User user) {
        u.put("id", user.id());
        u.put("team_id", teamId);
        u.put("name", user.name());
        u.put("real_name", user.realName());
        u.put("is_bot", false);
        u.put("deleted", false);
        var profile = u.putObject("profile");
        profile.put("real_name", user.realName());
        profile.put("display_name", user.name());
        if (!user.email().isBlank() && scopes.contains("users:read.email")) {
            profile.put("email", user.email());
        }
    }

    private synchronized ObjectNode conversationsInfo(Map<String, String> args) {
        var channel = channel(args.get("channel"));
        if (channel.isEmpty()) {
            return error("channel_not_found");
        }
        var o = ok();
        var c = o.putObject("channel");
        c.put("id", channel.get().id());
        c.put("name", channel.get().name());
        c.put("is_channel", true);
        c.put("is_member", true);
        c.put("is_archived", false);
        return o;
    }

    /**
     * Shows a slash command's response (a Socket Mode acknowledgement's payload) as Slack does
     * ({@link #showCommandAnswer}), as the answer to the command's {@code responseUrl}.
     */
    synchronized void commandResponse(
            String channelId, String userId, JsonNode response, Optional<String> responseUrl) {
        showCommandAnswer(
                channelId,
                userId,
                response.path("text").asText(""),
                response.has("blocks") ? response.get("blocks").toString() : "[]",
                response.path("response_type").asText("").equals("in_channel"),
                responseUrl);
    }

    /** The error for missing or unacceptable message content, if there is one. */
    private Optional<ObjectNode> content(Map<String, String> args) {
        var text = args.getOrDefault("text", "");
        var blocks = args.getOrDefault("blocks", "");
        if (text.isBlank() && (blocks.isBlank() || blocks.equals("[]")) && !args.containsKey("attachments")) {
            return Optional.of(error("no_text"));
        }
        if (text.length() > MAX_TEXT) {
            return Optional.of(error("msg_too_long"));
        }
        if (!blocks.isBlank()) {
            var problems = BlockKitLimits.violations(blocks);
            if (!problems.isEmpty()) {
                var e = error("invalid_blocks");
                var meta = e.putObject("response_metadata").putArray("messages");
                problems.forEach(p -> meta.add("[ERROR] " + p));
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** A channel by id, or by name with or without {@code #}, as Slack accepts either. */
    private synchronized Optional<Channel> channel(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            return Optional.empty();
        }
        if (channels.containsKey(idOrName)) {
            return Optional.of(channels.get(idOrName));
        }
        var name = idOrName.startsWith("#") ? idOrName.substring(1) : idOrName;
        return channels.values().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private String nextTs() {
        // Unique and increasing, in Slack's seconds.micros form.
        long micros = clock.updateAndGet(prev -> Math.max(prev + 1, System.currentTimeMillis() * 1000));
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private static Optional<String> bearer(Context ctx) {
        var header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).strip());
    }

    /** The arguments from the query string, a form body, or a JSON body, as Slack accepts all three. */
    private static Map<String, String> args(Context ctx) throws Exception {
        var args = new HashMap<String, String>();
        ctx.queryParamMap().forEach((k, v) -> args.put(k, v.getFirst()));
        var type = ctx.contentType() == null ? "" : ctx.contentType();
        if (type.startsWith("application/json")) {
            var body = JSON.readTree(ctx.bodyAsBytes());
            if (body != null && body.isObject()) {
                body.properties().forEach(e -> args.put(e.getKey(), jsonArg(e.getValue())));
            }
        } else if (type.startsWith("application/x-www-form-urlencoded")) {
            ctx.formParamMap().forEach((k, v) -> args.put(k, v.getFirst()));
        }
        // Kept as plain JSON: clients may escape '<' and '>' as \u003c, which says the same thing less readably.
        args.computeIfPresent("blocks", (k, v) -> normalized(v));
        return args;
    }

    /** Slack reads booleans as {@code true} or {@code 1}. */
    private static boolean truthy(String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
    }

    private static String normalized(String json) {
        try {
            return JSON.readTree(json).toString();
        } catch (Exception e) {
            return json;
        }
    }

    private static String jsonArg(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static Map<String, String> redacted(Map<String, String> args) {
        var copy = new HashMap<>(args);
        copy.computeIfPresent("token", (k, v) -> "[redacted]");
        return Map.copyOf(copy);
    }

    private static ObjectNode ok() {
        var o = JSON.createObjectNode();
        o.put("ok", true);
        return o;
    }

    private static ObjectNode error(String code) {
        var o = JSON.createObjectNode();
        o.put("ok", false);
        o.put("error", code);
        return o;
    }

    /** A message as Slack shows it to the bot (e.g. inside a button click's payload). */
    public static ObjectNode asSlackJson(Message m) {
        return messageJson(m);
    }

    private static ObjectNode messageJson(Message m) {
        var o = JSON.createObjectNode();
        o.put("type", "message");
        o.put("user", m.user());
        o.put("text", m.text());
        o.put("ts", m.ts());
        m.threadTs().ifPresent(t -> o.put("thread_ts", t));
        try {
            o.set("blocks", JSON.readTree(m.blocksJson()));
        } catch (Exception e) {
            o.putArray("blocks");
        }
        return o;
    }

    private static void json(Context ctx, ObjectNode body) {
        ctx.contentType("application/json; charset=utf-8").result(body.toString());
    }

    private synchronized Map<String, Object> state() {
        var out = new LinkedHashMap<String, Object>();
        out.put("channels", List.copyOf(channels.values()));
        out.put("users", List.copyOf(users.values()));
        var list = JSON.createArrayNode();
        for (var m : messages) {
            var o = messageJson(m);
            o.put("channel", m.channel());
            o.put("reply_broadcast", m.replyBroadcast());
            m.ephemeralTo().ifPresent(u -> o.put("ephemeral_to", u));
            o.put("edits", m.edits());
            list.add(o);
        }
        out.put("messages", list);
        return out;
    }
}
