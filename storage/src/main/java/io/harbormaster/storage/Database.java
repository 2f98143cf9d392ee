package io.harbormaster.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * An open, migrated database: a connection pool, Flyway run on start, and a jOOQ context. H2 and PostgreSQL are
 * supported; the vendor is read from the URL.
 */
public final class Database implements AutoCloseable {
    /** The supported databases. */
    public enum Vendor {
        H2(SQLDialect.H2, "h2"),
        POSTGRESQL(SQLDialect.POSTGRES, "postgresql");

        final SQLDialect dialect;
        final String migrationFolder;

        Vendor(SQLDialect dialect, String migrationFolder) {
            this.dialect = dialect;
            this.migrationFolder = migrationFolder;
        }

        static Vendor of(DatabaseConfig config) {
            var url = config.url();
            if (url.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (url.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            throw new IllegalArgumentException("unsupported database URL '" + config.redactedUrl()
                    + "': use jdbc:h2:file:PATH (embedded) or jdbc:postgresql://HOST:PORT/DATABASE");
        }
    }

    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private final Vendor vendor;
    private final DatabaseConfig config;

    /**
     * Taken by every step that holds a row in one transaction while its audit entry is written on another connection
     * (a decision on a deploy, the resolution of an incident), whichever store it is in: at most one fewer of them
     * than the pool has connections run at once, so that the audit log always finds a connection.
     */
    private final java.util.concurrent.Semaphore rowHolders;

    private Database(DatabaseConfig config, Vendor vendor, HikariDataSource dataSource) {
        this.config = config;
        this.vendor = vendor;
        this.dataSource = dataSource;
        this.rowHolders = new java.util.concurrent.Semaphore(Math.max(1, config.maxPoolSize() - 1));
        // Names are rendered unquoted: the generated classes carry H2's upper-case names, which PostgreSQL folds to
        // the lower-case names its migrations created.
        var settings = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER);
        this.dsl = DSL.using(dataSource, vendor.dialect, settings);
    }

    /** See {@link #rowHolders}: acquire before holding a row while auditing on another connection, release after. */
    public java.util.concurrent.Semaphore rowHolders() {
        return rowHolders;
    }

    /** Opens the pool and brings the schema up to date; refuses a URL it cannot use with a message that says why. */
    public static Database open(DatabaseConfig config) {
        var vendor = Vendor.of(config);
        var hikari = new HikariConfig();
        var url = driverUrl(config.url(), vendor);
        hikari.setJdbcUrl(url);
        if (!config.user().isEmpty()) {
            hikari.setUsername(config.user());
        }
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setPoolName("harbormaster-db");
        hikari.setInitializationFailTimeout(-1); // report the failure ourselves, below, without the password
        HikariDataSource ds = null;
        try {
            probe(config, url);
            // The pool refuses a URL its driver cannot read here already, naming the URL.
            ds = new HikariDataSource(hikari);
            migrate(ds, vendor);
        } catch (RuntimeException e) {
            if (ds != null) {
                ds.close();
            }
            // Drivers and the pool echo the URL, or the part they could not read (user:password@host): the message is
            // masked, and a cause that shows a secret is left out rather than printed with its stack trace.
            throw new IllegalStateException(
                    "cannot open the database at " + config.redactedUrl() + ": " + config.redact(rootMessage(e))
                            + " (check HARBORMASTER_DB_URL, HARBORMASTER_DB_USER and HARBORMASTER_DB_PASSWORD)",
                    revealsSecret(e, config) ? null : e);
        }
        return new Database(config, vendor, ds);
    }

    /**
     * One connection straight from the driver before the pool is built: a database that is missing, locked or refuses
     * the login is reported at once. The pool would keep trying for its connection timeout (30 s) before saying so.
     */
    private static void probe(DatabaseConfig config, String url) {
        var login = new java.util.Properties();
        if (!config.user().isEmpty()) {
            login.setProperty("user", config.user());
        }
        if (!config.password().isEmpty()) {
            login.setProperty("password", config.password());
        }
        try (var ignored = java.sql.DriverManager.getConnection(url, login)) {
            // reachable
        } catch (java.sql.SQLException e) {
            if (e.getErrorCode() == H2_ADMIN_RIGHTS_REQUIRED && sets(url, "WRITE_DELAY")) {
                // H2 applies the URL's settings at login, and only an admin may set WRITE_DELAY, whatever its value;
                // no cause: the message shown is its root's
                var who = sets(config.url(), "WRITE_DELAY")
                        ? "which the URL sets"
                        : "which Harbormaster sets to 0 so that a commit survives the process being killed";
                throw new IllegalStateException("H2 lets only an admin user set WRITE_DELAY, " + who + ", and "
                        + config.user() + " is not one: connect as the user that created the database, or have that"
                        + " user make this one an admin (ALTER USER " + config.user() + " ADMIN TRUE)");
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** H2's error code for an operation only an admin user may run (org.h2.api.ErrorCode.ADMIN_RIGHTS_REQUIRED). */
    private static final int H2_ADMIN_RIGHTS_REQUIRED = 90040;

    /**
     * The URL the driver is given; for H2, two settings are added unless the URL sets them itself:
     *
     * <ul>
     *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: an embedded H2 database closes when Harbormaster closes it, not when the
     *       JVM begins to exit. Shutdown hooks run at the same time, and H2's own would close the database under the
     *       work that serve and the sandbox finish in theirs (a transaction in flight when Ctrl-C or SIGTERM came would
     *       be lost with "Database is already closed").
     *   <li>{@code WRITE_DELAY=0}: a commit returns once its changes are written to the database file. H2 otherwise
     *       writes them up to half a second later, from a background thread, and a process killed in between (kill
     *       -9, the OOM killer, a crash) loses transactions it had reported committed: a deploy announced in Slack, an
     *       entry of the audit log. The write is handed to the operating system, not forced to the disk, so what is
     *       committed survives the process, not a power cut (PostgreSQL, with its defaults, survives both).
     * </ul>
     */
    static String driverUrl(String url, Vendor vendor) {
        if (vendor != Vendor.H2) {
            return url;
        }
        return withDefault(withDefault(url, "DB_CLOSE_ON_EXIT", "FALSE"), "WRITE_DELAY", "0");
    }

    /** {@code url} with {@code ;NAME=value} added, unless it already sets {@code NAME} (in any case). */
    private static String withDefault(String url, String name, String value) {
        return sets(url, name) ? url : url + ";" + name + "=" + value;
    }

    /** Whether an H2 URL sets the setting {@code NAME} itself (in any case). */
    private static boolean sets(String url, String name) {
        return url.toUpperCase(java.util.Locale.ROOT).contains(";" + name + "=");
    }

    private static boolean revealsSecret(Throwable e, DatabaseConfig config) {
        return revealsSecret(e, config, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }

    /** {@code seen}: H2's errors for a locked file suppress one another in a cycle, which is walked once. */
    private static boolean revealsSecret(Throwable e, DatabaseConfig config, java.util.Set<Throwable> seen) {
        for (var t = e; t != null && seen.add(t); t = t.getCause()) {
            if (config.reveals(t.getMessage()) || config.reveals(t.toString())) {
                return true;
            }
            for (var suppressed : t.getSuppressed()) {
                if (revealsSecret(suppressed, config, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void migrate(DataSource ds, Vendor vendor) {
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/common", "classpath:db/migration/" + vendor.migrationFolder)
                .load()
                .migrate();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public DSLContext dsl() {
        return dsl;
    }

    public Vendor vendor() {
        return vendor;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public DatabaseConfig config() {
        return config;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
