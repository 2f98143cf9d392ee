package io.harbormaster.bot.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code harbormaster help [COMMAND...]}: the usage of the command at the end of the path, however deep ({@code help
 * audit verify} shows {@code audit verify}'s). Picocli's own help command reads one word only, so {@code help audit
 * verify} showed {@code audit}'s help, and a reader took it for the whole answer.
 */
@Command(
        name = "help",
        helpCommand = true,
        description = "Show the usage of a command: help audit verify, help risk, help (this list).")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(
            paramLabel = "COMMAND",
            arity = "0..*",
            description = "The command, with its subcommands, whose usage to show (e.g. audit verify).")
    List<String> path = List.of();

    private CommandLine self;
    private CommandLine.Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(
            CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = out;
    }

    @Override
    public void run() {
        var command = self.getParent();
        if (command == null) {
            return;
        }
        var walked = new StringBuilder(command.getCommandName());
        for (var word : path) {
            var next = command.getSubcommands().get(word);
            if (next == null) {
                var known = command.getSubcommands().keySet().stream()
                        .filter(name -> !name.equals("help"))
                        .sorted()
                        .toList();
                throw new CommandLine.ParameterException(
                        self,
                        known.isEmpty()
                                ? "'" + walked + "' has no subcommands, so no '" + word + "': run help "
                                        + walked.substring(walked.indexOf(" ") + 1)
                                : "unknown command '" + word + "' in '" + walked + " " + word + "': " + walked + " has "
                                        + String.join(", ", known));
            }
            command = next;
            walked.append(' ').append(word);
        }
        command.usage(out, colors);
        out.flush();
    }
}
