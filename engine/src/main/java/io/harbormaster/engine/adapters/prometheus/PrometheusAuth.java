package io.harbormaster.engine.adapters.prometheus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How the adapter authenticates to Prometheus. Secrets never appear in {@code toString}, {@link #describe()}, logs or
 * exception messages.
 */
public sealed interface PrometheusAuth {

    /**
     * The value of the {@code Authorization} header, if any.
     *
     * @throws Unavailable when the credentials cannot be read now (a token file that vanished or is empty)
     */
    Optional<String> authorizationHeader();

    /** What kind of credentials these are, for people: never the secret itself. */
    String describe();

    /** The credentials cannot be read; the message names where they were looked for, never a secret. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** No authentication (Prometheus on a trusted network, or behind a sidecar that adds it). */
    record None() implements PrometheusAuth {
        @Override
        public Optional<String> authorizationHeader() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "no credentials";
        }
    }

    /** {@code Authorization: Bearer <token>}, as for a Prometheus behind an OAuth proxy or a managed service. */
    record Bearer(String token) implements PrometheusAuth {
        public Bearer {
            checkToken(token, "the Prometheus bearer token");
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String describe() {
            return "a bearer token";
        }

        @Override
        public String toString() {
            return "Bearer[token=***]";
        }
    }

    /**
     * {@code Authorization: Bearer <token>} with the token read from {@code file} for every query, so a mounted
     * Kubernetes Secret that is rotated is picked up without a restart. Surrounding whitespace (a trailing newline) is
     * ignored.
     */
    record BearerFile(Path file) implements PrometheusAuth {
        public BearerFile {
            Objects.requireNonNull(file, "Prometheus bearer token file");
        }

        /** Reads the token now. */
        public String token() {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new Unavailable("the Prometheus bearer token file " + file + " does not exist");
            } catch (IOException e) {
                // The message of an IOException names the file and the reason, never the content.
                throw new Unavailable("the Prometheus bearer token file " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            } catch (RuntimeException e) {
                throw new Unavailable("the Prometheus bearer token file " + file + " is not UTF-8 text");
            }
            String token = content.strip();
            try {
                checkToken(token, "the Prometheus bearer token in " + file);
            } catch (IllegalArgumentException e) {
                throw new Unavailable(e.getMessage());
            }
            return token;
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Bearer " + token());
        }

        @Override
        public String describe() {
            return "the bearer token in " + file;
        }
    }

    /** HTTP basic authentication, as configured with Prometheus' own {@code web.yml} {@code basic_auth_users}. */
    record Basic(String user, String password) implements PrometheusAuth {
        public Basic {
            if (user == null || user.isEmpty() || user.contains(":") || hasControl(user)) {
                throw new IllegalArgumentException(
                        "the Prometheus basic-auth user must be non-empty, without ':' and without control characters");
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("the Prometheus basic-auth password is missing");
            }
        }

        @Override
        public Optional<String> authorizationHeader() {
            String pair = user + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String describe() {
            return "basic auth as user '" + user + "'";
        }

        @Override
        public String toString() {
            return "Basic[user=" + user + ", password=***]";
        }
    }

    PrometheusAuth NONE = new None();

    /**
     * A token must be one header-safe word (visible ASCII): anything else would be refused by the HTTP client with a
     * message that may repeat it, or would split the header.
     */
    private static void checkToken(String token, String what) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(what + " has a character that cannot go into an HTTP header"
                        + " (position " + (i + 1) + " of " + token.length() + ": a space, line break, control or"
                        + " non-ASCII character); a bearer token is one word of printable ASCII");
            }
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }
}
