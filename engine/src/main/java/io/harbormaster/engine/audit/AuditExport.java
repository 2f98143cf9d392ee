package io.harbormaster.engine.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.json.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The export formats of the audit log, written and read one entry at a time so that any size streams in constant
 * memory.
 *
 * <p>JSON: one object with {@code format}, {@code exported_at}, {@code filtered}, {@code keys} (public keys by id),
 * {@code checkpoints}, then {@code entries}, so a reader meets the keys and checkpoints before the entries and can
 * verify while it reads. CSV: a header row and one row per entry, every field as stored, for spreadsheets.
 */
public final class AuditExport {
    public static final String FORMAT = "harbormaster-audit-export-v1";
    static final String[] CSV_COLUMNS = {
        "seq",
        "time",
        "actor",
        "action",
        "deploy",
        "service",
        "version",
        "decision",
        "reasoning",
        "engine_version",
        "policy_version",
        "prev_hash",
        "hash"
    };
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditExport() {}

    /** Writes a JSON export: header fields first, then entries as {@link JsonWriter#entry} is called. */
    public static JsonWriter json(
            OutputStream out,
            Instant exportedAt,
            boolean filtered,
            Map<String, String> keys,
            List<AuditCheckpoint> checkpoints) {
        return new JsonWriter(out, exportedAt, filtered, keys, checkpoints);
    }

    /** Streams entries into a JSON document. */
    public static final class JsonWriter implements AutoCloseable {
        private final JsonGenerator g;

