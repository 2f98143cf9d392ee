package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.audit.ExportLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit verify --file} on an export that was damaged after {@code audit export} wrote it: one line on stderr
 * naming the file, the line and the key and saying to export again, exit code 2, nothing claimed intact and no stack
 * trace.
 *
 * <p>The export is laid out one record a line (header, then each checkpoint, then each entry) so that a line number
 * points at one checkpoint: line 3 is the first checkpoint (entry 3), line 4 the second (entry 6).
 */
class AuditVerifyDamagedFileTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    final CheckpointSigner signer = CheckpointSigner.generate();
    ObjectNode export;
    Path file;

    @BeforeEach
    void export() throws Exception {
        var url = "jdbc:h2:file:" + dir.resolve("db");
        AuditCommandTest.appendSeven(url, signer);
        var exported = dir.resolve("export.json");
        var r = CliRun.of("audit", "export", "--db", url, "--format", "json", "--out", exported.toString());
        assertThat(r.code()).as(r.err()).isZero();
        export = (ObjectNode) MAPPER.readTree(exported.toFile());
        assertThat(export.get("checkpoints")).hasSize(2);
        file = dir.resolve("damaged.json");
    }

    /** The export one record a line; its last line is {@code ]}} (see {@link ExportLines}). */
    static String lines(ObjectNode doc) throws Exception {
        return ExportLines.of(doc);
    }

    CliRun verify(String content, String... more) throws Exception {
        Files.writeString(file, content);
        var args = new java.util.ArrayList<>(List.of("audit", "verify", "--file", file.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    String withSecondCheckpoint(Consumer<ObjectNode> change) throws Exception {
        var doc = export.deepCopy();
        change.accept((ObjectNode) doc.get("checkpoints").get(1));
        return lines(doc);
    }

    /** Refused as a damaged file: exit 2, one line on stderr that names the file and says to export again. */
    static void refused(CliRun r, String... says) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).as("nothing claimed on stdout").isEmpty();
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err())
                .startsWith("error: ")
                .contains(says)
                .contains("export the log again (harbormaster audit export --format json --out FILE)")
                .doesNotContain("Exception", "\tat ", "io.harbormaster", "com.fasterxml");
    }

    @Test
    void theExportLaidOutOneRecordALineVerifiesAsBefore() throws Exception {
        var r = verify(lines(export), "--public-key", signer.publicKeyBase64());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("audit log intact: 7 entries, 2 signed checkpoints, signed through entry 6");
    }

    @Test
    void aCheckpointMissingEachRequiredKeyInTurnNamesTheLineAndTheKey() throws Exception {
        for (var key : List.of("seq", "entry_hash", "signed_at", "key_id", "signature")) {
            var r = verify(withSecondCheckpoint(cp -> cp.remove(key)));
            refused(r, "error: " + file + ", line 4, column 1: checkpoint 2", "the key '" + key + "' is missing");
            // Also with --json: a damaged file is an error, not a report.
            refused(verify(withSecondCheckpoint(cp -> cp.remove(key)), "--json"), "'" + key + "'");
        }
    }

    @Test
    void aCheckpointSeqGivenAsTextNamesTheLineTheKeyAndWhatWasExpected() throws Exception {
        var r = verify(withSecondCheckpoint(cp -> cp.put("seq", "6")));
        refused(r, file + ", line 4, column ", "checkpoint 2: 'seq' is the text \"6\", expected a whole number");
    }

    @Test
    void aCheckpointWithAnUnknownKeyNamesIt() throws Exception {
        var r = verify(withSecondCheckpoint(cp -> cp.put("comment", "re-signed by hand")));
        refused(r, file + ", line 4, column ", "checkpoint 2 (entry 6): unknown key 'comment'");
    }

    @Test
    void aTruncatedLastLineIsRefused() throws Exception {
        var full = lines(export);
        // Only the final '}' is lost: every entry is there, but the file is not whole.
        var r = verify(full.substring(0, full.lastIndexOf("]}") + 1));
        refused(r, file + ", line 13, column ", "not valid JSON", "the text ends");
        // The last entry cut in the middle.
        var lastEntry = full.lastIndexOf("\n{\"seq\":7");
        refused(verify(full.substring(0, lastEntry + 30)), file + ", line 12, column ", "the text ends");
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        refused(verify(""), "error: " + file + ": the file is empty");
    }

    @Test
    void aCheckpointWhoseSignatureIsEditedIsStillReportedNotIntactWithExitCodeOne() throws Exception {
        // Well formed but wrong: that is a finding about the log (exit 1), not a damaged file (exit 2).
        var r = verify(withSecondCheckpoint(cp -> cp.put("signature", "AAAA")));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("NOT intact", "checkpoint at entry 6 has a signature that does not verify");
    }
}
