package io.harbormaster.bot.cli;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import picocli.CommandLine.Option;

/** The {@code --db URL} option shared by the commands that open the database. */
final class DatabaseOption {
    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "JDBC URL of the database (default: $HARBORMASTER_DB_URL, else " + DatabaseConfig.DEFAULT_URL
                    + "); user and password from $HARBORMASTER_DB_USER and $HARBORMASTER_DB_PASSWORD")
    String url;

    Database open() {
        try {
            return Database.open(DatabaseConfig.fromEnvironment(System.getenv(), url));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(e.getMessage(), e);
        }
    }
}
