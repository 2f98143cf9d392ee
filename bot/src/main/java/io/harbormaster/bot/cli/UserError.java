package io.harbormaster.bot.cli;

/** A problem with what the user gave us, reported as a message that says what to do, without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
