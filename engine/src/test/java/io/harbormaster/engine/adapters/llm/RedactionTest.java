package io.harbormaster.engine.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.advice.Redaction;
import org.junit.jupiter.api.Test;

/** Secret-looking text never reaches a prompt. */
class RedactionTest {
    @Test
    void tokensKeysAndAssignedSecretsAreReplacedAndOrdinaryTextIsKept() {
        var text = "Fix login. token: abcd1234efgh, password=hunter22 api_key=\"s3cr3tvalue\" xoxb-123-456-abcdef"
                + " sk-proj-ABCDEFGHIJKLMNOPQRST AKIAABCDEFGHIJKLMNOP ghp_abcdefghijklmnopqrstuvwxyz12"
                + " https://user:pa55word@db.example:5432/x eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0NTY3.SflKxwRJSMeKKF2QT4";
        var scrubbed = Redaction.scrub(text);
        assertThat(scrubbed)
                .doesNotContain(
                        "abcd1234efgh",
                        "hunter22",
                        "s3cr3tvalue",
                        "xoxb-123",
                        "sk-proj-ABC",
                        "AKIAABC",
                        "ghp_abc",
                        "pa55word",
                        "eyJzdWIi")
                .startsWith("Fix login.")
                .contains("[redacted]");
        assertThat(Redaction.scrub("Raise the pool size of the orders service to 20"))
                .isEqualTo("Raise the pool size of the orders service to 20");
    }
}
