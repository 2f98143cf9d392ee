package io.harbormaster.bot.cli;

import io.harbormaster.bot.http.AuditExports;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditQueryParser;
import io.harbormaster.engine.audit.UnknownFilterValues;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster audit export}: streams the log, or a filtered part of it, as CSV or JSON. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Stream the audit log as CSV or JSON in constant memory. A full JSON export carries the signed checkpoints"
                    + " and public keys, so `audit verify --file` can check it without the database.",
            "Times: 2026-11-01T09:30:00Z, 2026-11-01 (midnight UTC), or an age such as 90m, 24h, 7d."
        })
final class AuditExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOption database;

    @Option(names = "--format", defaultValue = "json", description = "csv or json (default: ${DEFAULT-VALUE})")
    AuditExports.Format format;

    @Option(names = "--service", description = "only this service")
    String service;

    @Option(names = "--since", description = "only entries at or after this time")
    String since;

    @Option(names = "--until", description = "only entries before this time")
    String until;

    @Option(names = "--decision", description = "only this decision (e.g. automatic, escalate, emergency, rollback)")
    String decision;

    @Option(
            names = "--deploy",
            paramLabel = "N",
            description = "only this deploy's entries: its number, as /deploy status shows it")
    String deploy;

    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE instead of standard output")
    Path out;

    @Override
    public Integer call() throws IOException {
        var now = Instant.now();
        AuditQuery query = AuditQuery.all();
        try {
            if (service != null) query = AuditQueryParser.with(query, "service", service, now);
            if (since != null) query = AuditQueryParser.with(query, "since", since, now);
            if (until != null) query = AuditQueryParser.with(query, "until", until, now);
            if (decision != null) query = AuditQueryParser.with(query, "decision", decision, now);
            if (deploy != null) query = AuditQueryParser.with(query, "deploy", deploy, now);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        if (out != null) {
            OutputFiles.check(out, "--out"); // before the database is opened, and before an existing file is replaced
        }
        try (var db = database.openExisting();
                OutputStream sink =
                        new BufferedOutputStream(out == null ? System.out : OutputFiles.open(out, "--out"), 1 << 16)) {
            var log = JooqAuditLog.reader(db, Optional.empty());
            AuditExports.write(log, query, format, sink, now);
            sink.flush();
            // a filter on a value no entry has (a misspelt service, --decision auto) exports nothing: say so
            if ((query.service().isPresent() || query.decision().isPresent())
                    && log.summarize(query, 0).matched() == 0) {
                UnknownFilterValues.explain(query, log)
                        .ifPresent(r -> spec.commandLine().getErr().println("note: " + r));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            if (out == null) {
                throw e;
            }
            throw OutputFiles.failure(out, "--out", e); // a full disk, say, half-way through
        }
        return 0;
    }
}
