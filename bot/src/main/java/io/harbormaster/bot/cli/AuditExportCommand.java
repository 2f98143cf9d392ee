package io.harbormaster.bot.cli;

import io.harbormaster.bot.http.AuditExports;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditQueryParser;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.audit.ExportManifest;
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
            "A filtered JSON export (--service, --since, --until, --decision, --deploy) records its filter and, when"
                    + " HARBORMASTER_AUDIT_SIGNING_KEY and HARBORMASTER_AUDIT_PUBLIC_KEY hold the key pair that signs"
                    + " the log's checkpoints (as serve has them), ends with a manifest signed by it, by which `audit"
                    + " verify` shows that no entry matching the filter is missing. Without it, verify can check such a"
                    + " file entry by entry only (exit code 3), and the export says so on stderr.",
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

    /** The environment; tests replace it. */
    java.util.Map<String, String> env = System.getenv();

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
        boolean signed = format == AuditExports.Format.json && ExportManifest.filters(query);
        var keyPair = signed ? keyPair() : Optional.<CheckpointSigner>empty();
        if (out != null) {
            OutputFiles.check(out, "--out"); // before the database is opened, and before an existing file is replaced
        }
        try (var db = database.openExisting();
                OutputStream sink =
                        new BufferedOutputStream(out == null ? System.out : OutputFiles.open(out, "--out"), 1 << 16)) {
            var log = JooqAuditLog.reader(db, Optional.empty());
            var signer = signed ? manifestSigner(keyPair, log) : Optional.<CheckpointSigner>empty();
            AuditExports.write(log, query, format, sink, now, signer);
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

    /**
     * The audit key pair from the environment, for a filtered JSON export's manifest; empty when it is not there (said
     * on stderr, since verify can then check the file entry by entry only). A pair that is given but unusable is
     * refused, as serve refuses it, rather than an export silently left unsigned.
     */
    private Optional<CheckpointSigner> keyPair() {
        var unset = AuditKeyPair.unset(env);
        if (!unset.isEmpty()) {
            unsigned((unset.size() == 1 ? unset.getFirst() + " is not set" : "no audit key pair is set") + " ("
                    + SIGNING_KEY + " and " + PUBLIC_KEY + ", as serve has them)");
            return Optional.empty();
        }
        return AuditKeyPair.fromEnv(
                env,
                why -> new UserError("the audit key pair in " + SIGNING_KEY + " and " + PUBLIC_KEY + " is not usable ("
                        + why + "); fix it, or unset both to export without a signed manifest"));
    }

    /**
     * The key pair when it is one the log's checkpoints are signed with: a manifest signed by any other key could not
     * be checked against the keys the export carries.
     */
    private Optional<CheckpointSigner> manifestSigner(Optional<CheckpointSigner> keyPair, JooqAuditLog log) {
        if (keyPair.isEmpty()) {
            return keyPair;
        }
        var known = log.publicKeys().keySet();
        if (!known.contains(keyPair.get().keyId())) {
            unsigned("the key in " + SIGNING_KEY + " (key id " + keyPair.get().keyId()
                    + ") is not one this log's checkpoints are signed with"
                    + (known.isEmpty() ? "" : " (" + String.join(", ", known) + ")"));
            return Optional.empty();
        }
        return keyPair;
    }

    private void unsigned(String why) {
        spec.commandLine()
                .getErr()
                .println("note: this filtered export carries no signed manifest: " + why + ". audit verify can check"
                        + " its entries one by one but not that none is missing (exit code 3); to make it complete,"
                        + " export with the key pair set, or use /audit's JSON link.");
    }

    private static final String SIGNING_KEY = AuditKeyPair.SIGNING_KEY;
    private static final String PUBLIC_KEY = AuditKeyPair.PUBLIC_KEY;
}
