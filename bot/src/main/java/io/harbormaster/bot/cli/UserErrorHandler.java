package io.harbormaster.bot.cli;

import picocli.CommandLine;

/**
 * Turns a {@link UserError} into one line on stderr and exit code 2; anything else keeps its stack trace, since it is
 * a bug rather than bad input, unless a benchmark was stopped by Ctrl-C or SIGTERM ({@link Interruption}), which has
 * said so already: what the stop made fail is not printed.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (Interruption.happened()) {
            return 130; // the JVM is exiting with the signal's own code; Interruption has printed its line
        }
        if (ex instanceof UserError) {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
        }
        throw ex;
    }
}
