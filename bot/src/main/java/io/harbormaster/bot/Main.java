package io.harbormaster.bot;

import io.harbormaster.bot.cli.HarbormasterCommand;

/** Entry point of the runnable jar: parses the command line and runs one command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(HarbormasterCommand.commandLine().execute(args));
    }
}
