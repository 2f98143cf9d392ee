package io.harbormaster.bot.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Files and directories a command writes, given on its command line: a path that cannot be written is a
 * {@link UserError} that names the option, the path, why and what to do, never a stack trace. {@link #check} runs
 * before any work (a model trained for minutes, a database opened), so nothing is done for output that cannot land.
 */
final class OutputFiles {
    private OutputFiles() {}

    /** Refuses {@code file} when it cannot be created or replaced: missing directory, a directory, no permission. */
    static void check(Path file, String option) {
        var shown = option + " " + file;
        if (Files.isDirectory(file)) {
            throw new UserError(shown + " is a directory: give a file name in it, such as " + file.resolve("out.json"));
        }
        var parent = file.toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        if (!Files.exists(parent)) {
            throw new UserError(shown + ": the directory " + parent + " does not exist; create it first (mkdir -p "
                    + parent + ") or give a path in an existing directory");
        }
        if (!Files.isDirectory(parent)) {
            throw new UserError(shown + ": " + parent + " is not a directory; give a path in a directory");
        }
        if (!Files.isWritable(parent) || (Files.exists(file) && !Files.isWritable(file))) {
            throw new UserError(shown + ": permission denied; give a path you can write to");
        }
    }

    /** Opens {@code file} for writing (created, or replaced), or says why it cannot be. */
    static OutputStream open(Path file, String option) {
        try {
            return Files.newOutputStream(file);
        } catch (IOException e) {
            throw failure(file, option, e);
        }
    }

    /** The error for an I/O failure while creating or writing {@code file} (also one wrapped as unchecked). */
    static UserError failure(Path file, String option, Exception e) {
        return new UserError(option + " " + file + ": cannot write it: " + why(e), e);
    }

    /** Why a file operation failed, in words (the exception's own message is often only the path). */
    static String why(Exception e) {
        var cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return switch (cause) {
            case NoSuchFileException n ->
                "a directory on the way (" + n.getFile() + ") does not exist; create it first";
            case NotDirectoryException n -> "a part of the path (" + n.getFile() + ") is not a directory";
            case AccessDeniedException a -> "permission denied on " + a.getFile() + "; give a path you can write to";
            case FileAlreadyExistsException f -> f.getFile() + " is in the way and is not a directory";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        };
    }
}
