package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The ack benchmark runs against the in-process bot and counts what Slack would see; figures are not judged here. */
class BenchAckCommandTest {
    @Test
    void everySignedCommandIsAckedAndCounted() throws Exception {
        var r = CliRun.of("bench", "ack", "--rate", "20", "--seconds", "1", "--warmup-seconds", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        var json =
                new ObjectMapper().readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(json.get("sent").asLong()).isEqualTo(20);
        assertThat(json.get("errors").asLong()).isZero();
        assertThat(json.get("statuses").get("200").asLong()).isEqualTo(20);
        assertThat(json.get("ack_p99_ms").asDouble()).isPositive();
    }

    @Test
    void aCommandThatIsNotASlashCommandIsRefused() {
        var r = CliRun.of("bench", "ack", "--seconds", "1", "--command", "deploy help");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--command must be a slash command");
    }
}
