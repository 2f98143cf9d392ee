package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointWalkTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    final CheckpointSigner signer = CheckpointSigner.generate();
    final CheckpointSigner stranger = CheckpointSigner.generate();
    final List<String> problems = new ArrayList<>();

    CheckpointWalk walk(List<AuditCheckpoint> checkpoints) {
        return new CheckpointWalk(
                Map.of(signer.keyId(), signer.publicKey()), checkpoints, (seq, why) -> problems.add(seq + ": " + why));
    }

    @Test
    void signaturesAreCheckedOnceEachAsTheWalkReachesTheirEntries() {
        var w = walk(List.of(stranger.checkpoint(9, "h9", T0), signer.checkpoint(3, "h3", T0)));

        w.checkSignaturesThrough(2);
        assertThat(problems).isEmpty();
        w.checkSignaturesThrough(8);
        assertThat(problems).isEmpty();
        w.checkSignaturesThrough(Long.MAX_VALUE);
        w.checkSignaturesThrough(Long.MAX_VALUE);
        assertThat(problems).containsExactly("9: checkpoint at entry 9 is signed by unknown key " + stranger.keyId());
    }

    @Test
    void twoCheckpointsAtOneEntryCountTwiceButNameItOnce() {
        var first = signer.checkpoint(4, "h4", T0);
        var second = signer.checkpoint(4, "other", T0);
        var w = walk(List.of(first, second, signer.checkpoint(2, "h2", T0)));

        assertThat(w.count()).isEqualTo(3);
        assertThat(w.entries()).isEqualTo(2);
        assertThat(w.at(4)).isEqualTo(second);
        assertThat(w.at(3)).isNull();
        assertThat(w.lastSeq()).isEqualTo(4);
        assertThat(walk(List.of()).lastSeq()).isZero();
    }
}
