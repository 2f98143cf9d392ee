package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    final CheckpointSigner signer = CheckpointSigner.generate();

    static AuditRecord record(int i) {
        return new AuditRecord(
                T0.plusSeconds(i),
                "engine",
                "risk.scored",
                "d-" + i,
                "checkout",
                "1." + i,
                "auto",
                "{\"score\":" + i + "}",
                "e1",
                "p1");
    }

    static List<AuditEntry> chain(int n) {
        var out = new ArrayList<AuditEntry>();
        long seq = 0;
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            var e = AuditChain.link(seq, prev, record(i));
            out.add(e);
            seq = e.seq();
            prev = e.hash();
        }
        return out;
    }

    Map<String, PublicKey> trusted() {
        return Map.of(signer.keyId(), signer.publicKey());
    }

    VerifyReport verify(List<AuditEntry> entries, List<AuditCheckpoint> checkpoints) {
        var v = new ChainVerifier(trusted(), checkpoints);
        for (var e : entries) {
            if (!v.accept(e)) {
                break;
            }
        }
        return v.finish();
    }

    @Test
    void anUntouchedChainWithCheckpointsVerifies() {
        var entries = chain(10);
        var cps = List.of(
                signer.checkpoint(5, entries.get(4).hash(), T0),
                signer.checkpoint(10, entries.get(9).hash(), T0));
        var r = verify(entries, cps);
        assertThat(r.valid()).isTrue();
        assertThat(r.entries()).isEqualTo(10);
        assertThat(r.signedThrough()).isEqualTo(10);
    }

    @Test
    void anyChangedFieldBreaksTheEntrysHash() {
        var entries = chain(5);
        var e3 = entries.get(2);
        var r = e3.record();
        var changed = new AuditRecord(
                r.time(),
                r.actor(),
                r.action(),
                r.deployId(),
                r.service(),
                r.version(),
                "escalate",
                r.reasoningJson(),
                r.engineVersion(),
                r.policyVersion());
        entries.set(2, new AuditEntry(3, changed, e3.prevHash(), e3.hash()));
        var report = verify(entries, List.of());
        assertThat(report.valid()).isFalse();
        assertThat(report.firstInvalid()).hasValue(3);
    }

    @Test
    void theHashOfAKnownEntryNeverChangesSoExistingLogsKeepVerifying() {
        var r = new AuditRecord(
                Instant.parse("2026-11-23T10:00:00.123456Z"),
                "U0ANN",
                "approval.counted",
                "42",
                "checkout",
                "1.4.2",
                "approve",
                "{\"comment\":\"naïve ✓ déploiement\",\"n\":1}",
                "harbormaster-0.1.0",
                "policy-7");
        // Computed with the first release of the encoding; a different value means old logs would no longer verify.
        assertThat(AuditChain.hash(7, r, "ab".repeat(32)))
                .isEqualTo("e1fd1b1193fc16453ad8567b4f3b58e8bc402917aa26afe1f74e302ea8623776");
    }

    @Test
    void theEncodingCannotBeShiftedBetweenFields() {
        // "ab" + "c" and "a" + "bc" must not hash alike: the encoding is length-prefixed.
        var a = new AuditRecord(T0, "ab", "c", "", "", "", "", "{}", "", "");
        var b = new AuditRecord(T0, "a", "bc", "", "", "", "", "{}", "", "");
        assertThat(AuditChain.hash(1, a, AuditChain.GENESIS)).isNotEqualTo(AuditChain.hash(1, b, AuditChain.GENESIS));
    }

    @Test
    void aRemovedEntryInTheMiddleIsNamed() {
        var entries = chain(6);
        entries.remove(3); // seq 4
        var r = verify(entries, List.of());
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).hasValue(5);
        assertThat(r.reason()).contains("missing");
    }

    @Test
    void aForgedCheckpointSignatureIsRefusedAtItsEntry() {
        var entries = chain(4);
        var good = signer.checkpoint(2, entries.get(1).hash(), T0);
        var forged = new AuditCheckpoint(2, entries.get(1).hash(), T0.plusSeconds(1), good.keyId(), good.signature());
        var r = verify(entries, List.of(forged));
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).hasValue(2);
        assertThat(r.reason()).contains("signature");
    }

    @Test
    void aTruncatedTailIsFoundWhenACheckpointCoversIt() {
        var entries = chain(8);
        var cp = signer.checkpoint(8, entries.get(7).hash(), T0);
        var r = verify(entries.subList(0, 6), List.of(cp));
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).hasValue(7);
        assertThat(r.reason()).contains("removed");
    }

    @Test
    void aBadCheckpointStopsTheWalkAtItsEntryEvenWithLaterProblems() {
        var entries = chain(10);
        var e8 = entries.get(7);
        entries.set(7, new AuditEntry(8, record(80), e8.prevHash(), e8.hash())); // changed after it was written
        var stranger = CheckpointSigner.generate();
        var cps = List.of(
                signer.checkpoint(3, entries.get(2).hash(), T0),
                stranger.checkpoint(6, entries.get(5).hash(), T0),
                signer.checkpoint(9, entries.get(8).hash(), T0));
        var r = verify(entries, cps);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalid()).hasValue(6);
        assertThat(r.reason()).isEqualTo("checkpoint at entry 6 is signed by unknown key " + stranger.keyId());
        assertThat(r.entries()).as("entries walked before the bad checkpoint").isEqualTo(5);
        assertThat(r.signedThrough()).isEqualTo(3);
        assertThat(r.checkpoints()).isEqualTo(3);
    }

    @Test
    void aBadCheckpointInsideAGapIsTheFirstProblemNotTheGap() {
        var entries = chain(8);
        var cp4 = signer.checkpoint(4, entries.get(3).hash(), T0);
        var forged = new AuditCheckpoint(4, cp4.entryHash(), T0.plusSeconds(1), cp4.keyId(), cp4.signature());
        entries.subList(3, 5).clear(); // entries 4 and 5 removed
        var r = verify(entries, List.of(forged));
        assertThat(r.firstInvalid()).hasValue(4);
        assertThat(r.reason()).isEqualTo("checkpoint at entry 4 has a signature that does not verify");
        assertThat(r.entries()).isEqualTo(3);
    }

    @Test
    void checkpointsPastTheEndAreCheckedToo() {
        var entries = chain(8);
        var stranger = CheckpointSigner.generate();
        // signed by a stranger right after the end: its signature is the first problem
        var r = verify(
                entries.subList(0, 6),
                List.of(stranger.checkpoint(7, entries.get(6).hash(), T0)));
        assertThat(r.firstInvalid()).hasValue(7);
        assertThat(r.reason()).contains("unknown key");
        // further on: entry 7 is missing first
        r = verify(
                entries.subList(0, 6),
                List.of(stranger.checkpoint(8, entries.get(7).hash(), T0)));
        assertThat(r.firstInvalid()).hasValue(7);
        assertThat(r.reason()).contains("removed");
        // an unreadable entry before a bad checkpoint is the first problem
        var v = new ChainVerifier(
                trusted(), List.of(stranger.checkpoint(8, entries.get(7).hash(), T0)));
        for (var e : entries.subList(0, 4)) {
            assertThat(v.accept(e)).isTrue();
        }
        v.unreadable(5, "no actor");
        r = v.finish();
        assertThat(r.firstInvalid()).hasValue(5);
        assertThat(r.reason()).isEqualTo("entry 5 cannot be read: no actor");
    }

    @Test
    void signingKeysMustBeAPair() {
        var a = CheckpointSigner.generate();
        var b = CheckpointSigner.generate();
        var same = CheckpointSigner.fromBase64(a.privateKeyBase64(), a.publicKeyBase64());
        assertThat(same.keyId()).isEqualTo(a.keyId());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> CheckpointSigner.fromBase64(a.privateKeyBase64(), b.publicKeyBase64()))
                .hasMessageContaining("not a pair");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CheckpointSigner.fromBase64("not base64!", "x"))
                .hasMessageContaining("base64");
        assertThat(a.toString()).doesNotContain(a.privateKeyBase64());
    }

    @Test
    void reasoningIsMadeCanonicalOnlyWhenAsked() {
        var r = new AuditRecord(
                T0, "engine", "x", "", "", "", "", "{ \"b\": 1, \"a\": [ {\"d\":1, \"c\":2} ] }", "", "");
        assertThat(r.reasoningJson()).contains(" "); // kept as given: records read back must hash over stored bytes
        assertThat(r.canonical().reasoningJson()).isEqualTo("{\"a\":[{\"c\":2,\"d\":1}],\"b\":1}");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new AuditRecord(T0, "engine", "x", "", "", "", "", "{not json", "", "").canonical())
                .hasMessageContaining("JSON");
    }
}
