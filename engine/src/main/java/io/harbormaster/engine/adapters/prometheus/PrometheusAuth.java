package io.harbormaster.engine.adapters.prometheus;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * How the adapter authenticates to Prometheus. Secrets never appear in {@code toString}, logs or exception
 * messages.
 */
public sealed interface PrometheusAuth {

    /** The value of the {@code Authorization} header, if any. */
    Optional<String> authorizationHeader();

    /** No authentication (Prometheus on a trusted network, or behind a sidecar that adds it). */
    record None() implements PrometheusAuth {
        @Override
        public Optional<String> authorizationHeader() {
            return Optional.empty();
        }
    }

    /** {@code Authorization: Bearer <token>}, as for a Prometheus behind an OAuth proxy or a managed service. */
    record Bearer(String token) implements PrometheusAuth {
        public Bearer {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("Prometheus bearer token is empty");
            }
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String toString() {
            return "Bearer[token=***]";
        }
    }

    /** HTTP basic authentication, as configured with Prometheus' own {@code web.yml} {@code basic_auth_users}. */
    record Basic(String user, String password) implements PrometheusAuth {
        public Basic {
            if (user == null || user.isEmpty() || user.contains(":")) {
                throw new IllegalArgumentException("Prometheus basic-auth user must be non-empty and without ':'");
            }
            if (password == null) {
                throw new IllegalArgumentException("Prometheus basic-auth password is missing");
            }
        }

        @Override
        public Optional<String> authorizationHeader() {
            String pair = user + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "Basic[user=" + user + ", password=***]";
        }
    }

    PrometheusAuth NONE = new None();
}
