package io.harbormaster.bot.cli;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.sql.SQLException;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The {@code --db URL} option shared by the commands that open the database. */
final class DatabaseOption {
    /** H2's error code for "no such database", with IFEXISTS. */
    private static final int H2_NOT_FOUND = 90146;

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "JDBC URL of the database (default: $HARBORMASTER_DB_URL, else " + DatabaseConfig.DEFAULT_URL
                    + "); user and password from $HARBORMASTER_DB_USER and $HARBORMASTER_DB_PASSWORD")
    String url;

    /** Opens the database, creating an embedded one that does not exist yet (what {@code serve} needs). */
    Database open() {
        return open(config());
    }

    /**
     * Opens a database that must exist already, for the commands that read what the bot wrote: a mistyped or
     * relative H2 path is refused, rather than answered from an empty database created on the spot (an audit log of
     * 0 entries would verify as intact).
     */
    Database openExisting() {
        var config = config();
        if (!config.url().startsWith("jdbc:h2:")
                || config.url().toUpperCase(Locale.ROOT).contains("IFEXISTS")) {
            return open(config);
        }
        var mustExist = new DatabaseConfig(
                config.url() + ";IFEXISTS=TRUE", config.user(), config.password(), config.maxPoolSize());
        try {
            return Database.open(mustExist);
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (h2Error(e) == H2_NOT_FOUND || said(e, "[" + H2_NOT_FOUND + "-")) { // the code, or the message's
                throw new UserError(
                        "there is no database at " + config.redactedUrl() + ": give the bot's database with --db URL"
                                + " or HARBORMASTER_DB_URL (a relative jdbc:h2:file: path is taken from the directory"
                                + " you run in; the sandbox's is jdbc:h2:file:./sandbox-data/harbormaster)",
                        e);
            }
            throw refusal(config, e);
        }
    }

    private DatabaseConfig config() {
        try {
            return DatabaseConfig.fromEnvironment(System.getenv(), url);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    private static Database open(DatabaseConfig config) {
        try {
            return Database.open(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw refusal(config, e);
        }
    }

    private static UserError refusal(DatabaseConfig config, RuntimeException e) {
        if (said(e, "The file is locked")) {
            return new UserError(
                    "the database at " + config.redactedUrl() + " is in use by another process: an embedded H2"
                            + " database is open to one process at a time, and a running serve or sandbox holds it;"
                            + " stop that process first (or, for the audit log, use its /audit)",
                    e);
        }
        return new UserError(e.getMessage(), e);
    }

    private static boolean said(Throwable e, String words) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(words)) {
                return true;
            }
        }
        return false;
    }

    /** The H2 error code in the causes of {@code e}, or 0. */
    private static int h2Error(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() != 0) {
                return sql.getErrorCode();
            }
        }
        return 0;
    }
}