        JsonWriter(
                OutputStream out,
                Instant exportedAt,
                boolean filtered,
                Map<String, String> keys,
                List<AuditCheckpoint> checkpoints) {
            try {
                g = JSON.createGenerator(out, JsonEncoding.UTF8);
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
                g.writeStringField("exported_at", exportedAt.toString());
                g.writeBooleanField("filtered", filtered);
                g.writeObjectFieldStart("keys");
                for (var k : keys.entrySet()) {
                    g.writeStringField(k.getKey(), k.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("checkpoints");
                for (var cp : checkpoints) {
                    g.writeStartObject();
                    g.writeNumberField("seq", cp.seq());
                    g.writeStringField("entry_hash", cp.entryHash());
                    g.writeStringField("signed_at", cp.signedAt().toString());
                    g.writeStringField("key_id", cp.keyId());
                    g.writeStringField("signature", cp.signature());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("entries");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public void entry(AuditEntry e) {
            try {
                var r = e.record();
                g.writeStartObject();
                g.writeNumberField("seq", e.seq());
                g.writeStringField("time", r.time().toString());
                g.writeStringField("actor", r.actor());
                g.writeStringField("action", r.action());
                g.writeStringField("deploy", r.deployId());
                g.writeStringField("service", r.service());
                g.writeStringField("version", r.version());
                g.writeStringField("decision", r.decision());
                g.writeStringField("reasoning", r.reasoningJson()); // as stored: the hash covers these exact bytes
                g.writeStringField("engine_version", r.engineVersion());
                g.writeStringField("policy_version", r.policyVersion());
                g.writeStringField("prev_hash", e.prevHash());
                g.writeStringField("hash", e.hash());
                g.writeEndObject();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void close() {
            try {
                g.writeEndArray();
                g.writeEndObject();
                g.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Writes the CSV header row. */
    public static void csvHeader(Writer out) {
        csvRow(out, CSV_COLUMNS);
    }

    /** Writes one entry as a CSV row (RFC 4180 quoting). */
    public static void csvEntry(Writer out, AuditEntry e) {
        var r = e.record();
        csvRow(out, new String[] {
            Long.toString(e.seq()),
            r.time().toString(),
            r.actor(),
            r.action(),
            r.deployId(),
            r.service(),
            r.version(),
            r.decision(),
            r.reasoningJson(),
            r.engineVersion(),
            r.policyVersion(),
            e.prevHash(),
            e.hash()
        });
    }

    private static void csvRow(Writer out, String[] values) {
        try {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                var v = values[i];
                if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                    out.write('"');
                    out.write(v.replace("\"", "\"\""));
                    out.write('"');
                } else {
                    out.write(v);
                }
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Verifies a JSON export without any database, reading it once. Checkpoints are checked against
     * {@code pinnedKey} when given, else against the keys the export carries (which proves integrity, not
     * authorship: pin the key for that). A filtered export has gaps by design, so only each entry's own hash is
     * checked there: its report says {@link VerifyReport#filtered()}, and counts the checkpoints the file carries
     * without checking them.
     */
    public static VerifyReport verify(InputStream in, java.util.Optional<PublicKey> pinnedKey) {
        try (JsonParser p = JSON.createParser(in)) {
            p.setCodec(MAPPER);
            expect(p.nextToken() == JsonToken.START_OBJECT, "an export is one JSON object");
            Map<String, PublicKey> keys = new HashMap<>();
            List<AuditCheckpoint> checkpoints = new ArrayList<>();
            boolean filtered = false;
            String format = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "format" -> format = p.getText();
                    case "filtered" -> filtered = p.getBooleanValue();
                    case "keys" -> {
                        JsonNode node = p.readValueAsTree();
                        node.fields()
                                .forEachRemaining(k -> keys.put(
                                        k.getKey(),
                                        CheckpointSigner.publicKeyFromBase64(
                                                k.getValue().asText())));
                    }
                    case "checkpoints" -> {
                        JsonNode node = p.readValueAsTree();
                        for (var cp : node) {
                            checkpoints.add(new AuditCheckpoint(
                                    cp.get("seq").asLong(),
                                    cp.get("entry_hash").asText(),
                                    Instant.parse(cp.get("signed_at").asText()),
                                    cp.get("key_id").asText(),
                                    cp.get("signature").asText()));
                        }
                    }
                    case "entries" -> {
                        expect(FORMAT.equals(format), "not a Harbormaster audit export (format " + format + ")");
                        var trusted = pinnedKey
                                .map(k -> Map.of(CheckpointSigner.keyIdOf(k), k))
                                .orElse(keys);
                        return filtered
                                ? verifyEach(p, checkpoints.size())
                                : verifyChain(p, new ChainVerifier(trusted, checkpoints));
                    }
                    default -> p.skipChildren();
                }
            }
            throw new IllegalArgumentException("the export has no entries array");
        } catch (IOException e) {
            throw new IllegalArgumentException("the export is not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    private static VerifyReport verifyChain(JsonParser p, ChainVerifier verifier) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode n = p.readValueAsTree();
            AuditEntry entry;
            try {
                entry = entryOf(n);
            } catch (IllegalArgumentException e) {
                verifier.unreadable(n.path("seq").asLong(-1), e.getMessage());
                break;
            }
            if (!verifier.accept(entry)) {
                break;
            }
        }
        return verifier.finish();
    }

    private static VerifyReport verifyEach(JsonParser p, long checkpointsInFile) throws IOException {
        long count = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            var e = entryOf(p.readValueAsTree());
            count++;
            if (!e.hashMatches()) {
                return new VerifyReport(
                        count,
                        false,
                        java.util.OptionalLong.of(e.seq()),
                        "entry " + e.seq() + " was changed after it was written: its fields do not give its hash",
                        checkpointsInFile,
                        0,
                        true);
            }
        }
        return new VerifyReport(count, true, java.util.OptionalLong.empty(), "", checkpointsInFile, 0, true);
    }

    private static AuditEntry entryOf(JsonNode n) {
        Instant time;
        try {
            time = Instant.parse(text(n, "time"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("its time is not an ISO-8601 instant", e);
        }
        var record = new AuditRecord(
                time,
                text(n, "actor"),
                text(n, "action"),
                text(n, "deploy"),
                text(n, "service"),
                text(n, "version"),
                text(n, "decision"),
                text(n, "reasoning"),
                text(n, "engine_version"),
                text(n, "policy_version"));
        if (!n.path("seq").canConvertToLong()) {
            throw new IllegalArgumentException("it has no numeric seq");
        }
        return new AuditEntry(n.get("seq").asLong(), record, text(n, "prev_hash"), text(n, "hash"));
    }

    private static String text(JsonNode n, String field) {
        var v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("its field " + field + " is missing or not text");
        }
        return v.asText();
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
