package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code help} follows the whole path of subcommands it is given. */
class HelpCommandTest {
    @Test
    void helpWithASubcommandPathShowsTheLastCommandsUsage() {
        // before: help audit verify printed audit's usage
        var r = CliRun.of("help", "audit", "verify");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Usage: harbormaster audit verify", "--public-key");
        assertThat(r.out()).isEqualTo(CliRun.of("audit", "verify", "--help").out());
    }

    @Test
    void helpWithOneCommandOrNoneStillWorks() {
        assertThat(CliRun.of("help", "risk").out()).contains("Usage: harbormaster risk");
        assertThat(CliRun.of("help").out()).contains("Usage: harbormaster", "audit", "bench");
    }

    @Test
    void anUnknownWordInThePathIsNamedWithWhatThereIs() {
        var r = CliRun.of("help", "audit", "verfy");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("unknown command 'verfy'", "export", "verify")
                .doesNotContain("\tat ");
        var tooDeep = CliRun.of("help", "audit", "verify", "more");
        assertThat(tooDeep.code()).isEqualTo(2);
        assertThat(tooDeep.err()).contains("'harbormaster audit verify' has no subcommands");
    }
}
