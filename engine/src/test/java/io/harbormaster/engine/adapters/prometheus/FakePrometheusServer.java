package io.harbormaster.engine.adapters.prometheus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A scripted stand-in for Prometheus' HTTP API on a loopback port, for the client's failure paths. */
final class FakePrometheusServer implements AutoCloseable {

    /** What the client sent: the path, the decoded form and the Authorization header (or null). */
    record Request(String path, Map<String, String> form, String authorization) {}

    /** What to answer, after an optional delay. */
    record Reply(int status, String body, long delayMillis) {
        static Reply ok(String body) {
            return new Reply(200, body, 0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakePrometheusServer(Function<Request, Reply> responder) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(
                    exchange.getRequestURI().getPath(),
                    decode(raw),
                    exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add(request);
            Reply reply = responder.apply(request);
            try {
                Thread.sleep(reply.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            try {
                exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            } catch (IOException clientGone) {
                // the client timed out and closed the connection
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** Answers every request with the same reply. */
    static FakePrometheusServer always(Reply reply) throws IOException {
        return new FakePrometheusServer(request -> reply);
    }

    /** Answers the n-th request with the n-th reply, and the last reply from then on. */
    static FakePrometheusServer inTurn(Reply... replies) throws IOException {
        int[] next = {0};
        return new FakePrometheusServer(request -> replies[Math.min(next[0]++, replies.length - 1)]);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private static Map<String, String> decode(String form) {
        Map<String, String> out = new LinkedHashMap<>();
        if (form.isEmpty()) {
            return out;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            out.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A query_range answer with one series holding {@code [seconds, "value"]} points. */
    static String matrix(String... points) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":["
                + String.join(",", points) + "]}]}}";
    }

    static final String EMPTY_MATRIX = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";

    static String error(String type, String message) {
        return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":\"" + message + "\"}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
