import org.flywaydb.core.Flyway;

/**
 * Build step: migrates a throwaway H2 database with Flyway so jOOQ can generate code from the real schema.
 * Arguments: JDBC URL, then one or more Flyway locations.
 */
public class MigrateForCodegen {
    /** Flyway's INFO lines would land in every build's output (and in the launcher's first run); warnings still do. */
    private static final java.util.logging.Logger FLYWAY = java.util.logging.Logger.getLogger("org.flywaydb");

    public static void main(String[] args) {
        FLYWAY.setLevel(java.util.logging.Level.WARNING);
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: MigrateForCodegen <jdbc-url> <location>...");
        }
        var locations = java.util.Arrays.copyOfRange(args, 1, args.length);
        var flyway = Flyway.configure()
                .dataSource(args[0], "sa", "")
                .locations(locations)
                .cleanDisabled(false)
                .load();
        flyway.clean();
        var result = flyway.migrate();
        int n = result.migrationsExecuted;
        System.out.println("codegen schema migrated: " + n + (n == 1 ? " migration" : " migrations"));
    }
}
