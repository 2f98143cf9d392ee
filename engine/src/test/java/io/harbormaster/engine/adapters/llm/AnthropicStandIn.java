package io.harbormaster.engine.adapters.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for Anthropic's Messages API on a loopback port: {@code POST /v1/messages} with the {@code x-api-key}
 * and {@code anthropic-version} headers, a body with {@code model}, {@code max_tokens}, {@code messages} (user and
 * assistant turns only) and an optional {@code system} (a string or text blocks); answers shaped as Anthropic's
 * ({@code type: message}, {@code content} blocks, {@code stop_reason}, {@code usage}, a {@code request-id} header) and
 * errors as {@code {"type":"error","error":{"type":...,"message":...},"request_id":...}} with the API's statuses. It
 * checks what the real API checks before answering (a missing or wrong key is a 401, a missing version header or a
 * malformed body a 400), then answers as the test sets: a good answer, a slow one, a server error, an overload (529),
 * a rate limit with {@code retry-after}, a body that is not JSON, an answer without text, or an error whose message
 * echoes the key it was sent (as a careless proxy might). It records every request that reached it.
 */
public final class AnthropicStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The only API version LangChain4j's client and this stand-in speak. */
    public static final String VERSION = "2023-06-01";

    /** How the next requests are answered once they pass the API's own checks. */
    public enum Mode {
        GOOD,
        SLOW,
        SERVER_ERROR,
        OVERLOADED,
        RATE_LIMITED,
        MALFORMED_JSON,
        EMPTY_CONTENT,
        ECHO_KEY
    }

    /** One request as it arrived: its method, path, the headers the API reads and its body. */
    public record Received(
            String method,
            String path,
            Optional<String> apiKey,
            Optional<String> version,
            Optional<String> contentType,
            String body) {
        /** The body as JSON, or a missing node when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.missingNode();
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String key;
    private volatile Mode mode = Mode.GOOD;
    private volatile Duration slowness = Duration.ofSeconds(5);
    private volatile Function<JsonNode, String> content = request -> "A good summary [F1].\nCheck first: the diff.";

    private AnthropicStandIn(String key) {
        this.key = key;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A stand-in that accepts only {@code key} in {@code x-api-key}. */
    public static AnthropicStandIn start(String key) {
        return new AnthropicStandIn(key);
    }

    /** The base URL a client is given: {@code http://127.0.0.1:PORT/v1}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    public AnthropicStandIn mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** How long a {@link Mode#SLOW} answer takes. */
    public AnthropicStandIn slowness(Duration slowness) {
        this.slowness = slowness;
        return this;
    }

    /** What a {@link Mode#GOOD} or {@link Mode#SLOW} answer says, from the request body. */
    public AnthropicStandIn content(Function<JsonNode, String> content) {
        this.content = content;
        return this;
    }

    /** Every request received, in order, whatever it was answered. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The text of a request's system prompt, whether sent as a string or as text blocks; empty when absent. */
    public static String systemText(JsonNode body) {
        var system = body.path("system");
        if (system.isTextual()) {
            return system.asText();
        }
        var text = new StringBuilder();
        for (var block : system) {
            text.append(block.path("text").asText());
        }
        return text.toString();
    }

    /** The text of a message's content, whether a string or text blocks. */
    public static String text(JsonNode message) {
        var content = message.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        var text = new StringBuilder();
        for (var block : content) {
            text.append(block.path("text").asText());
        }
        return text.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
        var request = new Received(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                Optional.ofNullable(headers.getFirst("x-api-key")),
                Optional.ofNullable(headers.getFirst("anthropic-version")),
                Optional.ofNullable(headers.getFirst("content-type")),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        received.add(request);
        if (!request.path().equals("/v1/messages")) {
            reply(exchange, 404, error("not_found_error", "Not found"));
            return;
        }
        if (!request.method().equals("POST")) {
            reply(exchange, 405, error("invalid_request_error", "Method Not Allowed"));
            return;
        }
        if (request.apiKey().isEmpty()) {
            reply(exchange, 401, error("authentication_error", "x-api-key header is required"));
            return;
        }
        if (!request.apiKey().get().equals(key) && mode != Mode.ECHO_KEY) {
            reply(exchange, 401, error("authentication_error", "invalid x-api-key"));
            return;
        }
        if (request.version().isEmpty()) {
            reply(exchange, 400, error("invalid_request_error", "anthropic-version: header is required"));
            return;
        }
        if (!request.version().get().equals(VERSION)) {
            reply(exchange, 400, error("invalid_request_error", "anthropic-version: unknown version"));
            return;
        }
        var body = request.json();
        var problem = problem(body);
        if (problem != null) {
            reply(exchange, 400, error("invalid_request_error", problem));
            return;
        }
        switch (mode) {
            case GOOD -> reply(exchange, 200, message(body, content.apply(body)));
            case SLOW -> {
                try {
                    Thread.sleep(slowness.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 200, message(body, content.apply(body)));
            }
            case SERVER_ERROR -> reply(exchange, 500, error("api_error", "Internal server error"));
            case OVERLOADED -> reply(exchange, 529, error("overloaded_error", "Overloaded"));
            case RATE_LIMITED -> {
                exchange.getResponseHeaders().set("retry-after", "20");
                reply(
                        exchange,
                        429,
                        error(
                                "rate_limit_error",
                                "This request would exceed the rate limit for your organization of 50 requests per"
                                        + " minute."));
            }
            case MALFORMED_JSON ->
                reply(exchange, 200, "{\"id\": \"msg_1\", \"type\": \"message\", \"content\": [{\"ty");
            case EMPTY_CONTENT -> reply(exchange, 200, message(body, null));
            case ECHO_KEY ->
                reply(
                        exchange,
                        401,
                        error(
                                "authentication_error",
                                "invalid x-api-key: " + request.apiKey().get()));
        }
    }

    /** What the API would refuse in a body, or null. */
    private static String problem(JsonNode body) {
        if (!body.isObject()) {
            return "The request body is not valid JSON";
        }
        if (!body.path("model").isTextual() || body.path("model").asText().isBlank()) {
            return "model: Field required";
        }
        if (!body.path("max_tokens").canConvertToInt()
                || body.path("max_tokens").asInt() < 1) {
            return "max_tokens: Field required";
        }
        var messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages: at least one message is required";
        }
        for (var m : messages) {
            var role = m.path("role").asText();
            if (!Set.of("user", "assistant").contains(role)) {
                return "messages: Unexpected role \"" + role + "\". Allowed roles are \"user\" or \"assistant\"";
            }
            if (!m.path("content").isTextual() && !m.path("content").isArray()) {
                return "messages: content must be a string or a list of content blocks";
            }
        }
        var system = body.path("system");
        if (!system.isMissingNode() && !system.isTextual()) {
            if (!system.isArray()) {
                return "system: Input should be a valid string or list of text blocks";
            }
            for (var block : system) {
                if (!block.path("type").asText().equals("text")
                        || !block.path("text").isTextual()) {
                    return "system: each block must be of type text";
                }
            }
        }
        var temperature = body.path("temperature");
        if (!temperature.isMissingNode() && (temperature.asDouble() < 0 || temperature.asDouble() > 1)) {
            return "temperature: must be between 0 and 1";
        }
        return null;
    }

    private String message(JsonNode request, String text) {
        var root = JSON.createObjectNode();
        root.put("id", "msg_standin" + ids.incrementAndGet());
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", request.path("model").asText());
        var blocks = root.putArray("content");
        if (text != null) {
            var block = blocks.addObject();
            block.put("type", "text");
            block.put("text", text);
        }
        root.put("stop_reason", "end_turn");
        root.putNull("stop_sequence");
        var usage = root.putObject("usage");
        usage.put("input_tokens", 120);
        usage.put("output_tokens", text == null ? 0 : 40);
        return root.toString();
    }

    private String error(String type, String message) {
        var root = JSON.createObjectNode();
        root.put("type", "error");
        var e = root.putObject("error");
        e.put("type", type);
        e.put("message", message);
        root.put("request_id", "req_standin" + ids.incrementAndGet());
        return root.toString();
    }

    private void reply(HttpExchange exchange, int status, String body) throws IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.getResponseHeaders().set("request-id", "req_standin" + ids.incrementAndGet());
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException clientGone) {
            // the client timed out and closed the connection
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
