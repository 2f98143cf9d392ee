package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        var out = new ByteArrayOutputStream();
        try (var w =
                AuditExport.json(out, Instant.EPOCH, filtered, Map.of(signer.keyId(), signer.publicKeyBase64()), cps)) {
            entries.forEach(w::entry);
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

    @Test
    void aFilteredExportChecksEachEntrysOwnHash() {
        var entries = ChainVerifierTest.chain(6);
        var some = List.of(entries.get(1), entries.get(4));
        assertThat(verify(export(some, List.of(), true), Optional.empty()).valid())
                .isTrue();
    }

    @Test
    void aFilteredExportsReportSaysSoAndCountsTheCheckpointsItCarriesUnchecked() {
        var entries = ChainVerifierTest.chain(6);
        var full = verify(export(entries, List.of(), false), Optional.empty());
        assertThat(full.filtered()).isFalse();
        var cp = new AuditCheckpoint(3, entries.get(2).hash(), Instant.EPOCH, "k", "not-a-signature");
        var report = verify(export(List.of(entries.get(1), entries.get(4)), List.of(cp), true), Optional.empty());
        assertThat(report.filtered()).isTrue();
        assertThat(report.valid()).isTrue();
        assertThat(report.entries()).isEqualTo(2);
        assertThat(report.checkpoints()).as("carried, not checked").isEqualTo(1);
        assertThat(report.signedThrough()).isZero();
    }

    @Test
    void somethingThatIsNotAnExportIsRefusedWithAReason() {
        assertThatThrownBy(() -> verify("[1,2]", Optional.empty())).hasMessageContaining("one JSON object");
        assertThatThrownBy(() -> verify("{\"format\":\"x\",\"entries\":[]}", Optional.empty()))
                .hasMessageContaining("not a Harbormaster audit export");
        assertThatThrownBy(() -> verify("{\"format\":", Optional.empty())).hasMessageContaining("not valid JSON");
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
