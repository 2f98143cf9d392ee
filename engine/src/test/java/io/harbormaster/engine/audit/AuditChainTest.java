package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The encoding that hashes cover, and the comparison of a stored hash with an entry's fields. */
class AuditChainTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00.5Z");

    static AuditRecord record(String actor, String reasoning) {
        return new AuditRecord(T0, actor, "risk.scored", "d-12", "checkout", "1.2.3", "auto", reasoning, "e1", "p1");
    }

    static String sha256Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void theEncodingIsLengthPrefixedInUtf8BytesFieldByField() {
        var r = record("Zoë", "{\"a\":\"✓\"}");
        var text = new String(AuditChain.canonical(12, r, "ab".repeat(32)), StandardCharsets.UTF_8);
        assertThat(text)
                .isEqualTo("harbormaster-audit-v1\n"
                        + "seq=2:12\n"
                        + "time=24:2026-11-23T10:00:00.500Z\n"
                        + "actor=4:Zoë\n" // ë is two bytes
                        + "action=11:risk.scored\n"
                        + "deploy=4:d-12\n"
                        + "service=8:checkout\n"
                        + "version=5:1.2.3\n"
                        + "decision=4:auto\n"
                        + "reasoning=11:{\"a\":\"✓\"}\n" // ✓ is three bytes
                        + "engine_version=2:e1\n"
                        + "policy_version=2:p1\n"
                        + "prev_hash=64:" + "ab".repeat(32) + "\n");
    }

    @Test
    void theHashIsTheSha256OfTheEncodingWhateverTheSizeOfTheEntry() throws Exception {
        var big = "{\"notes\":\"" + "x".repeat(200_000) + "é\"}"; // larger than the buffer a thread keeps
        for (var r : new AuditRecord[] {
            record("engine", "{}"), record("Zoë", "{\"a\":\"✓\"}"), record("engine", big), record("engine", "{\"n\":1}")
        }) {
            var prev = AuditChain.GENESIS;
            assertThat(AuditChain.hash(3, r, prev)).isEqualTo(sha256Hex(AuditChain.canonical(3, r, prev)));
        }
    }

    @Test
    void aStoredHashMatchesOnlyTheExactLowerCaseHexOfTheEntry() {
        var r = record("Zoë", "{\"score\":7}");
        var prev = "cd".repeat(32);
        var hash = AuditChain.hash(9, r, prev);

        assertThat(AuditChain.hashes(9, r, prev, hash)).isTrue();
        assertThat(new AuditEntry(9, r, prev, hash).hashMatches()).isTrue();

        assertThat(AuditChain.hashes(10, r, prev, hash)).as("another place").isFalse();
        assertThat(AuditChain.hashes(9, r, "ce".repeat(32), hash))
                .as("another link")
                .isFalse();
        assertThat(AuditChain.hashes(9, record("Zoe", "{\"score\":7}"), prev, hash))
                .as("another actor")
                .isFalse();
        assertThat(AuditChain.hashes(9, r, prev, hash.toUpperCase(Locale.ROOT)))
                .as("upper case")
                .isFalse();
        char last = hash.charAt(63);
        var oneOff = hash.substring(0, 63) + (last == '0' ? '1' : '0');
        assertThat(AuditChain.hashes(9, r, prev, oneOff))
                .as("last digit changed")
                .isFalse();
        char first = hash.charAt(0);
        var firstOff = (first == '0' ? '1' : '0') + hash.substring(1);
        assertThat(AuditChain.hashes(9, r, prev, firstOff))
                .as("first digit changed")
                .isFalse();
        assertThat(AuditChain.hashes(9, r, prev, hash.substring(0, 62)))
                .as("too short")
                .isFalse();
        assertThat(AuditChain.hashes(9, r, prev, hash + "0")).as("too long").isFalse();
        assertThat(AuditChain.hashes(9, r, prev, null)).as("none").isFalse();
    }
}
