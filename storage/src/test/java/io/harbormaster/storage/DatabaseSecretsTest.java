package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A database password reaches no message, whether it came in its own variable or inside the URL. */
class DatabaseSecretsTest {
    private static final String PASSWORD = "hunter2-Secret";

    @Test
    void aPasswordInTheUrlsUserInfoIsMaskedWhereTheUrlIsShown() {
        var config = DatabaseConfig.of("jdbc:postgresql://alice:" + PASSWORD + "@db.example:5432/harbormaster");

        assertThat(config.redactedUrl()).isEqualTo("jdbc:postgresql://alice:***@db.example:5432/harbormaster");
        assertThat(config.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aUrlPasswordParameterIsStillMasked() {
        var config = DatabaseConfig.of("jdbc:postgresql://db:5432/h?user=alice&password=" + PASSWORD + "&ssl=true");

        assertThat(config.redactedUrl()).isEqualTo("jdbc:postgresql://db:5432/h?user=alice&password=***&ssl=true");
    }

    @Test
    void whatADriverEchoesOfTheUrlIsMasked() {
        var config = DatabaseConfig.of("jdbc:postgresql://alice:" + PASSWORD + "@db.example:5432/harbormaster");

        // PostgreSQL's driver cannot read user:password@ in a JDBC URL and names the "host" it could not resolve
        assertThat(config.redact("alice:" + PASSWORD + "@db.example")).isEqualTo("alice:***@db.example");
        assertThat(config.reveals("alice:" + PASSWORD + "@db.example")).isTrue();
        assertThat(config.reveals("Connection refused")).isFalse();
    }

    @Test
    void aUrlTheDriverRefusesIsReportedWithoutThePasswordFromTheUrl() {
        // an impossible port: the pool refuses the URL before the first connection, naming it
        var thrown = catchThrowable(() ->
                Database.open(DatabaseConfig.of("jdbc:postgresql://alice:" + PASSWORD + "@db:99999999/harbormaster")));

        assertThat(thrown).isNotNull();
        assertThat(messages(thrown)).noneMatch(m -> m.contains(PASSWORD));
    }

    /** The message and toString of the exception and of every cause. */
    private static List<String> messages(Throwable t) {
        var all = new ArrayList<String>();
        for (var e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
            all.add(String.valueOf(e.getMessage()));
            all.add(e.toString());
        }
        return all;
    }
}
