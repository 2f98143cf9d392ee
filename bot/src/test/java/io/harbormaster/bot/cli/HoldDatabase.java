package io.harbormaster.bot.cli;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.io.IOException;

/**
 * Another process that holds an embedded database open, as a running serve or sandbox does: it opens the URL given,
 * prints "open", and closes it when its standard input ends.
 */
public final class HoldDatabase {
    private HoldDatabase() {}

    public static void main(String[] args) throws IOException {
        try (var db = Database.open(DatabaseConfig.of(args[0]))) {
            System.out.println("open");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our input
            }
        }
    }

    /** Starts one on {@code url} and returns once it holds the database. */
    static Process start(String url) throws IOException {
        var java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), HoldDatabase.class.getName(), url)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        var line = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream())).readLine();
        if (!"open".equals(line)) {
            process.destroy();
            throw new IllegalStateException("the holding process did not open " + url + ": " + line);
        }
        return process;
    }
}
