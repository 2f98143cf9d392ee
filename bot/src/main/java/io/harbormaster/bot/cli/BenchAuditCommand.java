package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.bench.AuditBenchmark;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.local.LocalPostgres;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
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
final class BenchAuditCommand implements Callable<Integer> {
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

    @Option(
            names = "--entries",
            defaultValue = "1000000",
            description = "entries in the log (default: ${DEFAULT-VALUE})")
    long entries;

    @Option(
            names = "--append-threads",
            defaultValue = "8",
            description = "concurrent appenders (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--append-measured",
            defaultValue = "20000",
            description = "single appends timed (default: ${DEFAULT-VALUE})")
    int appendMeasured;

    @Option(names = "--queries", defaultValue = "200", description = "filters timed (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (entries < 1 || threads < 1 || appendMeasured < threads || queries < 1) {
            throw new UserError(
                    "--entries, --queries must be positive and --append-measured at least --append-threads");
        }
        var plan = new AuditBenchmark.Plan(entries, threads, appendMeasured, queries, 100_000, seed);
        LocalPostgres cluster = null;
        var dir = Files.createTempDirectory("harbormaster-bench-audit");
        try {
            String jdbc =
                    switch (db) {
                        case h2 -> "jdbc:h2:file:" + dir.resolve("audit");
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
                result.putAll(new AuditBenchmark(log, plan).run());
                figures = result;
            }
            print(figures);
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage(), e);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        return 0;
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
