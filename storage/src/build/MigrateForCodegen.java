import org.flywaydb.core.Flyway;

/**
 * Build step: migrates a throwaway H2 database with Flyway so jOOQ can generate code from the real schema.
 * Arguments: JDBC URL, then one or more Flyway locations.
 */
public class MigrateForCodegen {
    public static void main(String[] args) {
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
        System.out.println("codegen schema migrated: " + result.migrationsExecuted + " migration(s)");
    }
}
