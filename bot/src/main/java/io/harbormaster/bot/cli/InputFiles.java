package io.harbormaster.bot.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files a command reads, given on its command line. A directory given where a file belongs (a tab-completed {@code /tmp}
 * or a folder of exports) is named as one before it is opened: opened, it fails with "Is a directory" deep in a
 * reader, a stack trace or a "no such file" that sends the user looking for a file that is there.
 */
final class InputFiles {
    private InputFiles() {}

    /** Refuses {@code file} when it is a directory; {@code give} says which file to give instead. */
    static void refuseDirectory(Path file, String option, String give) {
        if (file != null && Files.isDirectory(file)) {
            throw new UserError(option + " " + file + " is a directory: give " + give);
        }
    }
}
