package io.harbormaster.bot.cli;

import static io.harbormaster.engine.text.Numbers.count;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditExport;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.audit.ExportManifest;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harbormaster audit verify}: walks the chain and the signed checkpoints; exit code 0 only when intact and shown
 * whole, and, with a public key pinned, only when that key verified a checkpoint or a filtered export's manifest.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Walk the audit chain and its signed checkpoints, in the database (--db) or in a JSON export (--file; not"
                    + " both), and name the first entry that does not verify.",
            "Exit codes: 0 the log, or the export, is intact and whole; 1 it is not (or a pinned key verified"
                    + " nothing); 2 the file cannot be read as a JSON export (empty, cut short, a CSV export, a key"
                    + " missing, unknown or of the wrong type: the message names the line and the key), or --db and"
                    + " --file were both given; 3 a filtered export without a signed manifest: nothing wrong was found"
                    + " in its entries, but nothing shows that none was deleted.",
            "A filtered export (audit export with --service, --since, --until, --decision or --deploy, or /audit's"
                    + " links) leaves entries out by design, so its chain has gaps: each entry's hash is checked, the"
                    + " links between entries it holds next to each other, its checkpoints, and that each entry matches"
                    + " its filter; that none is missing is shown by its manifest, signed with the key that signs the"
                    + " checkpoints (/audit's links, and audit export with the key pair set, sign it). Then it is"
                    + " reported complete for its filter as exported at its time (exit code 0); without a manifest,"
                    + " exit code 3.",
            "With a public key (--public-key or $HARBORMASTER_AUDIT_PUBLIC_KEY) the log must also carry a checkpoint"
                    + " (or, a filtered export, a manifest) that key signed: one with none is reported as not verified"
                    + " against the key, exit code 1, even when its chain is intact.",
        })
final class AuditVerifyCommand implements Callable<Integer> {
    /** The exit code of a filtered export that could be checked entry by entry only: not a failure, not a proof. */
    static final int ENTRIES_ONLY = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOption database;

    @Option(
            names = "--file",
            paramLabel = "EXPORT.json",
            description = "verify a JSON export offline instead of the database")
    Path file;

    @Option(
            names = "--public-key",
            paramLabel = "BASE64",
            description = "trust only checkpoints and manifests signed by this Ed25519 public key (base64 X.509;"
                    + " default: $HARBORMASTER_AUDIT_PUBLIC_KEY, else the keys recorded with the log)")
    String publicKey;

    @Option(
            names = "--json",
            description = "print {\"entries\": N, \"valid\": true|false, \"complete\": true|false, \"first_invalid\":"
                    + " id-or-null, \"scope\": \"chain\"|\"filter\"|\"entries\", ...}; scope filter: a filtered"
                    + " export shown complete by its signed manifest; entries: one checked entry by entry only")
    boolean json;

    /** Where the pinned key came from, for the messages; empty when none is pinned. */
    private String keySource = "";

    @Override
    public Integer call() throws IOException {
        if (file != null && database.url != null) {
            throw new UserError("give --db or --file, not both: --db verifies the log in the database, --file a JSON"
                    + " export of it; choose one");
        }
        var pinned = pinnedKey();
        VerifyReport report;
        if (file != null) {
            InputFiles.refuseDirectory(
                    file, "--file", "the export file in it (audit export --format json --out FILE writes one)");
            if (!Files.isReadable(file)) {
                throw new UserError(
                        "cannot read " + file + ": give the path of a JSON export (audit export --format json)");
            }
            try (var in = new BufferedInputStream(Files.newInputStream(file))) {
                refuseCsv(in);
                report = AuditExport.verify(in, pinned);
            } catch (IllegalArgumentException e) {
                // The file cannot be read as an export: say where (the message starts "line L, column C: " when the
                // place is known, as JsonErrors does) and what to do.
                var said = e.getMessage();
                throw new UserError(
                        file + (said.startsWith("line ") ? ", " : ": ") + said
                                + ". It is not a whole, unaltered audit export: export the log again"
                                + " (harbormaster audit export --format json --out FILE) and verify that file",
                        e);
            } catch (IOException e) {
                // Read but not readable to the end (a device, a file on a failing disk): a usage error, exit code 2,
                // never 1, which would say the log is not intact.
                throw new UserError(
                        "--file " + file + ": cannot read it: " + io.harbormaster.engine.json.JsonErrors.describe(e)
                                + "; give the path of a JSON export (audit export --format json)",
                        e);
            }
        } else {
            try (var db = database.openExisting()) {
                report = JooqAuditLog.reader(db, pinned).verify();
            }
        }
        // A pinned key asks for the log to be verified against signatures: when no checkpoint it signed covers an
        // entry (none in the log), or a filtered export has no manifest it signed, the key verified nothing, and an
        // intact chain alone is not that answer (a log rewritten from its first entry, its checkpoints removed, is an
        // intact chain too).
        boolean keyVerifiedNothing = pinned.isPresent()
                && report.valid()
                && switch (report.scope()) {
                    case CHAIN -> report.signedThrough() == 0;
                    case FILTER -> false;
                    case ENTRIES -> true;
                };
        print(report, keyVerifiedNothing);
        if (!report.valid() || keyVerifiedNothing) {
            return 1;
        }
        return report.scope() == VerifyReport.Scope.ENTRIES ? ENTRIES_ONLY : 0;
    }

