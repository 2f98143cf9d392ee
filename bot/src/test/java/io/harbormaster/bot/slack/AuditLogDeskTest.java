package io.harbormaster.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /audit} answered from a real audit log: what an auditor is offered. */
class AuditLogDeskTest {
    static final SlackUser AUDREY = new SlackUser("U0AUDITOR", "audrey");

    @TempDir
    Path dir;

    Database db;
    JooqAuditLog log;
    final List<AuditQuery> linksIssued = new ArrayList<>();
    AuditLogDesk desk;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:file:" + dir.resolve("db")));
        log = new JooqAuditLog(db, CheckpointSigner.generate(), 1000, Clock.systemUTC(), Optional.empty());
        desk = new AuditLogDesk(log, 1000, TestCatalog.catalog(), (q, who) -> {
            linksIssued.add(q);
            return Optional.of(new AuditMessages.ExportLinks(
                    URI.create("https://bot.example/x.csv"), URI.create("https://bot.example/x.json")));
        });
        log.append(new AuditRecord(
                Instant.parse("2026-12-07T10:00:00Z"),
                "engine",
                "deploy.routed",
                "7",
                "search",
                "5.2.0",
                "automatic",
                "{}",
                "e1",
                "p1"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aQueryThatMatchesNothingIsIssuedNoExportLinksAndOneThatMatchesIs() {
        for (var empty : List.of(
                AuditQuery.all().withService("nosuch"),
                AuditQuery.all().withUntil(Instant.parse("2020-01-01T00:00:00Z")))) {
            var outcome = (AuditDesk.AuditOutcome.Summary) desk.query(empty, AUDREY);
            assertThat(outcome.summary().matched()).isZero();
            assertThat(outcome.links()).as(empty.toString()).isEmpty();
        }
        assertThat(linksIssued).isEmpty();

        var found = (AuditDesk.AuditOutcome.Summary) desk.query(AuditQuery.all().withService("search"), AUDREY);
        assertThat(found.links()).isPresent();
        assertThat(linksIssued).hasSize(1);
    }

    @Test
    void aMisspeltDecisionIsAnsweredWithTheValueItBegins() {
        var outcome =
                (AuditDesk.AuditOutcome.Summary) desk.query(AuditQuery.all().withDecision("auto"), AUDREY);
        assertThat(outcome.remark())
                .hasValueSatisfying(r -> assertThat(r).endsWith("Did you mean decision=automatic?"));
    }

    @Test
    void verifyBeforeTheFirstCheckpointCarriesWhenItComes() {
        var outcome = (AuditDesk.AuditOutcome.Verified) desk.verify(AUDREY);
        assertThat(outcome.report().checkpoints()).isZero();
        assertThat(AuditMessages.verify(outcome.report(), outcome.checkpointEvery())
                        .text())
                .contains("1 entry, chained, but no checkpoint is signed yet: the next is signed at entry 1000");
    }
}
