package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.bench.AuditBenchmark;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.local.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster bench audit}: the audit log benchmark on H2 or PostgreSQL. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = {
            "Audit log benchmark (BENCHMARKS.md section 3): sustained chained appends (append_per_s), verification"
                    + " (verify_1m_s), /audit filters (query_p95_ms), CSV export (export_100k_s), and the heap each took.",
            "Runs on a new database: a temporary H2 file, or a throwaway PostgreSQL cluster (durable settings) started"
                    + " from the machine's PostgreSQL binaries unless --url names one."
        })
final class BenchAuditCommand implements Callable<Integer>, Interruption.CleansUp {
    /** Which database to measure. */
    enum Db {
        h2,
        postgres
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, description = "h2 or postgres")
    Db db;

    @Option(names = "--url", description = "an existing, empty PostgreSQL database to use instead of a throwaway one")
    String url;

    /** Ten times the log BENCHMARKS.md measures: hours of filling, and some 100 GB of H2 file. */
    static final long MAX_ENTRIES = 10_000_000;

    static final int MAX_THREADS = 64;
    static final int MAX_APPEND_MEASURED = 1_000_000;
    static final int MAX_QUERIES = 100_000;

    /**
     * Disk a throwaway database takes per entry while the benchmark runs, rounded up from what it took here: H2 9 to 12
     * kB (0.9 GB at 100,000 entries, 3 GB at 250,000: the file grows faster than the log), PostgreSQL 3 kB (0.3 GB at
     * 100,000, its WAL included). Used to refuse, before anything is written, a run the disk cannot hold.
     */
    static final long H2_BYTES_PER_ENTRY = 12_000;

    static final long POSTGRES_BYTES_PER_ENTRY = 4_000;

    @Option(
            names = "--entries",
            defaultValue = "1000000",
            description = "entries in the log, 1 to " + MAX_ENTRIES + " (default: ${DEFAULT-VALUE})")
    long entries;

    @Option(
            names = "--append-threads",
            defaultValue = "8",
            description = "concurrent appenders, 1 to " + MAX_THREADS + " (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--append-measured",
            defaultValue = "20000",
            description =
                    "single appends timed, --append-threads to " + MAX_APPEND_MEASURED + " (default: ${DEFAULT-VALUE})")
    int appendMeasured;

    @Option(
            names = "--queries",
            defaultValue = "200",
            description = "filters timed, 1 to " + MAX_QUERIES + " (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    /** The disk free where a throwaway database would go; tests replace it. */
    interface FreeSpace {
        long of(Path where) throws IOException;
    }

    FreeSpace freeSpace = where -> Files.getFileStore(where).getUsableSpace();

    @Override
    public Integer call() throws Exception {
        check();
        var plan = new AuditBenchmark.Plan(entries, threads, appendMeasured, queries, 100_000, seed);
        LocalPostgres cluster = null;
        var dir = Files.createTempDirectory("harbormaster-bench-audit");
        // After Ctrl-C the benchmark stops at its next step and removes its files; if it cannot within the wait (one
        // long verification, say), they are removed anyway before the JVM exits.
        Interruption.afterStop(() -> delete(dir));
        try {
            String jdbc =
                    switch (db) {
                        // H2 would close itself at the JVM's exit under the benchmark, mid-statement; it stops first
                        case h2 -> "jdbc:h2:file:" + dir.resolve("audit") + ";DB_CLOSE_ON_EXIT=FALSE";
                        case postgres -> {
                            if (url != null) {
                                yield url;
                            }
                            cluster = LocalPostgres.start(true);
                            yield cluster.createDatabase("bench");
                        }
                    };
            Map<String, Object> figures;
            try (var database = Database.open(new DatabaseConfig(jdbc, "", "", threads + 2))) {
                var log = new JooqAuditLog(
                        database, CheckpointSigner.generate(), 1000, Clock.systemUTC(), Optional.empty());
                var result = new LinkedHashMap<String, Object>();
                result.put("db", db.name());
                result.putAll(new AuditBenchmark(log, plan, Interruption::stopRequested).run());
                figures = result;
            }
            print(figures);
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage(), e);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            delete(dir);
        }
        return 0;
    }

    /** Removes {@code dir} and what it holds; what is gone already (or going) is no matter. */
    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // removed meanwhile by the other of the command and the shutdown
        }
    }

    /** Refuses values the benchmark cannot run with, or would run with for hours or until the disk is full. */
    void check() throws IOException {
        if (entries < 1 || entries > MAX_ENTRIES) {
            throw new UserError("--entries must be between 1 and " + MAX_ENTRIES + " (BENCHMARKS.md measures 1000000;"
                    + " its figures are per million or per 100,000 entries), got " + entries);
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new UserError("--append-threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (appendMeasured < threads || appendMeasured > MAX_APPEND_MEASURED) {
            throw new UserError("--append-measured must be between --append-threads (" + threads + ") and "
                    + MAX_APPEND_MEASURED + ", got " + appendMeasured);
        }
        if (queries < 1 || queries > MAX_QUERIES) {
            throw new UserError("--queries must be between 1 and " + MAX_QUERIES + ", got " + queries);
        }
        if (url == null) { // a throwaway database, on this machine's disk
            var where = db == Db.h2 ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of("/tmp");
            long free = freeSpace.of(where);
            long needed = entries * (db == Db.h2 ? H2_BYTES_PER_ENTRY : POSTGRES_BYTES_PER_ENTRY);
            if (needed > free) {
                throw new UserError(String.format(
                        Locale.ROOT,
                        "--entries %d needs about %.1f GB of disk in %s for the %s database, and %.1f GB is free"
                                + " there: give fewer --entries%s",
                        entries,
                        needed / 1e9,
                        where,
                        db,
                        free / 1e9,
                        db == Db.h2
                                ? ", or a roomier directory with HARBORMASTER_JAVA_OPTS=-Djava.io.tmpdir=DIR"
                                : ", or --url to a PostgreSQL database elsewhere"));
            }
        }
    }

    private void print(Map<String, Object> figures) throws Exception {
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            for (var e : figures.entrySet()) {
                out.printf("%-24s %s%n", e.getKey(), e.getValue());
            }
        }
        out.flush();
    }
}
