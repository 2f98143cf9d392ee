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
 * <p>JSON: one object with {@code format}, {@code exported_at}, {@code filtered}, for a filtered export its
 * {@code filter}, {@code keys} (public keys by id), {@code checkpoints}, then {@code entries}, so a reader meets the
 * keys and checkpoints before the entries and can verify while it reads; a filtered export then ends with its
 * {@code manifest} ({@link ExportManifest}), signed once every entry is written. CSV: a header row and one row per
 * entry, every field as stored (but for a {@code '} before one that a spreadsheet would run as a formula), for
 * spreadsheets.
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

    /**
     * Writes a JSON export: header fields first, then entries as {@link JsonWriter#entry} is called. An export that
     * {@code filter}s records its filter, and, with a {@code signer}, ends with a manifest signed by it, without which
     * verify cannot show that no entry was deleted from the file.
     */
    public static JsonWriter json(
            OutputStream out,
            Instant exportedAt,
            AuditQuery filter,
            Map<String, String> keys,
            List<AuditCheckpoint> checkpoints,
            java.util.Optional<CheckpointSigner> signer) {
        return new JsonWriter(out, exportedAt, filter, keys, checkpoints, signer);
    }

    /** Streams entries into a JSON document. */
    public static final class JsonWriter implements AutoCloseable {
        private final JsonGenerator g;
        private final String exportedAt;
        private final Map<String, String> filter;
        private final java.util.Optional<CheckpointSigner> signer;
        /** A filtered export's running digest of its entries' hashes, for its manifest; null for a full export. */
        private final ExportManifest.Digest digest;

        private boolean finished;

        JsonWriter(
                OutputStream out,
                Instant exportedAt,
                AuditQuery query,
                Map<String, String> keys,
                List<AuditCheckpoint> checkpoints,
                java.util.Optional<CheckpointSigner> signer) {
            boolean filtered = ExportManifest.filters(query);
            this.exportedAt = exportedAt.toString();
            this.filter = ExportManifest.filterOf(query);
            this.signer = signer;
            this.digest = filtered ? new ExportManifest.Digest() : null;
            try {
                g = JSON.createGenerator(out, JsonEncoding.UTF8);
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
                g.writeStringField("exported_at", this.exportedAt);
                g.writeBooleanField("filtered", filtered);
                if (filtered) {
                    g.writeObjectFieldStart("filter");
                    for (var f : filter.entrySet()) {
                        g.writeStringField(f.getKey(), f.getValue());
                    }
                    g.writeEndObject();
                }
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
            if (digest != null) {
                digest.add(e.hash());
            }
        }

        /**
         * Ends the document once every entry is written, a filtered export with its signed manifest. An export whose
         * writing failed part way is closed without it: cut short, it is refused by verify rather than taken for the
         * whole, and its manifest is never signed over the entries it happened to get.
         */
        public void finish() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                g.writeEndArray();
                if (digest != null && signer.isPresent()) {
                    var m = ExportManifest.sign(signer.get(), exportedAt, filter, digest);
                    g.writeObjectFieldStart("manifest");
                    g.writeNumberField("entries", m.entries());
                    g.writeStringField("entries_digest", m.entriesDigest());
                    g.writeStringField("key_id", m.keyId());
                    g.writeStringField("signature", m.signature());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Flushes what was written; the document is whole only after {@link #finish()}. */
        @Override
        public void close() {
            try {
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

    /**
     * {@code value}, with a {@code '} before it when it begins as a spreadsheet formula does ({@code = + - @}, a tab or
     * a carriage return): an actor name CI sends ({@code requested_by}) is free text, and a reviewer opening the export
     * in a spreadsheet must read it, not run it (OWASP's CSV injection). No field Harbormaster writes itself begins
     * so; the JSON export, which {@code audit verify} reads, keeps every value as stored.
     */
    static String spreadsheetSafe(String value) {
        if (value.isEmpty()) {
            return value;
        }
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
            default -> value;
        };
    }

    private static void csvRow(Writer out, String[] values) {
        try {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                var v = spreadsheetSafe(values[i]);
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
     * Verifies a JSON export without any database, reading it once. Checkpoints, and a filtered export's manifest, are
     * checked against {@code pinnedKey} when given, else against the keys the export carries (which proves integrity,
     * not authorship: pin the key for that).
     *
     * <p>A full export is checked as a chain: every link, hash and checkpoint. A filtered export has gaps by design: its
     * entries are checked as far as a part of the chain can be ({@link FilteredVerifier}), and its completeness only
     * by its signed manifest, so that a file cannot excuse a missing entry by saying it is filtered. Without a valid
     * manifest the report's scope is {@link VerifyReport.Scope#ENTRIES}: nothing wrong was found, but nothing shows
     * that no entry was deleted.
     *
     * @throws IllegalArgumentException when the file cannot be read as an export (empty, not JSON, cut short, a
     *     checkpoint, filter, manifest or header value missing, of the wrong type or unknown): the message starts with
     *     the line and column ({@code line L, column C: }) when the place is known, and names the key
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
            String exportedAt = "";
            Map<String, String> filter = null;
            ExportManifest manifest = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "format" -> format = headerText(p, "format");
                    case "exported_at" -> {
                        // as written: a filtered export's manifest signs this text
                        exportedAt = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : "";
                        p.skipChildren();
                    }
                    case "filtered" -> {
                        if (!p.currentToken().isBoolean()) {
                            throw at(p, "'filtered' is " + found(p) + ", expected true or false");
                        }
                        filtered = p.getBooleanValue();
                    }
                    case "filter" -> filter = readFilter(p);
                    case "manifest" -> manifest = readManifest(p);
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
                        if (filtered) {
                            var verifier =
                                    new FilteredVerifier(trusted, checkpoints, filter == null ? Map.of() : filter);
                            if (verifyEach(p, verifier)) {
                                // An export cut off right after its entries still has to end as a whole document.
                                var rest = readToTheEnd(p);
                                manifest = rest.manifest() != null ? rest.manifest() : manifest;
                            }
                            return verifier.finish(java.util.Optional.ofNullable(manifest), exportedAt);
                        }
                        var report = verifyChain(p, new ChainVerifier(trusted, checkpoints));
                        if (report.valid()) {
                            var rest = readToTheEnd(p);
                            boolean hasFilter = filter != null || rest.filter();
                            if (hasFilter || manifest != null || rest.manifest() != null) {
                                // Only a filtered export carries these: a file that has them and says it is not
                                // filtered was changed, whatever its chain says.
                                return new VerifyReport(
                                        report.entries(),
                                        false,
                                        java.util.OptionalLong.empty(),
                                        "the export says it is not filtered, but carries a filtered export's "
                                                + (hasFilter ? "filter" : "manifest")
                                                + ": its header was changed",
                                        report.checkpoints(),
                                        report.signedThrough());
                            }
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

    /**
     * Whether {@code firstLine} is the header row of a CSV export: a file that {@link #verify} cannot check (CSV
     * carries neither the checkpoints nor the keys), to be named as such rather than as a damaged JSON export.
     */
    public static boolean isCsvHeader(String firstLine) {
        var line = firstLine.startsWith("\uFEFF") ? firstLine.substring(1) : firstLine;
        return line.strip().equals(String.join(",", CSV_COLUMNS));
    }

    /** A filtered export's {@code filter}: the query it was exported with, each part text, the times instants. */
    private static Map<String, String> readFilter(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw at(p, "'filter' is " + found(p) + ", expected an object such as {\"service\": \"search\"}");
        }
        var start = p.currentTokenLocation();
        var filter = new java.util.LinkedHashMap<String, String>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var key = p.currentName();
            if (!ExportManifest.FILTER_KEYS.contains(key)) {
                throw at(
                        p,
                        "filter: unknown key '" + key + "'" + JsonErrors.suggestion(key, ExportManifest.FILTER_KEYS)
                                + "; a filter has " + listed(ExportManifest.FILTER_KEYS) + ", each at most once");
            }
            if (filter.containsKey(key)) {
                throw at(p, "filter: the key '" + key + "' is given twice");
            }
            p.nextToken();
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw at(p, "filter." + key + " is " + found(p) + ", expected text");
            }
            var value = p.getText();
            if (key.equals("since") || key.equals("until")) {
                try {
                    Instant.parse(value);
                } catch (java.time.format.DateTimeParseException e) {
                    throw at(
                            p,
                            "filter." + key + " is \"" + shorten(value)
                                    + "\", expected an ISO-8601 instant such as 2026-11-23T10:00:00Z");
                }
            }
            filter.put(key, value);
        }
        if (filter.isEmpty()) {
            throw new IllegalArgumentException(
                    JsonErrors.where(start) + ": 'filter' is empty: a filtered export records what it was filtered on");
        }
        return filter;
    }

    private static final List<String> MANIFEST_KEYS = List.of("entries", "entries_digest", "key_id", "signature");

    /** A filtered export's {@code manifest}: every key of {@link #MANIFEST_KEYS} once, with a value of its type. */
    private static ExportManifest readManifest(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw at(p, "'manifest' is " + found(p) + ", expected an object {...}");
        }
        var start = p.currentTokenLocation();
        var values = new HashMap<String, Object>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var key = p.currentName();
            if (!MANIFEST_KEYS.contains(key)) {
                throw at(
                        p,
                        "manifest: unknown key '" + key + "'" + JsonErrors.suggestion(key, MANIFEST_KEYS)
                                + "; a manifest has exactly " + listed(MANIFEST_KEYS));
            }
            if (values.containsKey(key)) {
                throw at(p, "manifest: the key '" + key + "' is given twice");
            }
            p.nextToken();
            if (key.equals("entries")) {
                if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        || p.getLongValue() < 0) {
                    throw at(p, "manifest: 'entries' is " + found(p) + ", expected a whole number, 0 or more");
                }
                values.put(key, p.getLongValue());
            } else {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw at(p, "manifest: '" + key + "' is " + found(p) + ", expected text");
                }
                values.put(key, p.getText());
            }
        }
        var missing = MANIFEST_KEYS.stream().filter(k -> !values.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(JsonErrors.where(start) + ": manifest: "
                    + missingKeys(missing)
                    + "; a manifest has " + listed(MANIFEST_KEYS));
        }
        return new ExportManifest(
                (Long) values.get("entries"),
                (String) values.get("entries_digest"),
                (String) values.get("key_id"),
                (String) values.get("signature"));
    }

    private static final List<String> CHECKPOINT_KEYS =
            List.of("seq", "entry_hash", "signed_at", "key_id", "signature");

    /** "the key 'a' is missing", "the keys 'a' and 'b' are missing". */
    private static String missingKeys(List<String> missing) {
        return missing.size() == 1
                ? "the key '" + missing.getFirst() + "' is missing"
                : "the keys " + listed(missing.stream().map(k -> "'" + k + "'").toList()) + " are missing";
    }

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
                    + missingKeys(missing)
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

    /** What follows the entries: a filtered export's manifest, and whether a filter was put there. */
    private record Rest(ExportManifest manifest, boolean filter) {}

    /** After the entries: the rest of the export object, then nothing more. */
    private static Rest readToTheEnd(JsonParser p) throws IOException {
        ExportManifest manifest = null;
        boolean filter = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var name = p.currentName();
            p.nextToken();
            if (name.equals("manifest")) {
                manifest = readManifest(p);
            } else {
                filter |= name.equals("filter");
                p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw at(p, "there is more after the export's closing '}': a file holds one export");
        }
        return new Rest(manifest, filter);
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

    /** Offers each entry of a filtered export to {@code verifier}; false when it found a problem and stopped. */
    private static boolean verifyEach(JsonParser p, FilteredVerifier verifier) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            long number = verifier.entries() + 1;
            var start = p.currentTokenLocation();
            var n = entryNode(p, number);
            AuditEntry e;
            try {
                e = entryOf(n);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(JsonErrors.where(start) + ": entry " + number + " of the file"
                        + (n.path("seq").canConvertToLong()
                                ? " (seq " + n.get("seq").asLong() + ")"
                                : "")
                        + " cannot be read: " + ex.getMessage());
            }
            if (!verifier.accept(e)) {
                return false;
            }
        }
        return true;
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
