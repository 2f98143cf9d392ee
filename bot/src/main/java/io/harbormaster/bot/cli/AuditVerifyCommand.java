package io.harbormaster.bot.cli;

import static io.harbormaster.engine.text.Numbers.count;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditExport;
import io.harbormaster.engine.audit.CheckpointSigner;
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
 * {@code harbormaster audit verify}: walks the chain and the signed checkpoints; exit code 0 only when intact, and, with
 * a public key pinned, only when that key verified at least one checkpoint.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Walk the audit chain and its signed checkpoints, in the database or in a JSON export, and name the first"
                    + " entry that does not verify. Exit code 0 only when the log is intact, 1 when it is not, 2 when"
                    + " the export cannot be read (empty, cut short, a key missing, unknown or of the wrong type: the"
                    + " message names the line and the key).",
            "With a public key (--public-key or $HARBORMASTER_AUDIT_PUBLIC_KEY) the log must also carry a checkpoint"
                    + " that key signed: a log with none (or a filtered export, whose checkpoints are not checked) is"
                    + " reported as not verified against the key, exit code 1, even when its chain is intact.",
            "A filtered export (audit export with --service, --since, --until or --decision) leaves entries out, so"
                    + " only each entry's own hash can be checked there, not the chain, completeness or checkpoints.",
        })
final class AuditVerifyCommand implements Callable<Integer> {
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
            description = "trust only checkpoints signed by this Ed25519 public key (base64 X.509; default:"
                    + " $HARBORMASTER_AUDIT_PUBLIC_KEY, else the keys recorded with the log)")
    String publicKey;

    @Option(
            names = "--json",
            description = "print {\"entries\": N, \"valid\": true|false, \"first_invalid\": id-or-null, \"scope\":"
                    + " \"chain\"|\"entries\", ...}; scope entries: a filtered export, of which only each entry's own"
                    + " hash is checked")
    boolean json;

    /** Where the pinned key came from, for the messages; empty when none is pinned. */
    private String keySource = "";

    @Override
    public Integer call() throws IOException {
        var pinned = pinnedKey();
        VerifyReport report;
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new UserError(
                        "cannot read " + file + ": give the path of a JSON export (audit export --format json)");
            }
            try (var in = new BufferedInputStream(Files.newInputStream(file))) {
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
            }
        } else {
            try (var db = database.openExisting()) {
                report = JooqAuditLog.reader(db, pinned).verify();
            }
        }
        // A pinned key asks for the log to be verified against signatures: when no checkpoint it signed covers an
        // entry (none in the log, or a filtered export whose checkpoints are not checked), the key verified nothing,
        // and an intact chain alone is not that answer (a log rewritten from its first entry, its checkpoints
        // removed, is an intact chain too).
        boolean keyVerifiedNothing = pinned.isPresent() && report.valid() && report.signedThrough() == 0;
        print(report, keyVerifiedNothing);
        return report.valid() && !keyVerifiedNothing ? 0 : 1;
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
            doc.put(
                    "first_invalid",
                    r.firstInvalid().isPresent() ? r.firstInvalid().getAsLong() : null);
            doc.put("reason", r.valid() ? (keyVerifiedNothing ? nothingVerified(r) : null) : r.reason());
            // A filtered export: only each entry's own hash was checked, so there are no chain or checkpoint figures.
            doc.put("scope", r.filtered() ? "entries" : "chain");
            doc.put("checkpoints", r.filtered() ? null : r.checkpoints());
            doc.put("signed_through", r.filtered() ? null : r.signedThrough());
            if (r.filtered()) {
                doc.put("checkpoints_not_checked", r.checkpoints());
            }
            // The pinned key: where it came from, and whether it verified a checkpoint (null: no key pinned).
            doc.put("public_key", keySource.isEmpty() ? null : keySource);
            doc.put("key_verified", keySource.isEmpty() || !r.valid() ? null : !keyVerifiedNothing);
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else if (r.filtered()) {
            out.println(
                    r.valid()
                            ? "filtered export: each of its " + count(r.entries(), "entry", "entries")
                                    + " matches its own hash; nothing more was checked."
                            : "filtered export NOT intact: entry "
                                    + r.firstInvalid().getAsLong() + ": " + r.reason());
            out.println("A filtered export leaves entries out by design, so its completeness and its chain cannot be"
                    + " checked (an entry deleted from the file goes unnoticed)"
                    + (r.checkpoints() > 0
                            ? ", nor can the " + count(r.checkpoints(), "signed checkpoint", "signed checkpoints")
                                    + " it carries"
                            : "")
                    + ". To check the chain and the checkpoints, export without filters (audit export --format json)"
                    + " and verify that file, or verify the database (audit verify --db).");
            if (keyVerifiedNothing) {
                out.println("NOT verified against the public key (" + keySource + "): " + nothingVerified(r) + ".");
            }
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
                    + (keySource.equals("--public-key")
                            ? "without --public-key"
                            : "with $HARBORMASTER_AUDIT_PUBLIC_KEY unset")
                    + ".");
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

    /** Why a pinned key verified nothing in a log that is otherwise intact. */
    private static String nothingVerified(VerifyReport r) {
        return r.filtered()
                ? "a filtered export's checkpoints are not checked, so the key verified nothing"
                : "the log has no signed checkpoint, so the key verified nothing";
    }
}
