package io.harbormaster.bot.cli;

import picocli.CommandLine.Command;

/** {@code harbormaster bench risk}: the same protocol and figures as {@code risk backtest}. */
@Command(
        name = "risk",
        mixinStandardHelpOptions = true,
        description =
                "Risk scoring benchmark (BENCHMARKS.md section 1): the same flags and figures as 'risk backtest'.")
final class BenchRiskCommand extends RiskBacktestCommand {}
