package io.harbormaster.bot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.TestDatabases;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditBenchmarkTest {

    @Test
    void aSmallRunReportsEveryFigureOfItsSectionAndTheEntriesEachCommitCarried() throws Exception {
        try (var db = TestDatabases.open(Database.Vendor.H2)) {
            var log = new JooqAuditLog(db, CheckpointSigner.generate(), 100, Clock.systemUTC(), Optional.empty());
            var plan = new AuditBenchmark.Plan(600, 4, 200, 10, 300, 7);

            var figures = new AuditBenchmark(log, plan, () -> false).run();

            assertThat(figures)
                    .containsKeys(
                            "append_per_s",
                            "append_per_commit",
                            "verify_1m_s",
                            "query_p95_ms",
                            "export_100k_s",
                            "verify_heap_peak_mb",
                            "export_heap_peak_mb");
            assertThat(figures).containsEntry("append_measured_entries", 200).containsEntry("entries", 600L);
            // four appenders: every commit carried at least one of their entries and at most one each
            assertThat((Double) figures.get("append_per_commit")).isBetween(1.0, 4.0);
            assertThat(log.verify().entries()).isEqualTo(600);
        }
    }
}
