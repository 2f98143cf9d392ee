package io.harbormaster.bot.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line as a user would type it, with what it printed and its exit code. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = HarbormasterCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
