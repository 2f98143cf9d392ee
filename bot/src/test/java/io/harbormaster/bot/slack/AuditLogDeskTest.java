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
    static final SlackUser MALLORY = new SlackUser("U0MALLORY", "mallory");
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), java.time.ZoneOffset.UTC);

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
        var catalog = TestCatalog.catalog();
        desk = new AuditLogDesk(
                log,
                1000,
                () -> catalog,
                (q, who) -> {
                    linksIssued.add(q);
                    return Optional.of(new AuditMessages.ExportLinks(
                            URI.create("https://bot.example/x.csv"),
                            URI.create("https://bot.example/x.json"),
                            CLOCK.instant().plus(java.time.Duration.ofMinutes(15)),
                            java.time.Duration.ofMinutes(15)));
                },
                CLOCK,
                "engine-test",
                () -> "policy-test");
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
            var outcome = (AuditDesk.AuditOutcome.Summary) desk.query(empty, AUDREY, "");
            assertThat(outcome.summary().matched()).isZero();
            assertThat(outcome.links()).as(empty.toString()).isEmpty();
        }
        assertThat(linksIssued).isEmpty();

        var found = (AuditDesk.AuditOutcome.Summary)
                desk.query(AuditQuery.all().withService("search"), AUDREY, "service=search");
        assertThat(found.links()).isPresent();
        assertThat(linksIssued).hasSize(1);
    }

    @Test
    void aMisspeltDecisionIsAnsweredWithTheValueItBegins() {
        var outcome = (AuditDesk.AuditOutcome.Summary)
                desk.query(AuditQuery.all().withDecision("auto"), AUDREY, "decision=auto");
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

    @Test
    void aRefusedQueryIsWrittenToTheLogWithWhoWhenAndWhatTheyTypedAndTheAuditorFindsIt() {
        var typed = "service=search since=7d " + "x".repeat(500);
        var refused = desk.query(AuditQuery.all().withService("search"), MALLORY, typed);
        assertThat(refused).isInstanceOf(AuditDesk.AuditOutcome.Refused.class);
        assertThat(desk.verify(MALLORY)).isInstanceOf(AuditDesk.AuditOutcome.Refused.class);
        assertThat(linksIssued).isEmpty();

        // the auditor finds both attempts among the refusals, and the query's under the service it asked about
        var attempts = (AuditDesk.AuditOutcome.Summary)
                desk.query(AuditQuery.all().withDecision("refused"), AUDREY, "decision=refused");
        assertThat(attempts.summary().matched()).isEqualTo(2);
        var entries = attempts.summary().newest().stream().map(e -> e.record()).toList();
        assertThat(entries).allSatisfy(r -> {
            assertThat(r.actor()).isEqualTo("U0MALLORY");
            assertThat(r.action()).isEqualTo("audit.refused");
            assertThat(r.time()).isEqualTo(CLOCK.instant());
            assertThat(r.engineVersion()).isEqualTo("engine-test");
            assertThat(r.policyVersion()).isEqualTo("policy-test");
        });
        var query = entries.stream()
                .filter(r -> r.service().equals("search"))
                .findFirst()
                .orElseThrow();
        assertThat(query.reasoningJson())
                .contains("\"command\":\"query\"", "\"query\":\"service=search since=7d xxx", "auditor")
                .doesNotContain("x".repeat(200));
        assertThat(query.reasoningJson().length()).isLessThan(600);
        assertThat(entries)
                .filteredOn(r -> r.service().isEmpty())
                .singleElement()
                .satisfies(r -> assertThat(r.reasoningJson()).contains("\"command\":\"verify\""));
        var bySearch = (AuditDesk.AuditOutcome.Summary)
                desk.query(AuditQuery.all().withService("search"), AUDREY, "service=search");
        assertThat(bySearch.summary().matched()).isEqualTo(2); // the routed deploy, and the attempt to read its trail
        assertThat(log.verify().valid()).isTrue();
    }
}
