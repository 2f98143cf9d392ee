package io.harbormaster.engine.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
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
     *
     * @throws IllegalArgumentException when the file cannot be read as an export (empty, not JSON, cut short, a
     *     checkpoint or header value missing, of the wrong type or unknown): the message starts with the line and
     *     column ({@code line L, column C: }) when the place is known, and names the key
     */
    public static VerifyReport verify(InputStream in, java.util.Optional<PublicKey> pinnedKey) {
        try (JsonParser p = JSON.createParser(in)) {
            p.setCodec(MAPPER);
            var first = p.nextToken();
            expect(first != null, "the file is empty");
            if (first != JsonToken.START_OBJECT) {
                throw at(p, "an export is one JSON object {...}, not " + found(p));
            }
            Map<String, PublicKey> keys = new HashMap<>();
            List<AuditCheckpoint> checkpoints = new ArrayList<>();
            boolean filtered = false;
            String format = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "format" -> format = headerText(p, "format");
                    case "filtered" -> {
                        if (!p.currentToken().isBoolean()) {
                            throw at(p, "'filtered' is " + found(p) + ", expected true or false");
                        }
                        filtered = p.getBooleanValue();
                    }
                    case "keys" -> readKeys(p, keys);
                    case "checkpoints" -> readCheckpoints(p, checkpoints);
                    case "entries" -> {
                        expect(FORMAT.equals(format), "not a Harbormaster audit export (format " + format + ")");
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw at(p, "'entries' is " + found(p) + ", expected a list [...]");
                        }
                        var trusted = pinnedKey
                                .map(k -> Map.of(CheckpointSigner.keyIdOf(k), k))
                                .orElse(keys);
                        var report = filtered
                                ? verifyEach(p, checkpoints.size())
                                : verifyChain(p, new ChainVerifier(trusted, checkpoints));
                        if (report.valid()) {
                            // An export cut off right after its entries still has to end as a whole document.
                            readToTheEnd(p);
                        }
                        return report;
                    }
                    default -> p.skipChildren();
                }
            }
            throw new IllegalArgumentException("the export has no entries array");
        } catch (IOException e) {
            // "line L, column C: " first, as for every other problem, then what is wrong.
            String said = JsonErrors.describe(e);
            String where = e instanceof JsonProcessingException j ? JsonErrors.where(j.getLocation()) : "";
            String what = !where.isEmpty() && said.startsWith(where + ": ") ? said.substring(where.length() + 2) : said;
            throw new IllegalArgumentException(
                    (where.isEmpty() ? "" : where + ": ") + "the export is not valid JSON: " + what, e);
        }
    }

    private static final List<String> CHECKPOINT_KEYS =
            List.of("seq", "entry_hash", "signed_at", "key_id", "signature");

    private static String headerText(JsonParser p, String key) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw at(p, "'" + key + "' is " + found(p) + ", expected text");
        }
        return p.getText();
    }

    private static void readKeys(JsonParser p, Map<String, PublicKey> keys) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw at(p, "'keys' is " + found(p) + ", expected an object of public keys by key id");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var id = p.currentName();
            p.nextToken();
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw at(p, "keys." + id + " is " + found(p) + ", expected a base64 public key");
            }
            try {
                keys.put(id, CheckpointSigner.publicKeyFromBase64(p.getText()));
            } catch (IllegalArgumentException e) {
                throw at(p, "keys." + id + ": " + e.getMessage());
            }
        }
    }

    private static void readCheckpoints(JsonParser p, List<AuditCheckpoint> checkpoints) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw at(p, "'checkpoints' is " + found(p) + ", expected a list [...]");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int number = checkpoints.size() + 1;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw at(p, "checkpoint " + number + " is " + found(p) + ", expected an object {...}");
            }
            checkpoints.add(readCheckpoint(p, number));
        }
    }

    /**
     * One checkpoint object, the parser on its start: every key of {@link #CHECKPOINT_KEYS} once, with a value of
     * its type, and no other. A problem with a value is placed at the value; a missing key at the object's start.
     */
    private static AuditCheckpoint readCheckpoint(JsonParser p, int number) throws IOException {
        var start = p.currentTokenLocation();
        Long seq = null;
        String entryHash = null;
        Instant signedAt = null;
        String keyId = null;
        String signature = null;
        var seen = new java.util.HashSet<String>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var key = p.currentName();
            var label = "checkpoint " + number + (seq == null ? "" : " (entry " + seq + ")");
            if (!CHECKPOINT_KEYS.contains(key)) {
                throw at(
                        p,
                        label + ": unknown key '" + key + "'" + JsonErrors.suggestion(key, CHECKPOINT_KEYS)
                                + "; a checkpoint has exactly " + listed(CHECKPOINT_KEYS));
            }
            if (!seen.add(key)) {
                throw at(p, label + ": the key '" + key + "' is given twice");
            }
            p.nextToken();
            switch (key) {
                case "seq" -> {
                    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw at(p, label + ": 'seq' is " + found(p) + ", expected a whole number");
                    }
                    if (p.getLongValue() < 1) {
                        throw at(
                                p,
                                label + ": 'seq' is " + p.getLongValue()
                                        + ", expected the number of the entry it signs (1 or more)");
                    }
                    seq = p.getLongValue();
                }
                case "entry_hash" -> entryHash = checkpointText(p, label, key);
                case "key_id" -> keyId = checkpointText(p, label, key);
                case "signature" -> signature = checkpointText(p, label, key);
                case "signed_at" -> {
                    var text = checkpointText(p, label, key);
                    try {
                        signedAt = Instant.parse(text);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw at(
                                p,
                                label + ": 'signed_at' is \"" + shorten(text)
                                        + "\", expected an ISO-8601 instant such as 2026-11-23T10:00:00Z");
                    }
                }
                default -> throw new IllegalStateException(key);
            }
        }
        var missing = CHECKPOINT_KEYS.stream().filter(k -> !seen.contains(k)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(JsonErrors.where(start) + ": checkpoint " + number
                    + (seq == null ? "" : " (entry " + seq + ")") + ": "
                    + (missing.size() == 1
                            ? "the key '" + missing.getFirst() + "' is missing"
                            : "the keys "
                                    + listed(missing.stream()
                                            .map(k -> "'" + k + "'")
                                            .toList()) + " are missing")
                    + "; a checkpoint has " + listed(CHECKPOINT_KEYS));
        }
        return new AuditCheckpoint(seq, entryHash, signedAt, keyId, signature);
    }

    private static String checkpointText(JsonParser p, String label, String key) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw at(p, label + ": '" + key + "' is " + found(p) + ", expected text");
        }
        return p.getText();
    }

    /** After the entries: the rest of the export object, skipped, then nothing more. */
    private static void readToTheEnd(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            p.nextToken();
            p.skipChildren();
        }
        if (p.nextToken() != null) {
            throw at(p, "there is more after the export's closing '}': a file holds one export");
        }
    }

    /** The value under the parser, in words: {@code the text "6"}, {@code the number 6.5}, {@code null}, ... */
    private static String found(JsonParser p) throws IOException {
        var t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_STRING -> "the text \"" + shorten(p.getText()) + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + shorten(p.getText());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static IllegalArgumentException at(JsonParser p, String what) {
        var where = JsonErrors.where(p.currentTokenLocation());
        return new IllegalArgumentException(where.isEmpty() ? what : where + ": " + what);
    }

    private static String listed(List<String> items) {
        return items.size() == 1
                ? items.getFirst()
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static VerifyReport verifyChain(JsonParser p, ChainVerifier verifier) throws IOException {
        long read = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            read++;
            JsonNode n = entryNode(p, read);
            AuditEntry entry;
            try {
                entry = entryOf(n);
            } catch (IllegalArgumentException e) {
                verifier.unreadable(n.path("seq").asLong(-1), e.getMessage());
                return verifier.finish();
            }
            if (!verifier.accept(entry)) {
                return verifier.finish();
            }
        }
        return verifier.finish();
    }

    private static VerifyReport verifyEach(JsonParser p, long checkpointsInFile) throws IOException {
        long count = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            var start = p.currentTokenLocation();
            var n = entryNode(p, count + 1);
            AuditEntry e;
            try {
                e = entryOf(n);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(JsonErrors.where(start) + ": entry " + (count + 1) + " of the file"
                        + (n.path("seq").canConvertToLong()
                                ? " (seq " + n.get("seq").asLong() + ")"
                                : "")
                        + " cannot be read: " + ex.getMessage());
            }
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

    /** The entry under the parser (the {@code number}th of the file), which must be an object. */
    private static JsonNode entryNode(JsonParser p, long number) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw at(p, "entry " + number + " of the file is " + found(p) + ", expected an object {...}");
        }
        return p.readValueAsTree();
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
