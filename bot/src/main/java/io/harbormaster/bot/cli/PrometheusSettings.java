package io.harbormaster.bot.cli;

import io.harbormaster.engine.adapters.prometheus.PrometheusAuth;
import io.harbormaster.engine.adapters.prometheus.PrometheusConfig;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code serve} and {@code analyze run --prometheus} authenticate to Prometheus, from the environment only
 * ({@code harbormaster.yml} holds no secrets): a bearer token ({@code HARBORMASTER_PROMETHEUS_TOKEN}, or {@code
 * HARBORMASTER_PROMETHEUS_TOKEN_FILE}, re-read for every query so a rotated Secret is picked up), or basic auth
 * ({@code HARBORMASTER_PROMETHEUS_USER} and {@code HARBORMASTER_PROMETHEUS_PASSWORD}), or nothing. A blank variable
 * counts as unset (a Secret created from the template with empty keys). Anything ambiguous or incomplete is an
 * {@link IllegalArgumentException} saying what to set; no message repeats a secret.
 *
 * <p>Credentials are not sent in clear text over the network: with credentials, an {@code http://} URL is refused
 * unless its host is loopback (a sidecar proxy) or {@code HARBORMASTER_PROMETHEUS_ALLOW_HTTP=true} says the network is
 * protected otherwise (a service mesh with mTLS) or trusted.
 */
final class PrometheusSettings {
    static final String TOKEN = "HARBORMASTER_PROMETHEUS_TOKEN";
    static final String TOKEN_FILE = "HARBORMASTER_PROMETHEUS_TOKEN_FILE";
    static final String USER = "HARBORMASTER_PROMETHEUS_USER";
    static final String PASSWORD = "HARBORMASTER_PROMETHEUS_PASSWORD";
    static final String ALLOW_HTTP = "HARBORMASTER_PROMETHEUS_ALLOW_HTTP";

    private PrometheusSettings() {}

    /** The adapter's settings for {@code url}, with the credentials the environment gives. */
    static PrometheusConfig config(URI url, Map<String, String> env) {
        var config = PrometheusConfig.of(url);
        var auth = auth(env);
        if (!(auth instanceof PrometheusAuth.None)) {
            checkTransport(url, env);
        }
        return config.withAuth(auth);
    }

    /** The credentials the environment gives, or {@link PrometheusAuth#NONE}. */
    static PrometheusAuth auth(Map<String, String> env) {
        var token = value(env, TOKEN);
        var tokenFile = value(env, TOKEN_FILE);
        var user = value(env, USER);
        var password = value(env, PASSWORD);
        boolean bearer = token.isPresent() || tokenFile.isPresent();
        boolean basic = user.isPresent() || password.isPresent();
        if (bearer && basic) {
            throw new IllegalArgumentException("both a Prometheus bearer token ("
                    + (token.isPresent() ? TOKEN : TOKEN_FILE)
                    + ") and basic auth (" + (user.isPresent() ? USER : PASSWORD) + ") are set: Prometheus takes one"
                    + " Authorization header, so unset the kind it does not expect");
        }
        if (token.isPresent() && tokenFile.isPresent()) {
            throw new IllegalArgumentException("both " + TOKEN + " and " + TOKEN_FILE + " are set: keep one ("
                    + TOKEN_FILE + " for a mounted Secret that is rotated, " + TOKEN + " for a fixed token)");
        }
        if (token.isPresent()) {
            try {
                return new PrometheusAuth.Bearer(token.get().strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(TOKEN + ": " + e.getMessage());
            }
        }
        if (tokenFile.isPresent()) {
            return tokenFile(tokenFile.get());
        }
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException((user.isPresent() ? USER : PASSWORD) + " is set but "
                    + (user.isPresent() ? PASSWORD : USER) + " is not: basic auth to Prometheus needs both (or unset "
                    + (user.isPresent() ? USER : PASSWORD) + " to query without credentials)");
        }
        if (basic) {
            try {
                return new PrometheusAuth.Basic(user.get(), password.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(USER + "/" + PASSWORD + ": " + e.getMessage());
            }
        }
        return PrometheusAuth.NONE;
    }

    /** The token file, read once now so a wrong path stops the start rather than the first canary. */
    private static PrometheusAuth tokenFile(String value) {
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(TOKEN_FILE + " is not a file path: " + e.getReason());
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(TOKEN_FILE + " names the directory " + path + ": name the file in it"
                    + " that holds the token (e.g. the Secret's key, " + path.resolve("token") + ")");
        }
        var auth = new PrometheusAuth.BearerFile(path);
        try {
            auth.token();
        } catch (PrometheusAuth.Unavailable e) {
            throw new IllegalArgumentException(TOKEN_FILE + ": " + e.getMessage());
        }
        return auth;
    }

    /** Refuses to send credentials in clear text to a host that is not this machine, unless allowed. */
    private static void checkTransport(URI url, Map<String, String> env) {
        if (!"http".equalsIgnoreCase(url.getScheme()) || loopback(url.getHost())) {
            return;
        }
        var allow = value(env, ALLOW_HTTP).map(v -> v.toLowerCase(Locale.ROOT));
        if (allow.isPresent() && !allow.get().equals("true") && !allow.get().equals("false")) {
            throw new IllegalArgumentException(ALLOW_HTTP + " must be true or false");
        }
        if (allow.isEmpty() || allow.get().equals("false")) {
            throw new IllegalArgumentException("the Prometheus credentials would go unencrypted over http to "
                    + url.getHost() + ": use an https:// URL for prometheus.url, or set " + ALLOW_HTTP + "=true if"
                    + " the network is encrypted otherwise (a service mesh with mTLS) or trusted");
        }
    }

    /** Whether {@code host} is this machine by its literal name or address (no DNS lookup). */
    static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a name: not resolved here
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // an address literal: parsed, not looked up
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** A short statement of what is used, for the start-up note; never a secret. */
    static String describe(PrometheusConfig config) {
        return "Prometheus at " + config.baseUrl().getScheme() + "://"
                + config.baseUrl().getHost()
                + (config.baseUrl().getPort() == -1
                        ? ""
                        : ":" + config.baseUrl().getPort()) + " with "
                + config.auth().describe();
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }
}
