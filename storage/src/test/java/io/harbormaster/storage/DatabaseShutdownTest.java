package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that stops (Ctrl-C, SIGTERM, System.exit) finishes its work in its shutdown hooks: serve drains the
 * pipeline, the sandbox saves its state. JVM shutdown hooks run at the same time, so H2's own hook, which closes the
 * database at exit unless told not to, used to close it under that work's feet ("Database is already closed"). The
 * database now closes when Harbormaster closes it.
 */
class DatabaseShutdownTest {
    @TempDir
    Path dir;

    @Test
    void workDoneInAShutdownHookStillReachesAnH2File() throws Exception {
        var url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        var java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), WritesWhileStopping.class.getName(), url)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("the child JVM exited")
                .isTrue();
        var output = Files.readString(dir.resolve("out.txt"));
        assertThat(output).as(output).contains("written in the shutdown hook");
        assertThat(process.exitValue()).as(output).isZero();
        try (var db = Database.open(DatabaseConfig.of(url))) {
            assertThat(db.dsl().fetchValue("select count(*) from stopping")).isEqualTo(1L);
        }
    }

    @Test
    void aUrlThatSaysWhenToCloseOrWhenToWriteIsLeftAsItIsAndPostgresqlIsNotTouched() {
        assertThat(Database.driverUrl("jdbc:h2:file:./data/hm", Database.Vendor.H2))
                .isEqualTo("jdbc:h2:file:./data/hm;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        assertThat(Database.driverUrl("jdbc:h2:file:./data/hm;db_close_on_exit=true", Database.Vendor.H2))
                .isEqualTo("jdbc:h2:file:./data/hm;db_close_on_exit=true;WRITE_DELAY=0");
        assertThat(Database.driverUrl("jdbc:h2:file:./data/hm;write_delay=500", Database.Vendor.H2))
                .isEqualTo("jdbc:h2:file:./data/hm;write_delay=500;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(Database.driverUrl("jdbc:postgresql://db/hm", Database.Vendor.POSTGRESQL))
                .isEqualTo("jdbc:postgresql://db/hm");
    }

    /**
     * The child: opens the database and a transaction, exits, and finishes the transaction from a shutdown hook a
     * moment later (as a pipeline drains the step it was in when the signal came), then closes.
     */
    public static final class WritesWhileStopping {
        public static void main(String[] args) throws Exception {
            var db = Database.open(DatabaseConfig.of(args[0]));
            db.dsl().execute("create table stopping (x int)");
            var connection = db.dataSource().getConnection();
            connection.setAutoCommit(false);
            try (var insert = connection.createStatement()) {
                insert.execute("insert into stopping values (1)");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(300); // after H2's own hook, had it one
                    connection.commit();
                    connection.close();
                    System.out.println("written in the shutdown hook");
                } catch (Exception e) {
                    System.out.println("failed in the shutdown hook: " + e);
                } finally {
                    db.close();
                }
            }));
            System.exit(0);
        }
    }
}
