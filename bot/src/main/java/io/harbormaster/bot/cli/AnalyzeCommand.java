package io.harbormaster.bot.cli;

import picocli.CommandLine.Command;

/** {@code harbormaster analyze}: canary analysis offline, on numbers or on a recorded canary. */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description = "Analyze canary data offline: compare one metric, or replay a recorded canary.",
        subcommands = {AnalyzeCompareCommand.class, AnalyzeRunCommand.class})
final class AnalyzeCommand {}
