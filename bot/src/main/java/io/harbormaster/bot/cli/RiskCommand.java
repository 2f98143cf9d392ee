package io.harbormaster.bot.cli;

import picocli.CommandLine.Command;

/** {@code harbormaster risk}: train, apply and backtest the deploy risk model. */
@Command(
        name = "risk",
        mixinStandardHelpOptions = true,
        description = "Train, apply and backtest the deploy risk model.",
        subcommands = {RiskTrainCommand.class, RiskScoreCommand.class, RiskBacktestCommand.class})
final class RiskCommand {}
