package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Harbormaster adds {@code WRITE_DELAY=0} to an H2 URL (durable commits), and H2 lets only an admin user set it: a
 * database opened as a user that is not an admin is refused with what to do, not with H2's bare "Admin rights are
 * required for this operation". Any WRITE_DELAY in the URL is refused to such a user, so the way out is admin rights.
 */
class NonAdminH2UserTest {
    @TempDir
    Path dir;

    @Test
    void aUserThatIsNotAnAdminIsToldWhyAndWhatToDo() throws Exception {
        var url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        try (var admin = DriverManager.getConnection(url, "sa", "");
                var sql = admin.createStatement()) {
            sql.execute("CREATE USER deployer PASSWORD 'not-the-admin'");
        }

        assertThatThrownBy(() -> Database.open(new DatabaseConfig(url, "deployer", "not-the-admin", 2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("H2 lets only an admin user set WRITE_DELAY")
                .hasMessageContaining("deployer is not one")
                .hasMessageContaining("ALTER USER deployer ADMIN TRUE")
                .hasMessageNotContaining("not-the-admin");
        // the URL's own WRITE_DELAY is refused too (any value), and the message does not claim Harbormaster set it
        assertThatThrownBy(() ->
                        Database.open(new DatabaseConfig(url + ";WRITE_DELAY=500", "deployer", "not-the-admin", 2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WRITE_DELAY, which the URL sets, and deployer is not one");

        // the advice works: made an admin, it opens the database
        try (var admin = DriverManager.getConnection(url, "sa", "");
                var sql = admin.createStatement()) {
            sql.execute("ALTER USER deployer ADMIN TRUE");
        }
        try (var db = Database.open(new DatabaseConfig(url, "deployer", "not-the-admin", 2))) {
            assertThat(db.dsl().fetchValue("select count(*) from audit_entry")).isEqualTo(0L);
        }

        // the admin that created it opens it as before
        try (var db = Database.open(new DatabaseConfig(url, "sa", "", 2))) {
            assertThat(db.dsl().fetchValue("select count(*) from audit_entry")).isEqualTo(0L);
        }
    }
}
