package io.harbormaster.bot.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.IntakeResult;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.sandbox.SimulatedCi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The sandbox's web console: a page that looks and behaves like a Slack channel (served at {@code /}) and the small
 * JSON API it calls. Reading shows the Slack stand-in's messages; writing sends the bot exactly what Slack would (a
 * signed slash command, a signed button click), so what the console exercises is the production code. It also drives
 * the simulation: announcing or deploying a build from the simulated CI, and injecting faults into versions.
 *
 * <p>The console has no login: whoever reaches it can act as any persona. The sandbox listens on loopback unless told
 * otherwise.
 */
final class SandboxConsole {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMAND = Pattern.compile("(/[a-z][a-z0-9_-]*)(?:\\s+(.*))?", Pattern.DOTALL);
    private static final Map<String, String> ASSETS = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    /** Longest text the composer sends, as Slack's own composer. */
    private static final int MAX_TEXT = 4000;

    private final Sandbox sandbox;
    /** This machine's name, a Host the console accepts when it listens beyond loopback. */
    private final String machineName;

    SandboxConsole(Sandbox sandbox) {
        this.sandbox = sandbox;
        // Looked up once, and only by a console that listens beyond loopback (the only one that accepts it).
        this.machineName =
                LOOPBACK_NAMES.contains(sandbox.listenHost().toLowerCase(Locale.ROOT)) ? "" : lookUpMachineName();
    }

    void routes(RoutesConfig routes) {
        routes.get("/", ctx -> asset(ctx, "index.html", "text/html; charset=utf-8"));
        routes.get("/console/{asset}", ctx -> {
            var name = ctx.pathParam("asset");
            var type = ASSETS.get(name);
            if (type == null) {
                ctx.status(404).result("no such file");
                return;
            }
            asset(ctx, name, type);
        });
        // What a thread permalink opens (the stand-in links threads here): the thread as a page, which links back
        // to the console with the thread open.
        routes.get("/archives/{channel}/{message}", guarded(ctx -> sandbox.slack()
                .serveThread(ctx, Optional.of("/#thread="))));
        routes.get("/console/api/state", guarded(this::state));
        routes.post("/console/api/command", guarded(withBody(this::command)));
        routes.post("/console/api/action", guarded(withBody(this::action)));
        routes.post("/console/api/message", guarded(withBody(this::message)));
        routes.post("/console/api/ci", guarded(withBody(this::ci)));
        routes.post("/console/api/fault", guarded(withBody(this::fault)));
    }

    /**
     * The API answers only the console's own page. Another site open in the same browser cannot use it: a write must
     * be JSON (which a cross-site form cannot send without the browser asking first) from the console's own origin,
     * and a DNS name rebound to this machine is refused by the Host check, on reads too.
     */
    private Handler guarded(Handler handler) {
        return ctx -> {
            var refusal = refusal(ctx);
            if (refusal.isPresent()) {
                refuse(ctx, 403, refusal.get());
                return;
            }
            handler.handle(ctx);
        };
    }

