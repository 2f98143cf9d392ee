package io.harbormaster.bot.cli;

import picocli.CommandLine;

/**
 * Turns a {@link UserError} into one line on stderr and exit code 2; anything else keeps its stack trace, since it is
 * a bug rather than bad input.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (ex instanceof UserError) {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
        }
        throw ex;
    }
}
