package io.harbormaster.bot.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * A long-running command (serve, sandbox) set up as the CLI runs it, with what it prints captured: the test keeps the
 * command object to shorten its timeouts or stop it, and runs it through {@code cli}.
 */
record CapturedCommand<C>(C command, CommandLine cli, StringWriter out, StringWriter err) {
    static <C> CapturedCommand<C> of(C command) {
        var cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        var out = new StringWriter();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new CapturedCommand<>(command, cli, out, err);
    }
}
