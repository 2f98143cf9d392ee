package io.harbormaster.bot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code harbormaster} command; each capability registers its subcommand here. */
@Command(
        name = "harbormaster",
        mixinStandardHelpOptions = true,
        versionProvider = HarbormasterCommand.Version.class,
        description = "Slack chat-ops deploys to Kubernetes: risk-scored, canary-analysed, audited.",
        footer = {"", "From a checkout, ./harbormaster test runs the whole test suite (Maven, JDK 21+)."},
        subcommands = {
            ConfigCommand.class,
            RiskCommand.class,
            AnalyzeCommand.class,
            AuditCommand.class,
            BenchCommand.class,
            ServeCommand.class,
            SandboxCommand.class,
            HelpCommand.class
        })
public final class HarbormasterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** The configured command line, shared by {@code Main} and the tests. */
    public static CommandLine commandLine() {
        var cli = new CommandLine(new HarbormasterCommand());
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        cli.setExecutionStrategy(HarbormasterCommand::execute);
        return cli;
    }

    /** Runs the command asked for; a benchmark stopped by Ctrl-C says so in one line ({@link Interruption}). */
    private static int execute(CommandLine.ParseResult parsed) {
        var last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        var spec = last.commandSpec();
        if (spec.parent() == null || !spec.parent().name().equals("bench")) {
            return new CommandLine.RunLast().execute(parsed);
        }
        try (var watch = Interruption.watch(spec)) {
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reports the jar's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var version = HarbormasterCommand.class.getPackage().getImplementationVersion();
            return new String[] {"harbormaster " + (version == null ? "development build" : version)};
        }
    }
}
