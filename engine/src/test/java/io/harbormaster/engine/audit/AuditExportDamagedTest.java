package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Exports that are damaged (a checkpoint missing a key, a value of the wrong type, an unknown key, a cut-off end, an
 * empty file): each is refused with an {@link IllegalArgumentException} that names the line and the key, never read
 * as intact and never failing with another exception.
 *
 * <p>The exports here are laid out one record a line (header, then each checkpoint, then each entry), so that a line
 * number points at one checkpoint: line 3 is the first checkpoint, line 4 the second.
 */
class AuditExportDamagedTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<String> CHECKPOINT_KEYS = List.of("seq", "entry_hash", "signed_at", "key_id", "signature");
    final CheckpointSigner signer = CheckpointSigner.generate();
    final List<AuditEntry> entries = ChainVerifierTest.chain(6);

    /**
     * An export of 6 entries with checkpoints at entries 3 and 6, as the writer makes it: full, or filtered on their
     * service (with its filter and manifest).
     */
    ObjectNode export(boolean filtered) throws Exception {
        var cps = List.of(
                signer.checkpoint(3, entries.get(2).hash(), Instant.EPOCH),
                signer.checkpoint(6, entries.get(5).hash(), Instant.EPOCH));
        var out = new ByteArrayOutputStream();
        // every entry is of checkout: filtered on it, the export holds them all
        var filter = filtered ? AuditQuery.all().withService("checkout") : AuditQuery.all();
        try (var w = AuditExport.json(
                out,
                Instant.EPOCH,
                filter,
                Map.of(signer.keyId(), signer.publicKeyBase64()),
                cps,
                Optional.of(signer))) {
            entries.forEach(w::entry);
            w.finish();
        }
        return (ObjectNode) MAPPER.readTree(out.toByteArray());
    }

    /** The export one record a line (see {@link ExportLines}). */
    static String lines(ObjectNode doc) throws Exception {
        return ExportLines.of(doc);
    }

    static VerifyReport verify(String json) {
        return AuditExport.verify(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                Optional.<java.security.PublicKey>empty());
    }

    String withSecondCheckpoint(Consumer<ObjectNode> change) throws Exception {
        var doc = export(false);
        change.accept((ObjectNode) doc.get("checkpoints").get(1));
        return lines(doc);
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(String json) {
        return assertThatThrownBy(() -> verify(json)).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theExportLaidOutOneRecordALineStillVerifies() throws Exception {
        var report = verify(lines(export(false)));
        assertThat(report.valid()).as(report.reason()).isTrue();
        assertThat(report.entries()).isEqualTo(6);
        assertThat(report.checkpoints()).isEqualTo(2);
        assertThat(report.signedThrough()).isEqualTo(6);
    }

    @Test
    void aCheckpointMissingAnyRequiredKeyIsRefusedNamingTheLineAndTheKey() throws Exception {
        for (var key : CHECKPOINT_KEYS) {
            var json = withSecondCheckpoint(cp -> cp.remove(key));
            refused(json)
                    .as(key)
                    .hasMessageStartingWith("line 4, column 1: ")
                    .hasMessageContaining("checkpoint 2")
                    .hasMessageContaining("the key '" + key + "' is missing")
                    .hasNoCause();
        }
    }

    @Test
    void aCheckpointMissingSeveralKeysNamesThemAll() throws Exception {
        var json = withSecondCheckpoint(cp -> cp.remove(List.of("signature", "key_id")));
        refused(json).hasMessageStartingWith("line 4").hasMessageContaining("the keys 'key_id' and 'signature'");
    }

    @Test
    void aCheckpointValueOfTheWrongTypeIsRefusedNamingTheLineTheKeyAndWhatWasExpected() throws Exception {
        refused(withSecondCheckpoint(cp -> cp.put("seq", "6")))
                .hasMessageStartingWith("line 4, column ")
                .hasMessageContaining("checkpoint 2")
                .hasMessageContaining("'seq' is the text \"6\"")
                .hasMessageContaining("expected a whole number");
        refused(withSecondCheckpoint(cp -> cp.put("seq", 6.5)))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("'seq' is the number 6.5");
        refused(withSecondCheckpoint(cp -> cp.put("seq", 0)))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("'seq' is 0");
        refused(withSecondCheckpoint(cp -> cp.put("entry_hash", 12)))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("checkpoint 2 (entry 6)")
                .hasMessageContaining("'entry_hash' is the number 12, expected text");
        refused(withSecondCheckpoint(cp -> cp.putNull("signature")))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("'signature' is null, expected text");
        refused(withSecondCheckpoint(cp -> cp.putObject("key_id")))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("'key_id' is an object");
        refused(withSecondCheckpoint(cp -> cp.put("signed_at", "yesterday")))
                .hasMessageStartingWith("line 4")
                .hasMessageContaining("'signed_at' is \"yesterday\", expected an ISO-8601 instant");
    }

    @Test
    void aCheckpointWithAnUnknownKeyIsRefusedNamingIt() throws Exception {
        refused(withSecondCheckpoint(cp -> cp.put("note", "fine")))
                .hasMessageStartingWith("line 4, column ")
                .hasMessageContaining("checkpoint 2 (entry 6)")
                .hasMessageContaining("unknown key 'note'")
                .hasMessageContaining("seq, entry_hash, signed_at, key_id and signature");
        refused(withSecondCheckpoint(cp -> cp.set("signatur", cp.remove("signature"))))
                .hasMessageContaining("unknown key 'signatur' (did you mean 'signature'?)");
    }

    @Test
    void aCheckpointThatIsNotAnObjectIsRefused() throws Exception {
        var doc = export(false);
        ((ArrayNode) doc.get("checkpoints")).set(1, MAPPER.getNodeFactory().textNode("6"));
        refused(lines(doc)).hasMessageStartingWith("line 4").hasMessageContaining("checkpoint 2 is the text \"6\"");
    }

    @Test
    void aTruncatedLastLineIsRefusedAndNeverReadAsIntact() throws Exception {
        var full = lines(export(false));
        var lastLine = full.lastIndexOf("]}");
        // The closing "]}" cut off entirely, then only its "}": the entries are all there, the document is not whole.
        refused(full.substring(0, lastLine)).hasMessageContaining("line ").hasMessageContaining("the text ends");
        refused(full.substring(0, lastLine + 1)).hasMessageContaining("line ").hasMessageContaining("the text ends");
        // The last entry cut in the middle.
        var lastEntry = full.lastIndexOf("\n{\"seq\":6");
        refused(full.substring(0, lastEntry + 40))
                .hasMessageStartingWith("line 11")
                .hasMessageContaining("the text ends");
        // The writer's own layout (one line) cut short.
        var oneLine = MAPPER.writeValueAsString(export(false));
        refused(oneLine.substring(0, oneLine.length() - 30)).hasMessageStartingWith("line 1, column ");
    }

    @Test
    void somethingAfterTheEntriesIsStillRead() throws Exception {
        var full = lines(export(false));
        var withExtra = full.replace("]}\n", "],\"extra\":{\"a\":[1,2]}}\n");
        assertThat(verify(withExtra).valid())
                .as("a key after the entries is skipped")
                .isTrue();
        refused(withExtra.substring(0, withExtra.length() - 2)).hasMessageContaining("the text ends");
        refused(full + "{}").hasMessageStartingWith("line 13, column 1: ").hasMessageContaining("there is more after");
    }

    @Test
    void anEmptyFileIsRefusedSayingItIsEmpty() {
        refused("").hasMessage("the file is empty");
        refused(" \n\n").hasMessage("the file is empty");
    }

    @Test
    void anEntryThatIsNotAnObjectIsRefusedNamingTheLine() throws Exception {
        var doc = export(false);
        ((ArrayNode) doc.get("entries")).set(5, MAPPER.getNodeFactory().numberNode(6));
        refused(lines(doc))
                .hasMessageStartingWith("line 11")
                .hasMessageContaining("entry 6 of the file is the number 6");
    }

    @Test
    void aFilteredExportsUnreadableEntryIsNamedWithItsLine() throws Exception {
        var doc = export(true);
        ((ObjectNode) doc.get("entries").get(2)).remove("actor");
        refused(lines(doc))
                .hasMessageStartingWith("line 8, column 1: ")
                .hasMessageContaining("entry 3")
                .hasMessageContaining("actor");
    }

    @Test
    void aDamagedHeaderIsNamedWithItsLineAndKey() throws Exception {
        var doc = export(false);
        doc.put("filtered", "no");
        refused(lines(doc)).hasMessageStartingWith("line 1").hasMessageContaining("'filtered' is the text \"no\"");
        doc = export(false);
        ((ObjectNode) doc.get("keys")).put(signer.keyId(), "not a key");
        refused(lines(doc))
                .hasMessageStartingWith("line 1")
                .hasMessageContaining("keys." + signer.keyId())
                .hasMessageContaining("not base64");
        doc = export(false);
        doc.put("checkpoints", 3);
        refused(MAPPER.writeValueAsString(doc))
                .hasMessageStartingWith("line 1, column ")
                .hasMessageContaining("'checkpoints' is the number 3, expected a list");
    }
}
