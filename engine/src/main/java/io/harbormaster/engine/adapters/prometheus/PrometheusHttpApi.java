package io.harbormaster.engine.adapters.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.canary.MetricsUnavailable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;

/**
 * Prometheus' HTTP API ({@code /api/v1/query_range}, {@code /api/v1/query}) with timeouts, bounded retries and
 * errors that name the URL, the query and Prometheus' own explanation, and never the credentials.
 */
final class PrometheusHttpApi implements AutoCloseable {

    /** One series of a range result: its labels and its points, oldest first. */
    record Series(Map<String, String> labels, List<Point> points) {}

    /** A point: milliseconds since the epoch, and the value ({@code NaN} and infinities as Prometheus sent them). */
    record Point(long epochMillis, double value) {}

    static final String QUERY_RANGE = "/api/v1/query_range";
    static final String QUERY = "/api/v1/query";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(PrometheusHttpApi.class.getName());
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** The largest answer read: a one-series matrix of the most points a query asks for is well under 1 MiB. */
    static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
    /** How much of Prometheus' own error text an exception repeats. */
    static final int MAX_ERROR_CHARS = 1000;
    /** Timestamps beyond this many seconds from the epoch do not fit in a long of milliseconds. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Long.MAX_VALUE / 1000 - 1);

    private final PrometheusConfig config;
    private final HttpClient client;

    PrometheusHttpApi(PrometheusConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Evaluates {@code promql} at {@code startMillis}, then every {@code stepMillis} up to {@code endMillis}. */
    List<Series> queryRange(String promql, long startMillis, long endMillis, long stepMillis) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("query", promql);
        form.put("start", seconds(startMillis));
        form.put("end", seconds(endMillis));
        form.put("step", seconds(stepMillis));
        JsonNode data = call(QUERY_RANGE, form, promql, config.maxAttempts());
        String type = data.path("resultType").asText();
        if (!type.equals("matrix")) {
            throw new MetricsUnavailable(where(QUERY_RANGE, promql) + ": expected a matrix result, got '" + type + "'");
        }
        List<Series> series = new ArrayList<>();
        for (JsonNode s : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            s.path("metric")
                    .properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<Point> points = new ArrayList<>();
            for (JsonNode pair : s.path("values")) {
                points.add(new Point(epochMillis(pair.path(0), promql), value(pair.path(1), promql)));
            }
            series.add(new Series(Map.copyOf(labels), List.copyOf(points)));
        }
        return series;
    }

    /** Prometheus (or the proxy in front of it) answered 401 or 403: the credentials are missing, wrong or not allowed. */
    static final class Refused extends MetricsUnavailable {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * Evaluates a trivial query once (proves reachability, auth and the query path), or throws why not: {@link Refused}
     * for a 401 or 403.
     */
    void trivialQuery() {
        call(QUERY, Map.of("query", "vector(1)"), "vector(1)", 1);
    }

    /** POSTs a form to an API path and returns the answer's {@code data}, or throws with the reason. */
    private JsonNode call(String path, Map<String, String> form, String promql, int maxAttempts) {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.resolve(path))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
        try {
            config.auth().authorizationHeader().ifPresent(value -> request.header("Authorization", value));
        } catch (PrometheusAuth.Unavailable e) {
            throw new MetricsUnavailable(where(path, promql) + ": " + e.getMessage() + " (not sent)");
        }
        HttpRequest built = request.build();

        String lastFailure = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            boolean retryable;
            try {
                HttpResponse<byte[]> response = client.send(built, info -> new LimitedBody(MAX_RESPONSE_BYTES));
                int status = response.statusCode();
                String raw = new String(response.body(), StandardCharsets.UTF_8);
                JsonNode body = parse(raw);
                if (status == 200
                        && body != null
                        && "success".equals(body.path("status").asText())) {
                    return body.path("data");
                }
                if (status == 401 || status == 403) {
                    // The same credentials would be refused again: not retried. The body is not repeated (a proxy's
                    // login page says nothing useful).
                    throw new Refused(where(path, promql) + ": " + refused(status));
                }
                lastFailure = describe(status, body, raw);
                retryable = status == 429 || status >= 500;
                if (!retryable) {
                    throw new MetricsUnavailable(where(path, promql) + ": " + lastFailure
                            + (status >= 400 && status < 500 ? " (not retried: the request itself was refused)" : ""));
                }
            } catch (HttpConnectTimeoutException e) {
                lastFailure = "no connection within the connect timeout of " + human(config.connectTimeout());
            } catch (HttpTimeoutException e) {
                lastFailure = "no answer within the request timeout of " + human(config.requestTimeout());
            } catch (ConnectException e) {
                lastFailure =
                        "cannot connect (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")";
            } catch (IOException e) {
                if (e instanceof TooLarge || e.getCause() instanceof TooLarge) {
                    // the same query would bring the same flood: not retried
                    throw new MetricsUnavailable(where(path, promql) + ": the answer is larger than "
                            + MAX_RESPONSE_BYTES / (1024 * 1024) + " MiB, so it was not read; a template must"
                            + " aggregate to one series over the requested range");
                }
                lastFailure = "I/O error: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetricsUnavailable(where(path, promql) + ": interrupted while waiting for Prometheus", e);
            }
            if (attempt < maxAttempts) {
                Duration pause = backoff(attempt);
                LOG.log(
                        System.Logger.Level.WARNING,
                        "Prometheus at {0}, query `{1}`: attempt {2} of {3} failed ({4}); retrying in {5}",
                        PrometheusConfig.redacted(config.resolve(path)),
                        promql,
                        attempt,
                        maxAttempts,
                        lastFailure,
                        human(pause));
                sleep(pause, path, promql);
            }
        }
        throw new MetricsUnavailable(where(path, promql) + ": " + lastFailure
                + (maxAttempts > 1 ? " (gave up after " + maxAttempts + " attempts)" : ""));
    }

    private Duration backoff(int failedAttempts) {
        Duration pause = config.initialBackoff();
        for (int i = 1; i < failedAttempts && pause.compareTo(MAX_BACKOFF) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause;
    }

    private void sleep(Duration pause, String path, String promql) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetricsUnavailable(where(path, promql) + ": interrupted while waiting to retry", e);
        }
    }

    /** The prefix of every error: which Prometheus endpoint, for which query. */
    private String where(String path, String promql) {
        return "Prometheus at " + PrometheusConfig.redacted(config.resolve(path)) + " failed for query `" + promql
                + "`";
    }

    /** Why Prometheus (or the proxy in front of it) answered 401 or 403, and what to do. */
    private String refused(int status) {
        if (config.auth() instanceof PrometheusAuth.None) {
            return "Prometheus asks for credentials (HTTP " + status + ") and none are set: give the bot a bearer"
                    + " token (HARBORMASTER_PROMETHEUS_TOKEN or HARBORMASTER_PROMETHEUS_TOKEN_FILE) or basic auth"
                    + " (HARBORMASTER_PROMETHEUS_USER and HARBORMASTER_PROMETHEUS_PASSWORD); not retried";
        }
        return "Prometheus refused the credentials (HTTP " + status + ", "
                + config.auth().describe() + "): "
                + (status == 401
                        ? "they are wrong or expired"
                        : "they were accepted but are not allowed to query this Prometheus")
                + "; not retried";
    }

    /** Prometheus' own error ({@code errorType: error}) when it sent one, else the start of the body. */
    private static String describe(int status, JsonNode body, String raw) {
        if (body != null && body.hasNonNull("error")) {
            return "HTTP " + status + ", " + cut(body.path("errorType").asText("error"), 100) + ": "
                    + cut(body.path("error").asText(), MAX_ERROR_CHARS);
        }
        String snippet = raw == null ? "" : cut(raw, 10 * 200).strip().replaceAll("\\s+", " ");
        return "HTTP " + status + (snippet.isEmpty() ? " with an empty body" : ", body: " + cut(snippet, 200));
    }

    /** At most {@code max} characters of {@code s}; the error goes into logs, Slack messages and the audit log. */
    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private long epochMillis(JsonNode timestamp, String promql) {
        if (!timestamp.isNumber()) {
            throw new MetricsUnavailable(where(QUERY_RANGE, promql) + ": a point has no numeric timestamp: "
                    + cut(timestamp.toString(), 60));
        }
        BigDecimal seconds = timestamp.decimalValue();
        // Checked before any arithmetic: rescaling 1e999999999 or 1e-999999999 would compute a power of ten with a
        // billion digits. Prometheus sends seconds with at most millisecond decimals.
        if (seconds.compareTo(MAX_SECONDS) > 0
                || seconds.compareTo(MAX_SECONDS.negate()) < 0
                || seconds.stripTrailingZeros().scale() > 9) {
            throw new MetricsUnavailable(where(QUERY_RANGE, promql) + ": a point has a timestamp that is not unix"
                    + " seconds: " + cut(timestamp.toString(), 60));
        }
        return seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private double value(JsonNode value, String promql) {
        String text = value.asText();
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new MetricsUnavailable(where(QUERY_RANGE, promql)
                            + ": a point has a value that is not a number: " + cut(value.toString(), 60));
                }
            }
        };
    }

    /** Milliseconds as the decimal seconds Prometheus expects ({@code 1712345678.5}). */
    static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** Thrown (inside the client's IOException) when an answer outgrows its limit. */
    private static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("response body larger than " + limit + " bytes");
        }
    }

    /**
     * Collects a response body of at most {@code limit} bytes; past that it cancels the download and fails, so a
     * runaway answer (a template that returns every series, a proxy streaming a file) never fills the heap.
     */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if ((long) received.size() + buffer.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                received.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(received.toByteArray());
        }
    }

    URI baseUrl() {
        return config.baseUrl();
    }

    @Override
    public void close() {
        client.close();
    }
}
