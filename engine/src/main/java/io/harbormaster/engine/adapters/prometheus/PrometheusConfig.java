package io.harbormaster.engine.adapters.prometheus;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where Prometheus is and how patiently to talk to it.
 *
 * @param baseUrl Prometheus' root, e.g. {@code http://prometheus.monitoring:9090}; may carry a path prefix
 *     ({@code https://mimir.example/prometheus}); never credentials (use {@code auth})
 * @param connectTimeout how long to wait for a TCP/TLS connection
 * @param requestTimeout how long to wait for one HTTP answer, query evaluation included
 * @param maxAttempts attempts per query in total (1 = no retry); only connection failures, timeouts, 429 and 5xx
 *     are retried, never a 4xx (a bad query stays bad)
 * @param initialBackoff pause before the first retry; doubled for each further one (capped at 10 s)
 * @param auth bearer token, basic auth, or none
 */
public record PrometheusConfig(
        URI baseUrl,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        Duration initialBackoff,
        PrometheusAuth auth) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);

    public PrometheusConfig {
        Objects.requireNonNull(baseUrl, "Prometheus base URL");
        String scheme = baseUrl.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "Prometheus base URL must be an absolute http(s) URL with a host, got " + redacted(baseUrl));
        }
        if (baseUrl.getRawUserInfo() != null) {
            // Shown without the user info, so the password never reaches a log.
            throw new IllegalArgumentException("Prometheus base URL " + redacted(baseUrl)
                    + " carries credentials; configure them as bearer or basic auth instead");
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "Prometheus base URL must not have a query or fragment, got " + redacted(baseUrl));
        }
        requirePositive(connectTimeout, "connect timeout");
        requirePositive(requestTimeout, "request timeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("Prometheus max attempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "Prometheus initial backoff");
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException(
                    "Prometheus initial backoff must not be negative, got " + initialBackoff);
        }
        Objects.requireNonNull(auth, "Prometheus auth (use PrometheusAuth.NONE)");
    }

    /** Defaults for everything but the URL: 3 s connect, 10 s request, 3 attempts, 250 ms first backoff, no auth. */
    public static PrometheusConfig of(URI baseUrl) {
        return new PrometheusConfig(
                baseUrl,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_ATTEMPTS,
                DEFAULT_INITIAL_BACKOFF,
                PrometheusAuth.NONE);
    }

    public PrometheusConfig withTimeouts(Duration connect, Duration request) {
        return new PrometheusConfig(baseUrl, connect, request, maxAttempts, initialBackoff, auth);
    }

    public PrometheusConfig withRetries(int attempts, Duration firstBackoff) {
        return new PrometheusConfig(baseUrl, connectTimeout, requestTimeout, attempts, firstBackoff, auth);
    }

    public PrometheusConfig withAuth(PrometheusAuth newAuth) {
        return new PrometheusConfig(baseUrl, connectTimeout, requestTimeout, maxAttempts, initialBackoff, newAuth);
    }

    /** The URL of one API path under the base URL (keeps a path prefix such as {@code /prometheus}). */
    URI resolve(String apiPath) {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + apiPath : base + apiPath);
    }

    /** A URL as it may be shown to people: scheme, host, port and path only. */
    static String redacted(URI url) {
        StringBuilder shown = new StringBuilder();
        if (url.getScheme() != null) {
            shown.append(url.getScheme()).append("://");
        }
        if (url.getHost() != null) {
            shown.append(url.getHost());
        }
        if (url.getPort() != -1) {
            shown.append(':').append(url.getPort());
        }
        if (url.getRawPath() != null) {
            shown.append(url.getRawPath());
        }
        return shown.toString();
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, "Prometheus " + what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("Prometheus " + what + " must be positive, got " + d);
        }
    }

    @Override
    public String toString() {
        return "PrometheusConfig[baseUrl=" + redacted(baseUrl) + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts + ", initialBackoff="
                + initialBackoff + ", auth=" + auth + "]";
    }
}
