package io.harbormaster.bot;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a piece of code writes on System.err, where the bot's logger (slf4j-simple) writes its lines. */
public final class StandardError {
    private StandardError() {}

    /** Runs {@code action} with System.err captured, and returns what was written there. */
    public static String of(Runnable action) {
        var captured = new ByteArrayOutputStream();
        var err = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
