package io.harbormaster.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the database is and how to log in. The password never appears in {@link #toString()} or in messages.
 *
 * @param url a JDBC URL: {@code jdbc:h2:...} (the embedded default) or {@code jdbc:postgresql://...}
 */
public record DatabaseConfig(String url, String user, String password, int maxPoolSize) {
    /** The fewest connections that work: an approval's step holds one while the audit log writes with another. */
    public static final int MIN_POOL_SIZE = 2;

    /** The embedded default: a file database under {@code ./data}. */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/harbormaster";

    /** {@code password=...} up to the next parameter ({@code &} in PostgreSQL URLs, {@code ;} in H2's). */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)([^&;]*)");
    /** The {@code user:password@} of {@code scheme://user:password@host}. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@:]*:)([^/?#@]*)@");

    public DatabaseConfig {
        Objects.requireNonNull(url, "url");
        user = Objects.requireNonNullElse(user, "");
        password = Objects.requireNonNullElse(password, "");
        if (maxPoolSize < MIN_POOL_SIZE) {
            throw new IllegalArgumentException("the database pool size (HARBORMASTER_DB_POOL_SIZE) must be at least "
                    + MIN_POOL_SIZE + ", got " + maxPoolSize
                    + ": an approval holds one connection while its audit entry is written on another");
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

    /**
     * The URL with any password masked, fit for logs and error messages: a {@code password=} parameter (PostgreSQL's
     * {@code ?password=}, H2's {@code ;PASSWORD=}) and the password of a {@code user:password@host} part.
     */
    public String redactedUrl() {
        return maskUrl(url);
    }

    /**
     * {@code text} (a driver's or pool's error message, say) with every secret of this configuration masked: the
     * password, and passwords written into the URL. Drivers echo the URL, or the part of it they could not read.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        var masked = maskUrl(text);
        for (var secret : secrets()) {
            masked = masked.replace(secret, "***");
        }
        return masked;
    }

    /** Whether {@code text} shows a secret of this configuration. */
    public boolean reveals(String text) {
        return text != null && secrets().stream().anyMatch(text::contains);
    }

    private List<String> secrets() {
        var secrets = new ArrayList<String>();
        if (!password.isEmpty()) {
            secrets.add(password);
        }
        var userInfo = USER_INFO.matcher(url);
        while (userInfo.find()) {
            secrets.add(userInfo.group(2));
        }
        var parameter = PASSWORD_PARAMETER.matcher(url);
        while (parameter.find()) {
            secrets.add(parameter.group(2));
        }
        secrets.removeIf(String::isEmpty);
        return secrets;
    }

    private static String maskUrl(String text) {
        var masked = PASSWORD_PARAMETER.matcher(text).replaceAll("$1***");
        return USER_INFO.matcher(masked).replaceAll("$1***@");
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + redactedUrl() + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "***") + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