    private Optional<String> refusal(Context ctx) {
        var host = ctx.header("Host");
        if (host == null || !allowedHost(host)) {
            return Optional.of("the console answers at " + sandbox.address() + ", not at host '" + host + "'");
        }
        if (ctx.method() == HandlerType.POST) {
            var type = ctx.header("Content-Type");
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                return Optional.of("console requests must be sent as application/json");
            }
            var origin = ctx.header("Origin");
            if (origin != null
                    && !origin.equalsIgnoreCase("http://" + host)
                    && !origin.equalsIgnoreCase("https://" + host)) { // https: behind a proxy that ends TLS
                return Optional.of("a request from " + origin + " is not from the console's page; open "
                        + sandbox.address() + " instead");
            }
        }
        return Optional.empty();
    }

    /**
     * A Host header the console accepts, on any port (a port forward or a proxy may change it): a loopback name or
     * address, or a name given with --allow-host; when the console listens beyond loopback, also an IP address, the
     * name it was given with --host, or this machine's name. A DNS rebinding attack needs a name its author controls, which none of these is.
     */
    private boolean allowedHost(String host) {
        String name;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = host.substring(0, end + 1);
        } else {
            int colon = host.indexOf(':');
            name = colon < 0 ? host : host.substring(0, colon);
        }
        name = name.toLowerCase(Locale.ROOT);
        if (LOOPBACK_NAMES.contains(name) || sandbox.allowedHosts().contains(name)) {
            return true;
        }
        var listen = sandbox.listenHost().toLowerCase(Locale.ROOT);
        if (LOOPBACK_NAMES.contains(listen)) {
            return false;
        }
        return name.equals(listen) || IP_LITERAL.matcher(name).matches() || name.equals(machineName);
    }

    private static final java.util.Set<String> LOOPBACK_NAMES = java.util.Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-f:.]+]");

    private static String lookUpMachineName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What the console's page may load and who may frame it: its own script and style sheet, its own API, nothing
     * else. The page escapes every text it shows; this is the second line, should one slip through (an injected
     * script or inline handler does not run). No other site may frame it: the console acts as any persona without a
     * login, so a page that framed it could trick a click on Approve.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private void asset(Context ctx, String name, String type) throws IOException {
        try (InputStream in = SandboxConsole.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                ctx.status(500).result(name + " is missing from the jar");
                return;
            }
            ctx.header("Cache-Control", "no-store")
                    .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .header("X-Frame-Options", "DENY")
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .contentType(type)
                    .result(in.readAllBytes());
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    private void state(Context ctx) throws IOException {
        var o = JSON.createObjectNode();
        o.put("workspace", "Harbormaster sandbox");
        o.put("timing", Sandbox.TIMING);
        var channel = o.putObject("channel");
        channel.put("id", Sandbox.CHANNEL);
        channel.put("name", Sandbox.CHANNEL_NAME);
        var personas = o.putArray("personas");
        for (var p : Sandbox.PERSONAS) {
            var n = personas.addObject();
            n.put("id", p.id());
            n.put("name", p.name());
            n.put("real_name", p.realName());
            n.put("role", p.role());
            n.put("can", p.can());
        }
        o.set("messages", messages());
        var builds = o.putArray("builds");
        for (var b : sandbox.ci().builds()) {
            var n = builds.addObject();
            n.put("service", b.service());
            n.put("version", b.version());
            n.put("kind", b.kind().name().toLowerCase());
            n.put("kind_label", b.kind().label());
            n.put("title", b.title());
            n.put("fault", faultName(b));
            n.put(
                    "announced",
                    sandbox.bot().builds().find(b.service(), b.version()).isPresent());
        }
        var services = o.putArray("services");
        for (var name : sandbox.config().catalog().services().keySet()) {
            var n = services.addObject();
            n.put("service", name);
            var tracks = sandbox.cluster().workloads(sandbox.target(name));
            for (var track : Track.values()) {
                var w = tracks.get(track);
                if (w != null) {
                    var t = n.putObject(track.label());
                    t.put("version", versionOf(w.image()));
                    t.put("replicas", w.replicas());
                    t.put("ready", w.ready());
                }
            }
        }
        ctx.header("Cache-Control", "no-store");
        json(ctx, o);
    }

    private JsonNode messages() {
        var list = JSON.createArrayNode();
        for (var m : sandbox.slack().allMessages()) {
            var n = SlackStandIn.asSlackJson(m);
            n.put("channel", m.channel());
            n.put("reply_broadcast", m.replyBroadcast());
            m.ephemeralTo().ifPresent(u -> n.put("ephemeral_to", u));
            n.put("edited", m.edits() > 0);
            list.add(n);
        }
        return list;
    }

    private String faultName(SimulatedCi.Build b) {
        if (sandboxCrashes(b)) {
            return "crash";
        }
        var f = sandbox.metrics().fault(b.service(), b.version());
        if (!Double.isNaN(f.errorRate())) {
            return "errors";
        }
        return f.latencyFactor() > 1 ? "slow" : "none";
    }

    private boolean sandboxCrashes(SimulatedCi.Build b) {
        return sandbox.files().crashes(b.image());
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * A slash command typed in the composer, sent to the bot as Slack sends it; the immediate answer is shown (by
     * {@link SlackRequests}, which plays Slack's part).
     */
    private void command(Context ctx, JsonNode body) {
        var user = persona(ctx, body);
        var text = text(ctx, body, "text");
        if (user == null || text == null) {
            return;
        }
        var m = COMMAND.matcher(text.strip());
        if (!m.matches()) {
            refuse(ctx, "a slash command starts with / and its name, such as /deploy help");
            return;
        }
        var command = m.group(1);
        var args = m.group(2) == null ? "" : m.group(2).strip();
        if (!command.equals("/deploy") && !command.equals("/audit")) {
            // Slack itself answers for commands no app in the workspace registered.
            sandbox.slack()
                    .showEphemeral(
                            Sandbox.CHANNEL,
                            user.id(),
                            command + " is not a valid command. This workspace has /deploy and /audit.",
                            "[]");
            json(ctx, Map.of("ok", true));
            return;
        }
        // the immediate answer is shown as Slack shows it, where the answer that follows may replace it
        var response = sandbox.requests().slashCommand(origin(user), command, args);
        json(ctx, Map.of("ok", true, "status", response.statusCode()));
    }

    /** A button clicked in a message: the click is sent to the bot with the message as Slack holds it. */
    private void action(Context ctx, JsonNode body) {
        var user = persona(ctx, body);
        var ts = text(ctx, body, "ts");
        var actionId = text(ctx, body, "action_id");
        if (user == null || ts == null || actionId == null) {
            return;
        }
        var message = sandbox.slack().message(Sandbox.CHANNEL, ts);
        if (message.isEmpty()) {
            refuse(ctx, "no message " + ts + " in #" + Sandbox.CHANNEL_NAME + "; reload the page");
            return;
        }
        var response = sandbox.requests()
                .blockAction(
                        origin(user),
                        actionId,
                        body.path("block_id").asText(""),
                        body.path("value").asText(""),
                        SlackStandIn.asSlackJson(message.get()));
        showAnswer(user, response, "that button");
        json(ctx, Map.of("ok", true, "status", response.statusCode()));
    }

    /** A plain message typed in the composer: it stays in the channel (the bot reads no messages). */
    private void message(Context ctx, JsonNode body) {
        var user = persona(ctx, body);
        var text = text(ctx, body, "text");
        if (user == null || text == null) {
            return;
        }
        var thread = Optional.of(body.path("thread_ts").asText("")).filter(s -> !s.isBlank());
        if (thread.isPresent()
                && sandbox.slack().message(Sandbox.CHANNEL, thread.get()).isEmpty()) {
            refuse(ctx, "no thread " + thread.get() + " in #" + Sandbox.CHANNEL_NAME + "; reload the page");
            return;
        }
        sandbox.slack().postAsUser(Sandbox.CHANNEL, user.id(), text, thread);
        json(ctx, Map.of("ok", true));
    }

    /**
     * The simulated CI announces a build again, or asks for its deploy as a pipeline's deploy stage would; answered
     * with what became of it ({@link #ciAnswer}).
     */
    private void ci(Context ctx, JsonNode body) throws Exception {
        // "yes", 1 or "true" would be read as false and announce a build that was meant to be deployed: refused
        var deployNode = body.path("deploy");
        if (!deployNode.isMissingNode() && !deployNode.isNull() && !deployNode.isBoolean()) {
            refuse(
                    ctx,
                    "deploy is "
                            + (deployNode.toString().length() <= 40
                                    ? deployNode
                                    : "a long "
                                            + deployNode.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                            + ": it must be true (announce the build and ask for its deploy) or"
                            + " false (announce it only), as a JSON boolean without quotes, or left out (false)");
            return;
        }
        var build = build(ctx, body);
        if (build == null) {
            return;
        }
        boolean deploy = deployNode.asBoolean(false);
        var result = sandbox.announce(build, deploy).get(10, java.util.concurrent.TimeUnit.SECONDS);
        var answer = ciAnswer(build.service() + " " + build.version(), deploy, result);
        // refused as the HTTP API refuses it (409), and not taken as a request to try again later (503)
        ctx.status(answer.ok() ? 200 : answer.outcome().equals(CI_REFUSED) ? 409 : 503);
        json(ctx, answer.json());
    }

    /** The outcome of a CI request that Harbormaster refused, as {@link CiAnswer#outcome} says it. */
    static final String CI_REFUSED = "refused";

    /**
     * What became of a CI request, as the console shows it: {@code ok}, the {@code outcome} ({@code accepted},
     * {@code duplicate}, {@code refused}, or {@code not_taken} when the intake gave up on it), the deploy it started or
     * found ({@code deploy_id}, none for an announcement alone), Harbormaster's reason for a refusal, and the sentence
     * the console shows ({@code message} when it went through, {@code error} when not).
     */
    record CiAnswer(boolean ok, String outcome, OptionalLong deployId, String reason, String words) {
        Map<String, Object> json() {
            var o = new LinkedHashMap<String, Object>();
            o.put("ok", ok);
            o.put("outcome", outcome);
            o.put("deploy_id", deployId.isPresent() ? deployId.getAsLong() : null);
            if (!reason.isEmpty()) {
                o.put("reason", reason);
            }
            o.put(ok ? "message" : "error", words);
            return o;
        }
    }

    /** {@code result} of CI's request for {@code what} ("checkout 1.4.1"), a deploy of it when {@code deploy}. */
    static CiAnswer ciAnswer(String what, boolean deploy, IntakeResult result) {
        return switch (result) {
            case IntakeResult.Handled h ->
                switch (h.outcome()) {
                    case DeployRequestHandler.Outcome.Accepted a ->
                        new CiAnswer(
                                true,
                                "accepted",
                                a.deployId(),
                                "",
                                a.deployId().isPresent()
                                        ? "CI asked Harbormaster to deploy " + what + ": deploy #"
                                                + a.deployId().getAsLong()
                                        : "CI announced " + what);
                    case DeployRequestHandler.Outcome.Duplicate d ->
                        new CiAnswer(
                                true,
                                "duplicate",
                                d.deployId(),
                                "",
                                "CI asked for " + what + " before"
                                        + (d.deployId().isPresent()
                                                ? ": deploy #" + d.deployId().getAsLong()
                                                : "")
                                        + "; nothing new was started");
                    case DeployRequestHandler.Outcome.Refused r ->
                        new CiAnswer(
                                false,
                                CI_REFUSED,
                                OptionalLong.empty(),
                                r.reason(),
                                "Harbormaster refused CI's request to " + (deploy ? "deploy " : "announce ") + what
                                        + ": " + r.reason());
                };
            case IntakeResult.DeadLetter dl ->
                new CiAnswer(
                        false,
                        "not_taken",
                        OptionalLong.empty(),
                        dl.error(),
                        "Harbormaster did not take CI's request for " + what + " ("
                                + dl.reason().wire() + ", after " + dl.attempts() + " attempts): " + dl.error());
            case IntakeResult.Interrupted i ->
                new CiAnswer(
                        false,
                        "not_taken",
                        OptionalLong.empty(),
                        "",
                        "The sandbox is stopping: CI's request for " + what + " was not taken; ask again once it runs");
        };
    }

    /** Makes a version misbehave (or behave again) from now on. */
    private void fault(Context ctx, JsonNode body) {
        var kind = body.path("fault").asText("");
        try {
            sandbox.injectFault(
                    body.path("service").asText(""), body.path("version").asText(""), kind);
        } catch (IllegalArgumentException e) {
            refuse(ctx, e.getMessage());
            return;
        }
        json(ctx, Map.of("ok", true, "fault", kind));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Shows the bot's immediate answer the way Slack does: its text as an ephemeral message, or Slack's error. */
    private void showAnswer(Sandbox.Persona user, HttpResponse<String> response, String what) {
        if (response.statusCode() != 200) {
            sandbox.slack()
                    .showEphemeral(
                            Sandbox.CHANNEL,
                            user.id(),
                            what + " failed with the error \"dispatch_failed\" (the app answered HTTP "
                                    + response.statusCode() + ")",
                            "[]");
            return;
        }
        var body = response.body() == null ? "" : response.body().strip();
        if (body.isEmpty()) {
            return;
        }
        try {
            var answer = JSON.readTree(body);
            var text = answer.path("text").asText("");
            var blocks = answer.has("blocks") ? answer.get("blocks").toString() : "[]";
            if (!text.isBlank() || !blocks.equals("[]")) {
                sandbox.slack().showEphemeral(Sandbox.CHANNEL, user.id(), text, blocks);
            }
        } catch (IOException e) {
            // Slack shows a plain-text answer as it is.
            sandbox.slack().showEphemeral(Sandbox.CHANNEL, user.id(), body, "[]");
        }
    }

    /** A console API call that reads the request's JSON object. */
    private interface BodyHandler {
        void handle(Context ctx, JsonNode body) throws Exception;
    }

    /** Hands {@code handler} the request body, refusing one that is not a JSON object. */
    private Handler withBody(BodyHandler handler) {
        return ctx -> {
            var body = body(ctx);
            if (body != null) {
                handler.handle(ctx, body);
            }
        };
    }

    private JsonNode body(Context ctx) {
        try {
            var node = JSON.readTree(ctx.bodyAsBytes());
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // answered below
        }
        refuse(ctx, "the request body must be a JSON object");
        return null;
    }

    private Sandbox.Persona persona(Context ctx, JsonNode body) {
        var id = body.path("user").asText("");
        var found = Sandbox.PERSONAS.stream().filter(p -> p.id().equals(id)).findFirst();
        if (found.isEmpty()) {
            refuse(
                    ctx,
                    "user must be one of "
                            + Sandbox.PERSONAS.stream().map(Sandbox.Persona::id).toList() + ", got '" + id + "'");
            return null;
        }
        return found.get();
    }

    private String text(Context ctx, JsonNode body, String field) {
        var value = body.path(field).asText("");
        if (value.isBlank()) {
            refuse(ctx, field + " is required");
            return null;
        }
        if (value.length() > MAX_TEXT) {
            refuse(ctx, field + " is longer than " + MAX_TEXT + " characters");
            return null;
        }
        return value;
    }

    private SimulatedCi.Build build(Context ctx, JsonNode body) {
        var service = body.path("service").asText("");
        var version = body.path("version").asText("");
        var build = sandbox.ci().build(service, version);
        if (build.isEmpty()) {
            refuse(
                    ctx,
                    "the simulated CI has no build " + service + " " + version + "; it has "
                            + sandbox.ci().builds().stream()
                                    .map(b -> b.service() + " " + b.version())
                                    .toList());
            return null;
        }
        return build.get();
    }

    private static SlackRequests.Origin origin(Sandbox.Persona user) {
        return new SlackRequests.Origin(user.id(), user.name(), Sandbox.CHANNEL, Sandbox.CHANNEL_NAME);
    }

    private static void refuse(Context ctx, String message) {
        refuse(ctx, 400, message);
    }

    private static void refuse(Context ctx, int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ok", false);
        o.put("error", message);
        ctx.status(status);
        json(ctx, o);
    }

    private static void json(Context ctx, Object value) {
        try {
            ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String versionOf(String image) {
        int colon = image.lastIndexOf(':');
        return colon < 0 ? image : image.substring(colon + 1);
    }
}
