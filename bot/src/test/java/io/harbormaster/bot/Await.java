package io.harbormaster.bot;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls until something happens, for tests of work that runs on other threads (a bot, a sandbox, Slack's stand-in). */
public final class Await {
    private static final long POLL_MILLIS = 50;

    private Await() {}

    /** Waits up to {@code timeout} for {@code probe} to give something (not null), and returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits up to {@code timeout} for {@code condition} to hold. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }
}