    /**
     * Refuses a CSV export by its header row, before it is read as JSON: it is not a damaged export but the other
     * format, which carries no checkpoints or keys.
     */
    private void refuseCsv(BufferedInputStream in) throws IOException {
        in.mark(1024);
        var head = in.readNBytes(1024);
        in.reset();
        var text = new String(head, java.nio.charset.StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        if (end >= 0 && AuditExport.isCsvHeader(text.substring(0, end))) {
            throw new UserError(file + " is a CSV export: audit verify checks the JSON export, which carries the"
                    + " hashes with the signed checkpoints and keys; export it with harbormaster audit export --format"
                    + " json --out FILE (or take /audit's JSON link) and verify that file");
        }
    }

    private Optional<PublicKey> pinnedKey() {
        var key = publicKey;
        keySource = "--public-key";
        if (key == null) {
            key = System.getenv("HARBORMASTER_AUDIT_PUBLIC_KEY");
            keySource = "$HARBORMASTER_AUDIT_PUBLIC_KEY";
        }
        if (key == null) {
            keySource = "";
            return Optional.empty();
        }
        if (key.isBlank()) {
            // most often a variable that was meant to hold the key and is unset: checking the chain alone would pass
            // a log that no key vouches for
            throw new UserError(keySource + " is empty: give the public key that audit keygen printed, or leave "
                    + keySource + " out to check the chain alone");
        }
        try {
            return Optional.of(CheckpointSigner.publicKeyFromBase64(key));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (audit keygen prints one)", e);
        }
    }

    private void print(VerifyReport r, boolean keyVerifiedNothing) throws IOException {
        var out = spec.commandLine().getOut();
        if (json) {
            var doc = new LinkedHashMap<String, Object>();
            doc.put("entries", r.entries());
            doc.put("valid", r.valid() && !keyVerifiedNothing);
            // Shown whole: the chain, or a filtered export by its signed manifest; false for one checked entry by
            // entry.
            doc.put("complete", r.complete() && !keyVerifiedNothing);
            doc.put(
                    "first_invalid",
                    r.firstInvalid().isPresent() ? r.firstInvalid().getAsLong() : null);
            doc.put("reason", r.valid() ? (keyVerifiedNothing ? nothingVerified(r) : null) : r.reason());
            doc.put("scope", r.scope().name().toLowerCase(java.util.Locale.ROOT));
            doc.put("checkpoints", r.checkpoints());
            // How far the signatures reach is a chain's figure: a filtered export's completeness is its manifest's.
            doc.put("signed_through", r.filtered() ? null : r.signedThrough());
            if (r.filtered()) {
                doc.put(
                        "filter",
                        r.export().filter().isEmpty() ? null : r.export().filter());
                doc.put(
                        "exported_at",
                        r.export().exportedAt().isEmpty() ? null : r.export().exportedAt());
                doc.put("manifest_key", r.export().manifestKey().orElse(null));
            }
            // The pinned key: where it came from, and whether it verified a checkpoint (null: no key pinned).
            doc.put("public_key", keySource.isEmpty() ? null : keySource);
            doc.put("key_verified", keySource.isEmpty() || !r.valid() ? null : !keyVerifiedNothing);
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else if (r.filtered()) {
            printFiltered(out, r, keyVerifiedNothing);
        } else if (keyVerifiedNothing) {
            out.println(
                    "audit log NOT verified against the public key (" + keySource + "): " + nothingVerified(r) + ".");
            var chain = r.entries() == 0
                    ? "The log is empty, as a log emptied along with its checkpoints would be"
                    : "The chain itself is intact (" + count(r.entries(), "entry", "entries")
                            + ", each linked to the one before it and matching its own hash), as a log rewritten from"
                            + " its first entry, its checkpoints removed, would be";
            out.println(chain + "; only a checkpoint signed by the key tells them apart. The bot signs one every"
                    + " audit.checkpoint_every entries (default 1000), so a younger log has none yet; an export from"
                    + " /audit's links is signed through its last entry. To check the chain alone, verify "
                    + withoutKey() + ".");
        } else if (r.valid() && r.checkpoints() == 0) {
            // "0 signed checkpoints, signed through entry 0" said the same in code
            out.printf(
                    "audit log intact: %s, chained, but no checkpoint is signed yet: the bot signs one every"
                            + " audit.checkpoint_every entries (1000 by default), and when an /audit export link is"
                            + " opened%n",
                    count(r.entries(), "entry", "entries"));
        } else if (r.valid()) {
            out.printf(
                    "audit log intact: %s, %s, signed through entry %d%n",
                    count(r.entries(), "entry", "entries"),
                    count(r.checkpoints(), "signed checkpoint", "signed checkpoints"),
                    r.signedThrough());
        } else {
            out.printf(
                    "audit log NOT intact: first invalid entry %d: %s%n",
                    r.firstInvalid().getAsLong(), r.reason());
        }
        out.flush();
    }

    /** A filtered export: complete for its filter, checked entry by entry only, or not intact. */
    private void printFiltered(java.io.PrintWriter out, VerifyReport r, boolean keyVerifiedNothing) {
        var x = r.export();
        var filter =
                x.filter().isEmpty() ? "(its filter is not recorded)" : "(" + ExportManifest.describe(x.filter()) + ")";
        var checked = count(r.entries(), "entry", "entries") + ", each matching its own hash"
                + (x.filter().isEmpty() ? "" : " and the filter")
                + ", linked where consecutive"
                + (r.checkpoints() > 0
                        ? ", and " + count(r.checkpoints(), "signed checkpoint", "signed checkpoints") + " verified"
                        : "");
        if (!r.valid()) {
            out.println("filtered export " + filter + " NOT intact: " + r.reason());
        } else if (r.scope() == VerifyReport.Scope.FILTER) {
            out.println("filtered export " + filter + " intact and complete for its filter as exported at "
                    + x.exportedAt() + ": " + checked + "; its manifest, signed by key "
                    + x.manifestKey().orElseThrow()
                    + (keySource.isEmpty() ? "" : " (" + keySource + ")") + ", lists exactly these entries.");
        } else {
            out.println("filtered export " + filter + ": " + checked + ", but its completeness is NOT proven: it"
                    + " carries no signed manifest, so an entry deleted from the file would go unnoticed.");
            out.println("Filtered exports are signed by /audit's JSON link, and by audit export when"
                    + " HARBORMASTER_AUDIT_SIGNING_KEY and HARBORMASTER_AUDIT_PUBLIC_KEY are set; this one was made"
                    + " without the key, or before filtered exports were signed. To check completeness, export it"
                    + " again with the key pair set (or take /audit's JSON link), or export without filters (audit"
                    + " export --format json) and verify that file, or verify the database (audit verify --db)."
                    + (keyVerifiedNothing ? "" : " Exit code " + ENTRIES_ONLY + ": checked entry by entry only."));
            if (keyVerifiedNothing) {
                out.println("NOT verified against the public key (" + keySource + "): " + nothingVerified(r) + ".");
            }
        }
    }

    private String withoutKey() {
        return keySource.equals("--public-key") ? "without --public-key" : "with $HARBORMASTER_AUDIT_PUBLIC_KEY unset";
    }

    /** Why a pinned key verified nothing in a log that is otherwise intact. */
    private static String nothingVerified(VerifyReport r) {
        return r.filtered()
                ? "the filtered export carries no signed manifest, so the key vouches for none of its completeness"
                : "the log has no signed checkpoint, so the key verified nothing";
    }
}
