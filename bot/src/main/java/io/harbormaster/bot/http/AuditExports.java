package io.harbormaster.bot.http;

import io.harbormaster.engine.audit.AuditExport;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/** Streams the entries an {@code /audit} filter matches as CSV or JSON, for the command line and the HTTP export. */
public final class AuditExports {
    /** The export formats. */
    public enum Format {
        csv,
        json
    }

    private AuditExports() {}

    /**
     * Writes the matching entries to {@code sink} one at a time (constant memory). A full JSON export verifies
     * offline as a chain; a filtered one records its filter and, with a {@code signer} (the key the log's checkpoints
     * are signed with), ends with a signed manifest, by which verify shows that no entry matching the filter is
     * missing. An export that fails part way is left cut short, never completed nor signed.
     */
    public static void write(
            JooqAuditLog log,
            AuditQuery query,
            Format format,
            OutputStream sink,
            Instant now,
            Optional<CheckpointSigner> signer)
            throws IOException {
        switch (format) {
            case json -> {
                try (var writer = AuditExport.json(sink, now, query, log.publicKeys(), log.checkpoints(), signer)) {
                    log.scan(query, writer::entry);
                    writer.finish();
                }
            }
            case csv -> {
                var writer = new BufferedWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8), 1 << 16);
                AuditExport.csvHeader(writer);
                log.scan(query, e -> AuditExport.csvEntry(writer, e));
                writer.flush();
            }
        }
    }
}
