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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for an OpenAI-compatible chat completions server on a loopback port ({@code POST /v1/chat/completions},
 * answers shaped as OpenAI's), whose behaviour a test sets: a good answer, a slow one, a server error, a rate limit
 * with {@code Retry-After}, a body that is not JSON, or an answer without content. It records every request body.
 */
public final class OpenAiStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the next requests are answered. */
    public enum Mode {
        GOOD,
        SLOW,
        SERVER_ERROR,
        RATE_LIMITED,
        MALFORMED_JSON,
        EMPTY_CONTENT
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Mode mode = Mode.GOOD;
    private volatile Duration slowness = Duration.ofSeconds(5);
    private volatile Function<JsonNode, String> content = request -> "A good summary [F1].\nCheck first: the diff.";

    private OpenAiStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.createContext("/", exchange -> reply(exchange, 404, error("not found", "invalid_request_error")));
        server.start();
    }

    public static OpenAiStandIn start() {
        return new OpenAiStandIn();
    }

    /** The base URL a client is given: {@code http://127.0.0.1:PORT/v1}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    public OpenAiStandIn mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** How long a {@link Mode#SLOW} answer takes. */
    public OpenAiStandIn slowness(Duration slowness) {
        this.slowness = slowness;
        return this;
    }

    /** What a {@link Mode#GOOD} or {@link Mode#SLOW} answer says, from the request. */
    public OpenAiStandIn content(Function<JsonNode, String> content) {
        this.content = content;
        return this;
    }

    /** Every request body received, in order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            reply(exchange, 405, error("method not allowed", "invalid_request_error"));
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            reply(exchange, 400, error("We could not parse the JSON body of your request.", "invalid_request_error"));
            return;
        }
        requests.add(request);
        if (!request.path("messages").isArray()
                || request.path("model").asText().isBlank()) {
            reply(exchange, 400, error("'messages' and 'model' are required", "invalid_request_error"));
            return;
        }
        switch (mode) {
            case GOOD -> reply(exchange, 200, completion(request, content.apply(request)));
            case SLOW -> {
                try {
                    Thread.sleep(slowness.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 200, completion(request, content.apply(request)));
            }
            case SERVER_ERROR -> reply(exchange, 500, error("The server had an error", "server_error"));
            case RATE_LIMITED -> {
                exchange.getResponseHeaders().set("Retry-After", "20");
                reply(exchange, 429, error("Rate limit reached for requests", "requests"));
            }
            case MALFORMED_JSON ->
                reply(exchange, 200, "{\"id\": \"chatcmpl-1\", \"choices\": [{\"message\": {\"role\"");
            case EMPTY_CONTENT -> reply(exchange, 200, completion(request, null));
        }
    }

    private String completion(JsonNode request, String text) {
        var root = JSON.createObjectNode();
        root.put("id", "chatcmpl-standin-" + ids.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", request.path("model").asText());
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        var message = choice.putObject("message");
        message.put("role", "assistant");
        if (text == null) {
            message.putNull("content");
        } else {
            message.put("content", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        var usage = root.putObject("usage");
        usage.put("prompt_tokens", 120);
        usage.put("completion_tokens", 40);
        usage.put("total_tokens", 160);
        return root.toString();
    }

    private static String error(String message, String type) {
        var root = JSON.createObjectNode();
        var e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.putNull("param");
        e.putNull("code");
        return root.toString();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
