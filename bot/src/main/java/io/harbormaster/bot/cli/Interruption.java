package io.harbormaster.bot.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a benchmark runs. The JVM runs its shutdown hooks, and a benchmark left to itself
 * then fails with whatever its database says as H2's own hook, or a throwaway PostgreSQL's, closes it under its feet (a
 * jOOQ stack trace). The user asked to stop, not for that. While a benchmark is watched, a shutdown prints one line on
 * stderr, asks the benchmark to stop ({@link #stopRequested()}, which it checks between its steps), waits a little for
 * its own clean-up (its temporary files; the benchmarks open their H2 files with {@code DB_CLOSE_ON_EXIT=FALSE}, so
 * that they close them themselves), and marks the failure the stop may cause as expected, so that
 * {@link UserErrorHandler} prints nothing more. The exit code is the JVM's for the signal: 130 after Ctrl-C, 143 after
 * SIGTERM.
 */
final class Interruption implements AutoCloseable {
    /**
     * A command whose temporary files or databases are removed when it returns: on a shutdown the JVM waits up to
     * {@link #CLEAN_UP} for it to do so.
     */
    interface CleansUp {}

    /** How long a shutdown waits for a {@link CleansUp} command to return. */
    static final Duration CLEAN_UP = Duration.ofSeconds(10);

    /** Whether a watched command was stopped by a shutdown of the JVM. */
    private static volatile boolean interrupted;

    /** The command being watched, if any. */
    private static volatile Interruption active;

    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Runnable> afterStop = new CopyOnWriteArrayList<>();

    private Interruption(String name, PrintWriter err, Duration cleanUp) {
        hook = new Thread(
                () -> {
                    interrupted = true;
                    err.println();
                    err.println(name + " interrupted: stopped without figures");
                    err.flush();
                    try {
                        finished.await(cleanUp.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    afterStop.forEach(Runnable::run);
                },
                "harbormaster-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Watches the command of {@code spec} until {@link #close()}, which comes after the command has returned and its
     * failure, if any, has been handled; on a shutdown the JVM waits up to {@link #CLEAN_UP} for a command that
     * {@link CleansUp}, and not at all for the others.
     */
    static Interruption watch(CommandSpec spec) {
        var name = spec.qualifiedName().replaceFirst("^harbormaster ", "");
        var cleanUp = spec.userObject() instanceof CleansUp ? CLEAN_UP : Duration.ZERO;
        var watch = new Interruption(name, spec.commandLine().getErr(), cleanUp);
        active = watch;
        return watch;
    }

    /**
     * Whether Ctrl-C or SIGTERM asked the watched command to stop: a benchmark checks it between its steps, and
     * otherwise would go on until the JVM halts, its temporary files left behind. (Not a thread interrupt: one that
     * comes while a connection pool is being closed has the pool log a stack trace.)
     */
    static boolean stopRequested() {
        return interrupted;
    }

    /**
     * Runs {@code action} once the watched command has stopped after Ctrl-C, or the wait for it is over (so it may run
     * while the command still does): for clean-up that must happen even then, such as removing a throwaway database's
     * files, which the JVM's exit then frees. It must not mind having been done already. Nothing is watched when the
     * command runs outside {@link HarbormasterCommand#commandLine()}, in tests, and then nothing is kept.
     */
    static void afterStop(Runnable action) {
        var watch = active;
        if (watch != null) {
            watch.afterStop.add(action);
        }
    }

    /**
     * Whether a watched command was stopped by Ctrl-C or SIGTERM, so what it threw is expected. The JVM's shutdown
     * hooks run in no set order: the database may be closed, and the command fail, before this class's hook has run,
     * so a watched command failing while the JVM shuts down counts too.
     */
    static boolean happened() {
        return interrupted || (active != null && shuttingDown());
    }

    private static boolean shuttingDown() {
        var probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) { // "Shutdown in progress"
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    @Override
    public void close() {
        active = null;
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) { // the JVM is shutting down: this command ends because it was stopped
            interrupted = true;
        }
    }
}
