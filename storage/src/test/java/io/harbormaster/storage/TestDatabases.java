package io.harbormaster.storage;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.harbormaster.storage.local.LocalPostgres;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh, migrated databases for tests: an in-memory H2, or a new database in one throwaway PostgreSQL cluster shared
 * by the whole test JVM. Without PostgreSQL installed, PostgreSQL tests are skipped loudly on a developer machine and
 * fail under {@code CI=true}, where .ci/run has installed it.
 */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static LocalPostgres postgres;

    private TestDatabases() {}

    /** The vendors every storage test runs on. */
    public static Database.Vendor[] vendors() {
        return Database.Vendor.values();
    }

    public static Database open(Database.Vendor vendor) {
        return Database.open(DatabaseConfig.of(url(vendor)));
    }

    /** The URL of a new, empty database of the given vendor. */
    public static String url(Database.Vendor vendor) {
        int n = COUNTER.incrementAndGet();
        return switch (vendor) {
            case H2 -> "jdbc:h2:mem:test_" + n + "_" + ProcessHandle.current().pid() + ";DB_CLOSE_DELAY=-1";
            case POSTGRESQL -> cluster().createDatabase("test_" + n);
        };
    }

    /** The shared throwaway PostgreSQL cluster, started on first use. */
    public static synchronized LocalPostgres cluster() {
        if (postgres == null) {
            if (LocalPostgres.binaries().isEmpty()) {
                var message = "PostgreSQL is not installed, so the PostgreSQL tests cannot run:"
                        + " apt-get install postgresql (.ci/run does this in CI)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(message);
                }
                System.err.println("SKIPPING: " + message);
                assumeTrue(false, message);
            }
            postgres = LocalPostgres.start(false);
        }
        return postgres;
    }
}
