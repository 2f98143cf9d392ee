package io.harbormaster.engine.adapters.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.canary.MetricsUnavailable;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Whether Prometheus evaluates a trivial query (proves reachability, auth and the query path; one attempt). */
    boolean answersQueries() {
        try {
            call(QUERY, Map.of("query", "vector(1)"), "vector(1)", 1);
            return true;
        } catch (MetricsUnavailable e) {
            LOG.log(System.Logger.Level.DEBUG, "Prometheus is not answering: {0}", e.getMessage());
            return false;
        }
    }

    /** POSTs a form to an API path and returns the answer's {@code data}, or throws with the reason. */
    private JsonNode call(String path, Map<String, String> form, String promql, int maxAttempts) {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.resolve(path))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
        config.auth().authorizationHeader().ifPresent(value -> request.header("Authorization", value));
        HttpRequest built = request.build();

        String lastFailure = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            boolean retryable;
            try {
                HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                JsonNode body = parse(response.body());
                if (status == 200
                        && body != null
                        && "success".equals(body.path("status").asText())) {
                    return body.path("data");
                }
                lastFailure = describe(status, body, response.body());
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

    /** Prometheus' own error ({@code errorType: error}) when it sent one, else the start of the body. */
    private static String describe(int status, JsonNode body, String raw) {
        if (body != null && body.hasNonNull("error")) {
            return "HTTP " + status + ", " + body.path("errorType").asText("error") + ": "
                    + body.path("error").asText();
        }
        String snippet = raw == null ? "" : raw.strip().replaceAll("\\s+", " ");
        if (snippet.length() > 200) {
            snippet = snippet.substring(0, 200) + "...";
        }
        return "HTTP " + status + (snippet.isEmpty() ? " with an empty body" : ", body: " + snippet);
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
            throw new MetricsUnavailable(
                    where(QUERY_RANGE, promql) + ": a point has no numeric timestamp: " + timestamp);
        }
        return timestamp
                .decimalValue()
                .movePointRight(3)
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
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
                    throw new MetricsUnavailable(
                            where(QUERY_RANGE, promql) + ": a point has a value that is not a number: " + value);
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

    URI baseUrl() {
        return config.baseUrl();
    }

    @Override
    public void close() {
        client.close();
    }
}
