package io.harbormaster.bot.cli;

import picocli.CommandLine.Command;

/** {@code harbormaster bench}: the benchmarks of BENCHMARKS.md, each printing a table or {@code --json}. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark and print its figures (a table, or JSON with --json).",
        subcommands = {
            BenchAuditCommand.class,
            BenchCanaryCommand.class,
            BenchCanaryLimitsCommand.class,
            BenchRiskCommand.class,
            BenchAckCommand.class,
            BenchSandboxCommand.class
        })
final class BenchCommand {}
