package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.audit.CheckpointSigner;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditKeyPairTest {
    final CheckpointSigner keys = CheckpointSigner.generate();

    @Test
    void aPairSetInTheEnvironmentIsRead() {
        var env = Map.of(
                AuditKeyPair.SIGNING_KEY, keys.privateKeyBase64(), AuditKeyPair.PUBLIC_KEY, keys.publicKeyBase64());

        assertThat(AuditKeyPair.unset(env)).isEmpty();
        assertThat(AuditKeyPair.fromEnv(env, UserError::new).orElseThrow().keyId())
                .isEqualTo(keys.keyId());
    }

    @Test
    void aBlankOrMissingVariableLeavesNoPairAndIsNamed() {
        var env = Map.of(AuditKeyPair.SIGNING_KEY, " ", AuditKeyPair.PUBLIC_KEY, keys.publicKeyBase64());

        assertThat(AuditKeyPair.fromEnv(env, UserError::new)).isEmpty();
        assertThat(AuditKeyPair.unset(env)).containsExactly(AuditKeyPair.SIGNING_KEY);
        assertThat(AuditKeyPair.unset(Map.of())).containsExactly(AuditKeyPair.SIGNING_KEY, AuditKeyPair.PUBLIC_KEY);
    }

    @Test
    void anUnusablePairIsRefusedInTheCommandsWordsWithoutItsValue() {
        var env = Map.of(AuditKeyPair.SIGNING_KEY, "c2VjcmV0LXZhbHVl", AuditKeyPair.PUBLIC_KEY, keys.publicKeyBase64());

        assertThatThrownBy(() -> AuditKeyPair.fromEnv(env, why -> new UserError("no good: " + why)))
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith("no good: ")
                .hasMessageNotContaining("c2VjcmV0LXZhbHVl");
    }
}
