package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers people see (deploy #N, incident #N, risk_model #N) follow on from the last one after an H2 database was
 * left without being closed (kill -9, a crash). H2 kept 32 identity values in hand and, on reopening, started past
 * them: a QA run saw deploy #3 followed by #33, and incident #1 by #33, so "/deploy resolve 2" found no incident #2.
 */
class VisibleIdsAfterUncleanStopTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void deployIncidentAndRiskModelNumbersAreConsecutiveAcrossAnUncleanStop() throws SQLException {
        var url = "jdbc:h2:file:" + dir.resolve("harbormaster").toAbsolutePath();
        long deploy;
        long incident;
        long model;
        try (var db = Database.open(DatabaseConfig.of(url))) {
            deploy = new JooqDeployStore(db)
                    .intake(DeployStoreTest.request("slack:before", "checkout"))
                    .deploy()
                    .id();
            incident = openIncident(db);
            model = activateModel(db);
            stopUncleanly(db);
        }
        try (var db = Database.open(DatabaseConfig.of(url))) {
            assertThat(db.dsl().fetchCount(org.jooq.impl.DSL.table("deploy")))
                    .as("the rows from before the stop are there")
                    .isEqualTo(1);
            var next = new JooqDeployStore(db)
                    .intake(DeployStoreTest.request("slack:after", "checkout"))
                    .deploy()
                    .id();
            var nextIncident = openIncident(db);
            var nextModel = activateModel(db);
            assertSoftly(soft -> {
                soft.assertThat(next).as("the deploy after deploy #" + deploy).isEqualTo(deploy + 1);
                soft.assertThat(nextIncident)
                        .as("the incident after incident #" + incident)
                        .isEqualTo(incident + 1);
                soft.assertThat(nextModel)
                        .as("the risk model after risk_model #" + model)
                        .isEqualTo(model + 1);
            });
        }
    }

    private static long openIncident(Database db) {
        return new JooqIncidentStore(db)
                .open(OptionalLong.empty(), "checkout", "1.4.2", "error_rate", "5xx up", "db pool", T0)
                .id();
    }

    private static long activateModel(Database db) {
        return new JooqRiskModelStore(db)
                .activate("default", RiskModelJson.defaultModel(), T0)
                .id();
    }

    /**
     * What kill -9 leaves: the committed rows on disk (CHECKPOINT writes them now rather than within H2's write delay,
     * as the seconds between a deploy and a crash would), then the files dropped without H2 closing the database.
     */
    private static void stopUncleanly(Database db) throws SQLException {
        // Not closed here: the connection dies with the database, and the pool drops it when the test closes it.
        var statement = db.dataSource().getConnection().createStatement();
        statement.execute("CHECKPOINT");
        statement.execute("SHUTDOWN IMMEDIATELY");
    }
}
