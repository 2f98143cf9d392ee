package io.harbormaster.bot;

import io.harbormaster.bot.cli.HarbormasterCommand;

/** Entry point of the runnable jar: parses the command line and runs one command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // jOOQ prints a banner and tips at first use; a command line tool's output is not the place for them.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(HarbormasterCommand.commandLine().execute(args));
    }
}
