package io.harbormaster.bot.http;

import io.harbormaster.engine.audit.AuditExport;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Streams the entries an {@code /audit} filter matches as CSV or JSON, for the command line and the HTTP export. */
public final class AuditExports {
    /** The export formats. */
    public enum Format {
        csv,
        json
    }

    private AuditExports() {}

    /** Writes the matching entries to {@code sink} one at a time (constant memory); a full JSON export verifies offline. */
    public static void write(JooqAuditLog log, AuditQuery query, Format format, OutputStream sink, Instant now)
            throws IOException {
        switch (format) {
            case json -> {
                try (var writer = AuditExport.json(
                        sink, now, !query.equals(AuditQuery.all()), log.publicKeys(), log.checkpoints())) {
                    log.scan(query, writer::entry);
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
