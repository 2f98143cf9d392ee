package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit commands, run as a user would, against a file database the test fills. */
class AuditCommandTest {
    @TempDir
    Path dir;

    String url;
    CheckpointSigner signer = CheckpointSigner.generate();

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeEach
    void fill() {
        url = "jdbc:h2:file:" + dir.resolve("db");
        appendSeven(url, signer);
    }

    /**
     * Seven decisions an hour apart, of deploys 1 to 7, signed every three entries (two checkpoints): checkout and
     * search alternate, the fourth is a rollback.
     */
    static void appendSeven(String url, CheckpointSigner signer) {
        try (var db = Database.open(DatabaseConfig.of(url))) {
            var log = new JooqAuditLog(db, signer, 3, Clock.systemUTC(), Optional.empty());
            for (int i = 1; i <= 7; i++) {
                log.append(new AuditRecord(
                        Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i * 3600L),
                        "engine",
                        "deploy.decided",
                        Integer.toString(i),
                        i % 2 == 0 ? "checkout" : "search",
                        "1." + i,
                        i == 4 ? "rollback" : "auto",
                        "{\"score\":" + i + "}",
                        "e1",
                        "p1"));
            }
        }
    }

    @Test
    void verifyReportsAnIntactLogAsJsonWithExitCodeZero() throws Exception {
        var r = run("audit", "verify", "--db", url, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        var json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("entries").asLong()).isEqualTo(7);
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.get("first_invalid").isNull()).isTrue();
    }

    @Test
    void aDatabaseThatDoesNotExistIsRefusedNotCreatedAndReportedIntact() {
        var missing = dir.resolve("no-such-dir").resolve("harbormaster");
        for (var command : java.util.List.of(
                new String[] {"audit", "verify", "--db", "jdbc:h2:file:" + missing},
                new String[] {"audit", "export", "--db", "jdbc:h2:file:" + missing},
                new String[] {
                    "risk",
                    "train",
                    "--from-history",
                    "--db",
                    "jdbc:h2:file:" + missing,
                    "--out",
                    dir.resolve("m.json").toString()
                })) {
            var r = run(command);
            assertThat(r.code()).as(String.join(" ", command)).isEqualTo(2);
            assertThat(r.err())
                    .as(String.join(" ", command))
                    .contains("there is no database at jdbc:h2:file:" + missing, "--db")
                    .doesNotContain("\tat ");
            assertThat(r.out()).doesNotContain("intact");
        }
        assertThat(dir.resolve("no-such-dir")).doesNotExist();
    }

    @Test
    void aDatabaseHeldByAnotherProcessIsNamedAsSuch() throws Exception {
        var holder = HoldDatabase.start(url); // as a running serve or sandbox holds it
        try {
            var r = run("audit", "verify", "--db", url);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("is in use by another process", "stop that process first");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    @Test
    void verifyNamesTheFirstEditedEntryAndExitsNonZero() throws Exception {
        try (var db = Database.open(DatabaseConfig.of(url));
                var c = db.dataSource().getConnection();
                var st = c.createStatement()) {
            st.execute("DROP TRIGGER audit_entry_append_only");
            st.execute("UPDATE audit_entry SET reasoning = '{\"score\":99}' WHERE seq = 5");
        }
        var r = run("audit", "verify", "--db", url, "--json");
        assertThat(r.code()).isEqualTo(1);
        var json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("first_invalid").asLong()).isEqualTo(5);
    }

    @Test
    void aFullJsonExportVerifiesOfflineWithThePinnedPublicKey() {
        var file = dir.resolve("export.json");
        var exported = run("audit", "export", "--db", url, "--format", "json", "--out", file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        var verified = run("audit", "verify", "--file", file.toString(), "--public-key", signer.publicKeyBase64());
        assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("intact").contains("7 entries");

        var other = CheckpointSigner.generate().publicKeyBase64();
        assertThat(run("audit", "verify", "--file", file.toString(), "--public-key", other)
                        .code())
                .isEqualTo(1);
    }

    /** {@code audit export} with the audit key pair in its environment, as serve has it. */
    CliRun exportWithKeys(CheckpointSigner keys, String... args) {
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        var cli = HarbormasterCommand.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        cli.setErr(new java.io.PrintWriter(err));
        AuditExportCommand export =
                cli.getSubcommands().get("audit").getSubcommands().get("export").getCommand();
        export.env = java.util.Map.of(
                "HARBORMASTER_AUDIT_SIGNING_KEY", keys.privateKeyBase64(),
                "HARBORMASTER_AUDIT_PUBLIC_KEY", keys.publicKeyBase64());
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static void deleteFirstEntry(Path file, boolean markFiltered) throws Exception {
        var mapper = new ObjectMapper();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(file.toFile());
        ((com.fasterxml.jackson.databind.node.ArrayNode) doc.get("entries")).remove(0);
        if (markFiltered) {
            doc.put("filtered", true);
        }
        mapper.writeValue(file.toFile(), doc);
    }

    /**
     * QA's repro: a full export, one entry deleted, its unsigned "filtered" flag set. Before, verify said each entry
     * matches its own hash and exited 0: a file could exempt itself from the chain check.
     */
    @Test
    void aFullExportWithAnEntryDeletedAndMarkedFilteredDoesNotVerifyAsChecked() throws Exception {
        var file = dir.resolve("export.json");
        var exported = run("audit", "export", "--db", url, "--format", "json", "--out", file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        deleteFirstEntry(file, true);

        var r = run("audit", "verify", "--file", file.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out())
                .contains("filtered export (its filter is not recorded): 6 entries")
                .contains("but its completeness is NOT proven: it carries no signed manifest, so an entry deleted"
                        + " from the file would go unnoticed")
                .contains("Exit code 3")
                .doesNotContain("intact");
        var json = new ObjectMapper()
                .readTree(run("audit", "verify", "--file", file.toString(), "--json")
                        .out());
        assertThat(json.get("scope").asText()).isEqualTo("entries");
        assertThat(json.get("complete").asBoolean()).isFalse();
        assertThat(json.get("checkpoints").asInt())
                .as("checked, not only counted")
                .isEqualTo(2);
        assertThat(json.get("filter").isNull()).isTrue();
        // with the key pinned, as before: the key vouched for nothing
        assertThat(run("audit", "verify", "--file", file.toString(), "--public-key", signer.publicKeyBase64())
                        .code())
                .isEqualTo(1);
    }

    @Test
    void aFilteredExportWithoutTheKeyPairIsSaidToBeUnsignedAndVerifiesEntryByEntryOnlyWithItsOwnExitCode()
            throws Exception {
        var file = dir.resolve("search.json");
        var exported = run("audit", "export", "--db", url, "--service", "search", "--out", file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        assertThat(exported.err())
                .contains("note: this filtered export carries no signed manifest: no audit key pair is set")
                .contains("(exit code 3)");

        var r = run("audit", "verify", "--file", file.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out())
                .contains("filtered export (service=search): 4 entries, each matching its own hash and the filter,"
                        + " linked where consecutive, and 2 signed checkpoints verified, but its completeness is NOT"
                        + " proven")
                .contains("export without filters (audit export --format json)")
                .doesNotContain("intact", "signed through");
        var json = new ObjectMapper()
                .readTree(run("audit", "verify", "--file", file.toString(), "--json")
                        .out());
        assertThat(json.get("scope").asText()).isEqualTo("entries");
        assertThat(json.get("valid").asBoolean()).isTrue();
        assertThat(json.get("complete").asBoolean()).isFalse();
        assertThat(json.get("signed_through").isNull()).isTrue();
        assertThat(json.get("filter").get("service").asText()).isEqualTo("search");
        assertThat(json.get("manifest_key").isNull()).isTrue();
    }

    @Test
    void aFilteredExportSignedWithTheLogsKeyIsCompleteForItsFilterAndADeletedEntryIsCaught() throws Exception {
        var file = dir.resolve("search.json");
        var exported = exportWithKeys(
                signer,
                "audit",
                "export",
                "--db",
                url,
                "--service",
                "search",
                "--since",
                "2026-11-20",
                "--out",
                file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        assertThat(exported.err()).doesNotContain("note:");

        for (var pinned : java.util.List.of(
                java.util.List.<String>of(), java.util.List.of("--public-key", signer.publicKeyBase64()))) {
            var args = new java.util.ArrayList<>(java.util.List.of("audit", "verify", "--file", file.toString()));
            args.addAll(pinned);
            var r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out())
                    .contains("filtered export (service=search since=2026-11-20T00:00:00Z) intact and complete for its"
                            + " filter as exported at ")
                    .contains("4 entries", "signed by key " + signer.keyId());
        }
        var json = new ObjectMapper()
                .readTree(run("audit", "verify", "--file", file.toString(), "--json")
                        .out());
        assertThat(json.get("scope").asText()).isEqualTo("filter");
        assertThat(json.get("complete").asBoolean()).isTrue();
        assertThat(json.get("manifest_key").asText()).isEqualTo(signer.keyId());
        assertThat(json.get("exported_at").asText()).isNotEmpty();

        deleteFirstEntry(file, false);
        var deleted = run("audit", "verify", "--file", file.toString());
        assertThat(deleted.code()).isEqualTo(1);
        assertThat(deleted.out())
                .contains("NOT intact: its signed manifest lists 4 entries and the file holds 3: entries were removed"
                        + " from the file");

        // a key pair the log never signed with is not used, and the export says why
        var stranger = exportWithKeys(
                CheckpointSigner.generate(),
                "audit",
                "export",
                "--db",
                url,
                "--service",
                "search",
                "--out",
                file.toString());
        assertThat(stranger.code()).isZero();
        assertThat(stranger.err()).contains("is not one this log's checkpoints are signed with (" + signer.keyId());
        assertThat(run("audit", "verify", "--file", file.toString()).code()).isEqualTo(3);
    }

    @Test
    void aDatabaseAndAFileTogetherAreRefusedRatherThanOneIgnored() {
        var file = dir.resolve("export.json");
        run("audit", "export", "--db", url, "--out", file.toString());
        var r = run("audit", "verify", "--db", url, "--file", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: give --db or --file, not both", "choose one");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aCsvExportIsNamedAsSuchNotAsADamagedExport() {
        var file = dir.resolve("x.csv");
        var exported = run("audit", "export", "--db", url, "--format", "csv", "--out", file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        var r = run("audit", "verify", "--file", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains(file + " is a CSV export", "--format json")
                .doesNotContain("not a whole, unaltered", "Exception");
    }

    @Test
    void aPublicKeyThatVerifiedNoCheckpointIsSaidToHaveVerifiedNothingAndExitsNonZero() throws Exception {
        // Seven entries, signed every 1000: no checkpoint yet, so the key can vouch for nothing.
        var young = "jdbc:h2:file:" + dir.resolve("young");
        try (var db = Database.open(DatabaseConfig.of(young))) {
            var log = new JooqAuditLog(db, signer, 1000, Clock.systemUTC(), Optional.empty());
            for (int i = 1; i <= 7; i++) {
                log.append(new AuditRecord(
                        Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i * 60L),
                        "engine",
                        "deploy.decided",
                        "d-" + i,
                        "checkout",
                        "1." + i,
                        "auto",
                        "{}",
                        "e1",
                        "p1"));
            }
        }
        var key = signer.publicKeyBase64();

        var r = run("audit", "verify", "--db", young, "--public-key", key);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("audit log NOT verified against the public key (--public-key)")
                .contains("no signed checkpoint, so the key verified nothing")
                .contains("The chain itself is intact (7 entries")
                .contains("To check the chain alone, verify without --public-key.")
                .doesNotContain("audit log intact");

        var json = new ObjectMapper()
                .readTree(run("audit", "verify", "--db", young, "--public-key", key, "--json")
                        .out());
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("first_invalid").isNull()).isTrue();
        assertThat(json.get("key_verified").asBoolean()).isFalse();
        assertThat(json.get("public_key").asText()).isEqualTo("--public-key");
        assertThat(json.get("checkpoints").asInt()).isZero();
        assertThat(json.get("reason").asText()).contains("verified nothing");

        // Without a key the same log is an intact chain, as before.
        var chainOnly = run("audit", "verify", "--db", young);
        assertThat(chainOnly.code()).as(chainOnly.err()).isZero();
        assertThat(chainOnly.out())
                .contains("audit log intact: 7 entries, chained, but no checkpoint is signed yet: the bot signs one"
                        + " every audit.checkpoint_every entries")
                .doesNotContain("0 signed checkpoints", "signed through entry 0");

        // The log of seven signed every three: the key verified its checkpoints.
        var signed = new ObjectMapper()
                .readTree(run("audit", "verify", "--db", url, "--public-key", key, "--json")
                        .out());
        assertThat(signed.get("valid").asBoolean()).isTrue();
        assertThat(signed.get("key_verified").asBoolean()).isTrue();
        assertThat(signed.get("signed_through").asInt()).isEqualTo(6);
    }

    /** A script whose key variable is unset passes an empty key: that must not pass as a chain-only check. */
    @Test
    void anEmptyPublicKeyIsRefusedRatherThanTakenForNoKey() {
        var r = run("audit", "verify", "--db", url, "--public-key", "");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains("--public-key is empty")
                .contains("audit keygen")
                .contains("leave --public-key out to check the chain alone");
        assertThat(r.out()).doesNotContain("intact");
    }

    @Test
    void anUnsignedFilteredExportVerifiedWithAPublicKeyIsSaidNotToBeVerifiedAgainstIt() {
        var file = dir.resolve("search.json");
        var exported = run("audit", "export", "--db", url, "--service", "search", "--out", file.toString());
        assertThat(exported.code()).as(exported.err()).isZero();
        var r = run("audit", "verify", "--file", file.toString(), "--public-key", signer.publicKeyBase64());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("filtered export (service=search): 4 entries, each matching its own hash")
                .contains("NOT verified against the public key (--public-key): the filtered export carries no signed"
                        + " manifest, so the key vouches for none of its completeness")
                .doesNotContain("Exit code 3");
    }

    @Test
    void csvExportFiltersByServiceAndDecision() throws Exception {
        var file = dir.resolve("export.csv");
        var r = run(
                "audit",
                "export",
                "--db",
                url,
                "--format",
                "csv",
                "--service",
                "checkout",
                "--decision",
                "auto",
                "--out",
                file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        var lines = Files.readAllLines(file);
        assertThat(lines.getFirst()).startsWith("seq,time,actor");
        assertThat(lines.subList(1, lines.size()))
                .extracting(l -> l.split(",")[0])
                .containsExactly("2", "6");
    }

    @Test
    void anExportFilteredOnAValueNoEntryHasSaysWhichValuesTheLogHas() throws Exception {
        var file = dir.resolve("none.csv");
        var r = run(
                "audit", "export", "--db", url, "--format", "csv", "--decision", "rollbak", "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(file)).hasSize(1); // the header only
        assertThat(r.err())
                .contains("note: no entry in the audit log has decision=rollbak")
                .contains("the decision values it has are auto, rollback.")
                .contains("Did you mean decision=rollback?");

        var service = run("audit", "export", "--db", url, "--service", "chekout", "--out", file.toString());
        assertThat(service.err())
                .contains("service values it has are checkout, search")
                .contains("service=checkout?");

        // a value the log has, in a window with no entry: nothing to remark on
        var quiet = run(
                "audit",
                "export",
                "--db",
                url,
                "--decision",
                "rollback",
                "--since",
                "2020-01-01",
                "--until",
                "2020-01-02",
                "--out",
                file.toString());
        assertThat(quiet.code()).isZero();
        // (only that the JSON export is not signed: no key pair is set here)
        assertThat(quiet.err()).doesNotContain("note: no entry", "did you mean");
    }

    @Test
    void aDecisionGivenByItsBeginningIsAnsweredWithTheWholeValue() {
        var r = run(
                "audit",
                "export",
                "--db",
                url,
                "--decision",
                "roll",
                "--out",
                dir.resolve("x.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err())
                .contains("note: no entry in the audit log has decision=roll")
                .contains("Did you mean decision=rollback?");
    }

    @Test
    void anExportOfOneDeployTakesItsNumberAndRefusesAnythingElse() throws Exception {
        var file = dir.resolve("deploy4.csv");
        var r = run("audit", "export", "--db", url, "--format", "csv", "--deploy", "#4", "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        var lines = Files.readAllLines(file);
        assertThat(lines.subList(1, lines.size()))
                .extracting(l -> l.split(",")[0])
                .containsExactly("4");
        for (var bad : java.util.List.of("abc", "-1", "0")) {
            var refused = run("audit", "export", "--db", url, "--deploy", bad);
            assertThat(refused.code()).as(bad).isEqualTo(2);
            assertThat(refused.err())
                    .as(bad)
                    .contains("error: deploy must be a deploy number from 1 up, such as 42", "got '" + bad + "'")
                    .doesNotContain("letters");
        }
    }

    @Test
    void aWindowThatEndsBeforeItStartsIsSaidInTimesToTheMinute() {
        var r = run("audit", "export", "--db", url, "--since", "1h", "--until", "2h");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .containsPattern("error: until \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\) must be after since"
                        + " \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)")
                .doesNotContainPattern("\\d\\dZ");
    }

    @Test
    void verifyingADirectoryIsAUsageErrorNotANotIntactLog() {
        // before: a stack trace (IOException "Is a directory" from refuseCsv) and exit code 1, "not intact"
        var r = run("audit", "verify", "--file", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("error: --file " + dir + " is a directory: give the export file")
                .doesNotContain("\tat ", "Exception");
    }

    @Test
    void badInputGetsOneLineThatSaysWhatToDo() {
        var r = run("audit", "export", "--db", url, "--since", "last tuesday");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("error: since 'last tuesday' is not a time")
                .doesNotContain("Exception");

        var db = run("audit", "verify", "--db", "jdbc:oracle:thin:@x");
        assertThat(db.code()).isEqualTo(2);
        assertThat(db.err()).contains("jdbc:postgresql://");

        var missing = run("audit", "verify", "--file", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read");
    }

    @Test
    void anExportToAPathThatCannotBeWrittenSaysWhichPathWhyAndWhatToDoWithoutATrace() throws Exception {
        var missing = dir.resolve("nonexistent").resolve("dir").resolve("x.json");
        var r = run("audit", "export", "--db", url, "--out", missing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("--out " + missing, "the directory " + missing.getParent() + " does not exist", "mkdir -p")
                .doesNotContain("Exception", "\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);

        var directory = run("audit", "export", "--db", url, "--out", dir.toString());
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).contains("--out " + dir + " is a directory").doesNotContain("Exception");
    }

    @Test
    void everyCommandInTheTreeAnswersHelp() {
        var paths = new java.util.ArrayList<java.util.List<String>>();
        collect(HarbormasterCommand.commandLine(), new java.util.ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(8);
        // picocli formats descriptions with String.format and warns on System.err when one does not format (a bare %).
        var warnings = new java.io.ByteArrayOutputStream();
        var stderr = System.err;
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (var path : paths) {
                var args = new java.util.ArrayList<>(path);
                args.add("--help");
                var r = run(args.toArray(String[]::new));
                assertThat(r.code()).as(String.join(" ", args)).isZero();
                assertThat(r.out()).as(String.join(" ", args)).contains("Usage:");
                assertThat(r.err() + warnings).as(String.join(" ", args)).doesNotContain("WARN", "Could not format");
            }
        } finally {
            System.setErr(stderr);
        }
    }

    private static void collect(
            picocli.CommandLine cli, java.util.List<String> path, java.util.List<java.util.List<String>> out) {
        out.add(java.util.List.copyOf(path));
        for (var sub : cli.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            var next = new java.util.ArrayList<>(path);
            next.add(sub.getKey());
            collect(sub.getValue(), next, out);
        }
    }

    @Test
    void keygenPrintsAPairTheBotAccepts() {
        var r = run("audit", "keygen");
        var priv = r.out()
                .lines()
                .filter(l -> l.startsWith("HARBORMASTER_AUDIT_SIGNING_KEY="))
                .findFirst()
                .orElseThrow();
        var pub = r.out()
                .lines()
                .filter(l -> l.startsWith("HARBORMASTER_AUDIT_PUBLIC_KEY="))
                .findFirst()
                .orElseThrow();
        var signer =
                CheckpointSigner.fromBase64(priv.substring(priv.indexOf('=') + 1), pub.substring(pub.indexOf('=') + 1));
        assertThat(r.out()).contains(signer.keyId());
    }
}
