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
    void anOutOfRangeFlagIsNamedWithItsRangeAndValue() {
        var warmup = CliRun.of("bench", "ack", "--seconds", "1", "--warmup-seconds", "-3");
        assertThat(warmup.code()).isEqualTo(2);
        assertThat(warmup.err())
                .contains("--warmup-seconds must be between 0 and 600", "got -3")
                .doesNotContain("--rate", "--seconds in");
        var seconds = CliRun.of("bench", "ack", "--seconds", "0");
        assertThat(seconds.err()).contains("--seconds must be between 1 and 3600", "got 0");
        var rate = CliRun.of("bench", "ack", "--seconds", "1", "--rate", "6000");
        assertThat(rate.err()).contains("--rate must be more than 0 and at most 5000", "got 6000");
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedWithoutAStackTrace() {
        var r = CliRun.of("bench", "ack", "--seconds", "1", "--url", "localhost:8080/slack/events");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("--url must be", "http://127.0.0.1:8080/slack/events")
                .doesNotContain("\tat ");
    }

    @Test
    void aBotThatAcksNothingIsAnErrorNotALatency() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        var command = new BenchAckCommand();
        command.env = java.util.Map.of("SLACK_SIGNING_SECRET", "any-secret");
        var cli = new picocli.CommandLine(command);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute(
                "--url",
                "http://127.0.0.1:" + port + "/slack/events",
                "--rate",
                "10",
                "--seconds",
                "1",
                "--warmup-seconds",
                "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no request was acknowledged", "10 errors", "ConnectException");
        assertThat(out.toString()).doesNotContain("ack_p50_ms");
    }

    @Test
    void aCommandThatIsNotASlashCommandIsRefused() {
        var r = CliRun.of("bench", "ack", "--seconds", "1", "--command", "deploy help");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--command must be a slash command");
    }
}
