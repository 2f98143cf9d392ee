package io.harbormaster.storage;

import java.util.Map;
import java.util.Objects;

/**
 * Where the database is and how to log in. The password never appears in {@link #toString()} or in messages.
 *
 * @param url a JDBC URL: {@code jdbc:h2:...} (the embedded default) or {@code jdbc:postgresql://...}
 */
public record DatabaseConfig(String url, String user, String password, int maxPoolSize) {
    /** The embedded default: a file database under {@code ./data}. */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/harbormaster";

    public DatabaseConfig {
        Objects.requireNonNull(url, "url");
        user = Objects.requireNonNullElse(user, "");
        password = Objects.requireNonNullElse(password, "");
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("the database pool size must be at least 1, got " + maxPoolSize);
        }
    }

    public static DatabaseConfig of(String url) {
        return new DatabaseConfig(url, "", "", 10);
    }

    /**
     * From the environment: {@code HARBORMASTER_DB_URL} (default {@link #DEFAULT_URL}), {@code HARBORMASTER_DB_USER},
     * {@code HARBORMASTER_DB_PASSWORD}, {@code HARBORMASTER_DB_POOL_SIZE} (default 10); {@code urlOverride} wins
     * over the environment when given.
     */
    public static DatabaseConfig fromEnvironment(Map<String, String> env, String urlOverride) {
        var url = urlOverride != null && !urlOverride.isBlank()
                ? urlOverride
                : env.getOrDefault("HARBORMASTER_DB_URL", DEFAULT_URL);
        var pool = env.getOrDefault("HARBORMASTER_DB_POOL_SIZE", "10");
        int poolSize;
        try {
            poolSize = Integer.parseInt(pool.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("HARBORMASTER_DB_POOL_SIZE must be a whole number, got '" + pool + "'");
        }
        return new DatabaseConfig(url, env.get("HARBORMASTER_DB_USER"), env.get("HARBORMASTER_DB_PASSWORD"), poolSize);
    }

    /** The URL with any password parameter masked, fit for logs and error messages. */
    public String redactedUrl() {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + redactedUrl() + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "***") + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
