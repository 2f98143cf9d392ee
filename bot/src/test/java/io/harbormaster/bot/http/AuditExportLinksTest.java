package io.harbormaster.bot.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signed, short-lived export links {@code /audit} gives auditors, served by {@code GET /audit/export}. */
class AuditExportLinksTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final MovableClock clock = new MovableClock();
    final HttpClient http = HttpClient.newHttpClient();
    Database db;
    JooqAuditLog log;
    AuditExportLinks links;
    /** The catalog in force: the auditor group is {@code auditors}, with U0AUDITOR in it. */
    final java.util.concurrent.atomic.AtomicReference<io.harbormaster.engine.policy.ServiceCatalog> catalog =
            new java.util.concurrent.atomic.AtomicReference<>(catalogWithAuditors("U0AUDITOR"));

    Javalin server;
    String base;

    @BeforeEach
    void start() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:exportlinks" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        log = new JooqAuditLog(db, CheckpointSigner.generate(), 100, clock, Optional.empty());
        for (int i = 1; i <= 6; i++) {
            log.append(new AuditRecord(
                    T0.minusSeconds(3600L * i),
                    "engine",
                    "deploy.decided",
                    "d" + i,
                    i % 2 == 0 ? "checkout" : "search",
                    "1." + i,
                    "auto",
                    "{\"i\":" + i + "}",
                    "e",
                    "p"));
        }
        int port;
        try (var socket = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        base = "http://127.0.0.1:" + port;
        links = new AuditExportLinks(
                URI.create(base + "/"),
                "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(15),
                log,
                catalog::get,
                clock);
        server = Javalin.create(cfg -> links.routes(cfg.routes)).start("127.0.0.1", port);
    }

    @AfterEach
    void stop() {
        server.stop();
        db.close();
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLinkStreamsExactlyWhatTheAuditorFilteredAndTheDownloadIsAudited() throws Exception {
        var issued = links.links(AuditQuery.all().withService("checkout"), "U0AUDITOR");
        assertThat(issued.csv().toString()).startsWith(base + "/audit/export?format=csv&service=checkout");

        var csv = get(issued.csv());
        assertThat(csv.statusCode()).isEqualTo(200);
        var rows = csv.body().lines().toList();
        assertThat(rows.getFirst()).startsWith("seq,time,actor");
        assertThat(rows.subList(1, rows.size())).hasSize(3).allSatisfy(r -> assertThat(r)
                .contains(",checkout,"));

        var json = get(issued.json());
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.body()).contains("\"filtered\":true").contains("\"service\":\"checkout\"");

        var exported = new ArrayList<String>();
        log.scan(
                AuditQuery.all().withDecision("export"),
                e -> exported.add(e.record().actor() + " " + e.record().action()));
        assertThat(exported).containsExactly("U0AUDITOR audit.exported", "U0AUDITOR audit.exported");
        assertThat(log.verify().valid()).isTrue();
    }

    @Test
    void theExpiryTheLinksCarryIsTheOneTheRouteHoldsThemTo() throws Exception {
        clock.now = T0.plusMillis(37_400); // issued at 10:00:37.4
        var issued = links.links(AuditQuery.all().withService("checkout"), "U0AUDITOR");
        assertThat(issued.expiresAt()).isEqualTo(Instant.parse("2026-11-24T10:15:37Z"));
        assertThat(issued.validFor()).isEqualTo(Duration.ofMinutes(15));
        var answer = io.harbormaster.bot.slack.messages.BlockKitLimits.json(
                io.harbormaster.bot.slack.messages.AuditMessages.summary(
                                AuditQuery.all().withService("checkout"),
                                log.summarize(AuditQuery.all().withService("checkout"), 3),
                                Optional.of(issued),
                                Optional.empty())
                        .blocks());
        assertThat(answer).contains("(links expire at 2026-11-24 10:15 UTC, in 15 min)");

        // the minute it names, the link still works; past the second it carries, it does not
        clock.now = Instant.parse("2026-11-24T10:15:37Z");
        assertThat(get(issued.csv()).statusCode()).isEqualTo(200);
        clock.now = Instant.parse("2026-11-24T10:15:38Z");
        assertThat(get(issued.csv()).statusCode()).isEqualTo(403);
    }

    @Test
    void aLinkForOneDeployExportsThatDeployOnlyAndItsFilterIsSigned() throws Exception {
        var issued = links.links(AuditQuery.all().withDeploy("d2"), "U0AUDITOR");

        var csv = get(issued.csv());
        assertThat(csv.statusCode()).isEqualTo(200);
        var rows = csv.body().lines().toList();
        assertThat(rows.subList(1, rows.size())).singleElement().satisfies(r -> assertThat(r)
                .contains(",d2,"));
        assertThat(get(URI.create(issued.csv().toString().replace("deploy=d2", "deploy=d4")))
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(URI.create(issued.csv().toString().replace("deploy=d2&", "")))
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void aFullJsonExportIsSignedThroughItsLastEntrySoItsEndCanBeVerifiedOffline() throws Exception {
        // six entries, a checkpoint every 100: before, the export carried no checkpoint and verified as "signed
        // through entry 0", so entries cut from its end went unnoticed
        var json = get(links.links(AuditQuery.all(), "U0AUDITOR").json());
        assertThat(json.statusCode()).isEqualTo(200);
        var report = io.harbormaster.engine.audit.AuditExport.verify(
                new java.io.ByteArrayInputStream(json.body().getBytes(StandardCharsets.UTF_8)), Optional.empty());
        assertThat(report.valid()).isTrue();
        assertThat(report.entries()).isEqualTo(6);
        assertThat(report.checkpoints()).isEqualTo(1);
        assertThat(report.signedThrough()).isEqualTo(6);
    }

    /**
     * Before, a filtered export carried nothing that showed it whole, so one with an entry deleted verified the same as
     * the export served: it is now signed with the log's key, its filter and its entries.
     */
    @Test
    void aFilteredJsonExportIsSignedSoThatAnEntryDeletedFromItIsCaught() throws Exception {
        var json = get(links.links(AuditQuery.all().withService("checkout"), "U0AUDITOR")
                .json());
        assertThat(json.statusCode()).isEqualTo(200);
        var key = Optional.of(log.signer().orElseThrow().publicKey());
        var report = verify(json.body(), key);
        assertThat(report.valid()).as(report.reason()).isTrue();
        assertThat(report.scope()).isEqualTo(io.harbormaster.engine.audit.VerifyReport.Scope.FILTER);
        assertThat(report.entries()).isEqualTo(3);
        assertThat(report.export().filter()).containsExactly(java.util.Map.entry("service", "checkout"));
        assertThat(report.export().exportedAt()).isEqualTo(T0.toString());

        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json.body());
        ((com.fasterxml.jackson.databind.node.ArrayNode) doc.get("entries")).remove(1);
        var deleted = verify(mapper.writeValueAsString(doc), key);
        assertThat(deleted.valid()).isFalse();
        assertThat(deleted.reason()).contains("its signed manifest lists 3 entries and the file holds 2");
    }

    static io.harbormaster.engine.audit.VerifyReport verify(String json, Optional<java.security.PublicKey> key) {
        return io.harbormaster.engine.audit.AuditExport.verify(
                new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), key);
    }

    static io.harbormaster.engine.policy.ServiceCatalog catalogWithAuditors(String... members) {
        return new io.harbormaster.engine.policy.ServiceCatalog(
                java.util.Map.of(),
                java.util.Map.of("auditors", java.util.Set.of(members)),
                java.util.List.of(),
                "auditors");
    }

    /**
     * A link proves whom it was issued to, not that they still audit: someone taken out of the auditor group
     * (harbormaster.yml reloaded) after /audit gave them a link cannot download with it, and the attempt is in the log.
     */
    @Test
    void aLinkOfSomeoneNoLongerInTheAuditorGroupIsRefusedAndTheRefusalAudited() throws Exception {
        var issued = links.links(AuditQuery.all().withService("checkout"), "U0AUDITOR");
        assertThat(get(issued.csv()).statusCode()).isEqualTo(200);

        catalog.set(catalogWithAuditors("U0OTHER"));
        var refused = get(issued.json());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body())
                .contains("issued to U0AUDITOR, who is no longer in the auditor group (auditors)")
                .doesNotContain("\"entries\"");

        var logged = new ArrayList<String>();
        log.scan(
                AuditQuery.all().withDecision("refused"),
                e -> logged.add(e.record().actor() + " " + e.record().action() + " "
                        + e.record().service()));
        assertThat(logged).containsExactly("U0AUDITOR audit.export.refused checkout");
        var exported = new ArrayList<String>();
        log.scan(
                AuditQuery.all().withDecision("export"),
                e -> exported.add(e.record().actor()));
        assertThat(exported).as("only the download before the change").containsExactly("U0AUDITOR");

        catalog.set(catalogWithAuditors("U0OTHER", "U0AUDITOR")); // back in the group: the link works again
        assertThat(get(issued.csv()).statusCode()).isEqualTo(200);
    }

    /**
     * Before, the signed text was each parameter as {@code name=value} on its own line, values as they came: a value
     * with a line break in it could carry the next parameter, so a link with its decision filter moved into its service
     * filter kept a valid signature.
     */
    @Test
    void aFilterMovedIntoAnotherParameterBreaksTheSignature() throws Exception {
        var csv = links.links(AuditQuery.all().withService("checkout").withDecision("auto"), "U0AUDITOR")
                .csv()
                .toString();
        assertThat(csv).contains("service=checkout&decision=auto&");
        assertThat(get(URI.create(csv)).statusCode()).isEqualTo(200);
        var moved =
                get(URI.create(csv.replace("service=checkout&decision=auto&", "service=checkout%0Adecision%3Dauto&")));
        assertThat(moved.statusCode()).isEqualTo(403);
        assertThat(moved.body()).contains("not valid");
    }

    @Test
    void aChangedFilterOrRequesterOrAnExpiredLinkIsRefused() throws Exception {
        var csv = links.links(AuditQuery.all().withService("checkout"), "U0AUDITOR")
                .csv()
                .toString();
        var widened = get(URI.create(csv.replace("service=checkout&", "")));
        assertThat(widened.statusCode()).isEqualTo(403);
        assertThat(widened.body()).contains("not valid").contains("run /audit again");
        assertThat(get(URI.create(csv.replace("by=U0AUDITOR", "by=U0MALLORY"))).statusCode())
                .isEqualTo(403);
        assertThat(get(URI.create(base + "/audit/export?format=csv")).statusCode())
                .isEqualTo(403);

        clock.now = T0.plus(Duration.ofMinutes(16));
        var late = get(URI.create(csv));
        assertThat(late.statusCode()).isEqualTo(403);
        assertThat(late.body()).containsPattern("expired at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC;");
    }
}
