package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench audit's bounds, and what Ctrl-C (or SIGTERM) in the middle of it prints. */
class BenchAuditCommandTest {
    @TempDir
    Path dir;

    @Test
    void eachOptionIsBoundedAndARefusalSaysTheRangeBeforeAnythingIsWritten() {
        record Case(String option, String value, String said) {}
        for (var c : new Case[] {
            new Case("--entries", "1000000000000", "--entries must be between 1 and 10000000"),
            new Case("--entries", "0", "--entries must be between 1 and 10000000"),
            new Case("--append-threads", "1000", "--append-threads must be between 1 and 64, got 1000"),
            new Case("--append-measured", "2000000000", "--append-measured must be between --append-threads (8) and"),
            new Case("--queries", "10000000", "--queries must be between 1 and 100000, got 10000000")
        }) {
            var r = CliRun.of("bench", "audit", "--db", "h2", c.option(), c.value());
            assertThat(r.code()).as(c.toString()).isEqualTo(2);
            assertThat(r.err()).as(c.toString()).contains(c.said()).doesNotContain("\tat ");
            assertThat(r.out()).as(c.toString()).isEmpty();
        }
    }

    @Test
    void aRunTheDiskCannotHoldIsRefusedWithWhatItNeedsAndWhatIsFree() {
        var command = new BenchAuditCommand();
        command.freeSpace = where -> 2_000_000_000L; // 2 GB free
        var run = CapturedCommand.of(command);
        int code = run.cli().execute("--db", "h2", "--entries", "1000000");
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString())
                .contains("--entries 1000000 needs about 12.0 GB of disk in")
                .contains("for the h2 database, and 2.0 GB is free there: give fewer --entries")
                .contains("-Djava.io.tmpdir=DIR");
        assertThat(run.out().toString()).isEmpty();
    }

    /**
     * A benchmark stopped by a signal, as Ctrl-C or {@code kill} stops it, in a JVM of its own: the shutdown closes H2
     * under the benchmark's feet, which used to print jOOQ's stack trace. SIGTERM rather than SIGINT, since a process
     * started in the background may have SIGINT ignored; both shut the JVM down the same way.
     */
    @Test
    void aBenchmarkStoppedByASignalSaysSoInOneLineAndLeavesNoFilesBehind() throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(
                        java,
                        "-Djava.io.tmpdir=" + dir,
                        "-cp",
                        System.getProperty("java.class.path"),
                        io.harbormaster.bot.Main.class.getName(),
                        "bench",
                        "audit",
                        "--db",
                        "h2",
                        "--entries",
                        "5000000",
                        "--append-threads",
                        "2",
                        "--append-measured",
                        "1000000")
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            // Wait until it is appending: the H2 file exists and grows.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long seen = -1;
            while (true) {
                assertThat(process.isAlive())
                        .as("the benchmark stopped on its own")
                        .isTrue();
                assertThat(System.nanoTime())
                        .as("the benchmark never started appending")
                        .isLessThan(deadline);
                long size = databaseSize();
                if (seen > 0 && size > seen) {
                    break;
                }
                seen = size;
                Thread.sleep(500);
            }
            process.toHandle().destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("stopped after the signal")
                    .isTrue();
            var err = Files.readString(dir.resolve("err.txt"));
            var out = Files.readString(dir.resolve("out.txt"));
            assertThat(process.exitValue()).as(err).isEqualTo(128 + 15);
            assertThat(err.strip()).isEqualTo("bench audit interrupted: stopped without figures");
            assertThat(out).isEmpty();
            try (var left = Files.list(dir)) {
                assertThat(left.map(Path::getFileName).map(Path::toString))
                        .noneMatch(name -> name.startsWith("harbormaster-bench-audit"));
            }
        } finally {
            process.destroyForcibly();
        }
    }

    private long databaseSize() throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".mv.db"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }
}
