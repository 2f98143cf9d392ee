package io.harbormaster.engine.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.harbormaster.engine.json.JsonErrors;
import io.harbormaster.engine.risk.JitMetric;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the JSON a CI job publishes to announce a build (and, with {@code auto_deploy}, to ask for its deploy).
 *
 * <pre>{@code
 * {
 *   "service": "payments",                      required: catalog name, [a-z0-9-], <= 63, starts and ends alphanumeric
 *   "version": "1.4.2",                         required: image tag, [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   "image": "registry.example.com/shop/payments:1.4.2@sha256:<64 hex>",
 *                                               required: registry host/path[:tag][@sha256:digest]; a tag equals version
 *   "commit_sha": "9fceb02",                    required: 7 to 64 hex digits
 *   "build_id": "gha-8812345",                  required: 1 to 255 printable characters
 *   "environment": "production",                optional, default production; same syntax as service
 *   "ci_status": "success",                     optional, default unknown: success | failed | running | unknown
 *   "auto_deploy": false,                       optional, default false: true asks for a deploy, not only announces
 *   "requested_by": "alice",                    optional: 1 to 255 printable characters
 *   "change": {                                 required
 *     "ns": 1, "nd": 2, "nf": 3, "entropy": 0.8, "la": 120, "ld": 30, "lt": 900, "fix": false, "ndev": 4,
 *     "age": 12.5, "nuc": 6, "exp": 310, "rexp": 12.1, "sexp": 88,
 *                                               each optional: a finite number >= 0 (fix: also true/false)
 *     "files": ["src/Payment.java"],            required: paths (may be empty)
 *     "dependencies": ["ledger"],               optional: names
 *     "commit_messages": ["Fix rounding"],      optional: strings
 *     "pr_title": "Fix rounding of refunds",    optional: string
 *     "author": "U0123ABCD"                     optional: the author's Slack member id, 1 to 255 printable
 *                                               characters (the author may not approve the deploy)
 *   }
 * }
 * }</pre>
 *
 * <p>Every problem is reported, each naming the field, what is wrong and what is expected. A message larger than
 * {@value #MAX_BYTES} bytes, not UTF-8, not one JSON object, or with a field given twice is refused as a whole. Unknown
 * top-level fields are ignored but listed in {@link CiDeployRequest#warnings()}, so a CI that is upgraded before the
 * bot keeps working and still hears about the mismatch. An unknown key inside {@code change} is refused, naming the
 * closest known key: every key there feeds the risk score, and a misspelt metric ({@code entrpy}) would silently be
 * scored as a missing one. A metric may be spelt as the ApacheJIT data set spells it ({@code ent}, {@code aexp}, ...),
 * which the risk engine reads too, but given once. JSON {@code null} is the same as leaving a field out.
 */
public final class CiDeployRequestParser {

    /** Largest message accepted, in bytes: 256 KiB. */
    public static final int MAX_BYTES = 256 * 1024;

    /** The top-level fields this version understands. */
    public static final Set<String> FIELDS = Set.of(
            "service",
            "version",
            "image",
            "commit_sha",
            "build_id",
            "environment",
            "ci_status",
            "auto_deploy",
            "requested_by",
            "change");

    /** The fields of {@code change} other than the metrics. */
    private static final Set<String> CHANGE_FIELDS =
            Set.of("files", "dependencies", "commit_messages", "pr_title", "author");

    /**
     * Every key {@code change} may hold, in the order a refusal lists them: the metrics by their names (the risk
     * engine also reads a metric under the ApacheJIT data set's spelling, such as {@code aexp}), then the rest.
     */
    public static final List<String> CHANGE_KEYS = java.util.stream.Stream.concat(
                    ChangeMetadata.METRICS.stream(),
                    java.util.stream.Stream.of("files", "dependencies", "commit_messages", "pr_title", "author"))
            .toList();

    public static final String DEFAULT_ENVIRONMENT = "production";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{7,64}");
    private static final Pattern REGISTRY = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    /** What a required text field should hold, said when it is missing. */
    private static final Map<String, String> MISSING = Map.of(
            "service", "the service's catalog name, e.g. \"payments\"",
            "version", "the image tag to deploy, e.g. \"1.4.2\"",
            "image", "the image reference, e.g. \"registry.example.com/shop/payments:1.4.2\"",
            "commit_sha", "the commit hash the image was built from, 7 to 64 hex digits",
            "build_id", "CI's id for the build, e.g. \"gha-8812345\"");

    private static final int MAX_TEXT = 255;
    private static final int MAX_IMAGE = 1024;
    private static final int MAX_PATH = 4096;
    private static final int SHOWN = 60;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CiDeployRequestParser() {}

    /** Parses one message: UTF-8 JSON, at most {@value #MAX_BYTES} bytes. */
    public static ParseResult parse(byte[] utf8) {
        if (utf8 == null || utf8.length == 0) {
            return refused(
                    "(message)",
                    "is empty: expected a JSON object with service, version, image, commit_sha,"
                            + " build_id and change");
        }
        if (utf8.length > MAX_BYTES) {
            return tooLarge(OptionalLong.of(utf8.length));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            return refused("(message)", "is not valid UTF-8: expected JSON text encoded as UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            // where and what in words, repeating no word of the message: it may hold a secret templated without quotes
            String said = JsonErrors.describeMessage(e);
            return refused("(message)", "is not valid JSON" + (said.startsWith("line ") ? " at " : ": ") + said);
        }
        if (root == null || root.isMissingNode()) {
            return refused("(message)", "holds no JSON value: expected one JSON object");
        }
        if (!root.isObject()) {
            return refused(
                    "(message)", "is a JSON " + kind(root) + ": expected a JSON object such as {\"service\": ...}");
        }
        return new Reader(root, text).read();
    }

    /**
     * The refusal of a message over {@value #MAX_BYTES} bytes, of {@code bytes} when known (an HTTP body refused
     * before it was read whole may not say): the same for every route, whatever refused it.
     */
    public static ParseResult.Refused tooLarge(OptionalLong bytes) {
        return refused(
                "(message)",
                (bytes.isPresent() ? "is " + bytes.getAsLong() + " bytes" : "is over " + MAX_BYTES + " bytes")
                        + ": at most " + MAX_BYTES + " bytes (256 KiB) are accepted; leave bulky content (diffs, full"
                        + " logs) out of change");
    }

    private static ParseResult.Refused refused(String field, String message) {
        return new ParseResult.Refused(List.of(new Problem(field, message)));
    }

    /** Reads the fields of one message, collecting every problem. */
    private static final class Reader {
        private final JsonNode root;
        private final String text;
        private final List<Problem> problems = new ArrayList<>();

        Reader(JsonNode root, String text) {
            this.root = root;
            this.text = text;
        }

        ParseResult read() {
            String service = name("service", true, "the service's catalog name, e.g. \"payments\"")
                    .orElse(null);
            String version = tag(text("version", root, "version", true).orElse(null));
            String image = image(text("image", root, "image", true).orElse(null), version);
            String commitSha =
                    commit(text("commit_sha", root, "commit_sha", true).orElse(null));
            String buildId = printable(
                            "build_id", text("build_id", root, "build_id", true).orElse(null))
                    .orElse(null);
            String environment = name("environment", false, "an environment name such as \"staging\"")
                    .orElse(DEFAULT_ENVIRONMENT);
            CiStatus ciStatus = ciStatus();
            boolean autoDeploy = bool("auto_deploy", root, "auto_deploy").orElse(false);
            Optional<String> requestedBy = printable(
                    "requested_by",
                    text("requested_by", root, "requested_by", false).orElse(null));
            ChangeMetadata change = change();

            List<String> warnings = new ArrayList<>();
            root.fieldNames().forEachRemaining(name -> {
                if (!FIELDS.contains(name)) {
                    warnings.add("unknown field " + quote(name) + " ignored (this version reads "
                            + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
                }
            });

            if (!problems.isEmpty()) {
                return new ParseResult.Refused(problems);
            }
            return new ParseResult.Parsed(new CiDeployRequest(
                    service,
                    version,
                    image,
                    commitSha.toLowerCase(java.util.Locale.ROOT),
                    buildId,
                    environment,
                    ciStatus,
                    autoDeploy,
                    change,
                    requestedBy,
                    text,
                    warnings));
        }

        private Optional<String> name(String field, boolean required, String expected) {
            Optional<String> value = text(field, root, field, required);
            if (value.isEmpty()) {
                return value;
            }
            String v = value.get();
            if (!NAME.matcher(v).matches()) {
                problem(
                        field,
                        quote(v) + " is not a catalog name: expected 1 to 63 lower-case letters, digits and '-',"
                                + " starting and ending with a letter or digit (" + expected + ")");
                return Optional.empty();
            }
            return value;
        }

        private String tag(String version) {
            if (version != null && !TAG.matcher(version).matches()) {
                problem(
                        "version",
                        quote(version) + " is not an image tag: expected 1 to 128 letters, digits, '_', '.' or '-',"
                                + " not starting with '.' or '-' (e.g. \"1.4.2\" or \"2024-06-01_9fceb02\")");
                return null;
            }
            return version;
        }

        private String commit(String sha) {
            if (sha != null && !HEX.matcher(sha).matches()) {
                problem(
                        "commit_sha",
                        quote(sha) + " is not a commit hash: expected 7 to 64 hexadecimal digits (e.g. \"9fceb02\")");
                return null;
            }
            return sha;
        }

        private String image(String image, String version) {
            if (image == null) {
                return null;
            }
            String expected = "; expected registry-host/path[:tag][@sha256:<64 hex digits>], e.g."
                    + " \"registry.example.com/shop/payments:1.4.2\"";
            if (image.length() > MAX_IMAGE) {
                problem("image", "is " + image.length() + " characters long: at most " + MAX_IMAGE + expected);
                return null;
            }
            String nameAndTag = image;
            int at = image.indexOf('@');
            if (at >= 0) {
                String digest = image.substring(at + 1);
                if (!DIGEST.matcher(digest).matches()) {
                    problem(
                            "image",
                            quote(image) + " has digest " + quote(digest) + " where sha256: and 64"
                                    + " lower-case hex digits were expected" + expected);
                    return null;
                }
                nameAndTag = image.substring(0, at);
            }
            String name = nameAndTag;
            String tag = null;
            int colon = nameAndTag.lastIndexOf(':');
            if (colon > nameAndTag.lastIndexOf('/')) {
                name = nameAndTag.substring(0, colon);
                tag = nameAndTag.substring(colon + 1);
                if (!TAG.matcher(tag).matches()) {
                    problem(
                            "image",
                            quote(image) + " has tag " + quote(tag) + ", which is not an image tag" + expected);
                    return null;
                }
            }
            String[] parts = name.split("/", -1);
            if (parts.length < 2 || !isRegistry(parts[0])) {
                problem(
                        "image",
                        quote(image) + " names no registry host (a first component with a '.' or a port,"
                                + " or localhost; Docker Hub is docker.io/...)" + expected);
                return null;
            }
            if (!REGISTRY.matcher(parts[0]).matches()) {
                problem(
                        "image",
                        quote(image) + " has registry " + quote(parts[0]) + ", which is not a host[:port]" + expected);
                return null;
            }
            for (int i = 1; i < parts.length; i++) {
                if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
                    problem(
                            "image",
                            quote(image) + " has path component " + quote(parts[i]) + ": expected lower-case"
                                    + " letters and digits, separated by '.', '_', '__' or dashes" + expected);
                    return null;
                }
            }
            if (tag != null && version != null && !tag.equals(version)) {
                problem(
                        "image",
                        quote(image) + " is tagged " + quote(tag) + " but version is " + quote(version) + ": the"
                                + " version is the tag that gets deployed; tag the image with the version, or leave"
                                + " the tag out and pin the digest");
                return null;
            }
            return image;
        }

        private static boolean isRegistry(String first) {
            return first.contains(".") || first.contains(":") || first.equals("localhost");
        }

        private CiStatus ciStatus() {
            Optional<String> value = text("ci_status", root, "ci_status", false);
            if (value.isEmpty()) {
                return CiStatus.UNKNOWN;
            }
            Optional<CiStatus> status = CiStatus.fromWire(value.get());
            if (status.isEmpty()) {
                problem(
                        "ci_status",
                        quote(value.get()) + " is not a CI status: expected one of \"success\", \"failed\","
                                + " \"running\", \"unknown\"");
                return null;
            }
            return status.get();
        }

        private ChangeMetadata change() {
            JsonNode change = root.get("change");
            if (change == null || change.isNull()) {
                problem(
                        "change",
                        "is missing: expected an object with the change metadata, at least"
                                + " {\"files\": [\"path/changed.java\"]}, plus the metrics ns, nd, nf, entropy, la,"
                                + " ld, lt, fix, ndev, age, nuc, exp, rexp, sexp when CI computes them");
                return null;
            }
            if (!change.isObject()) {
                problem("change", "is a " + kind(change) + ": expected an object such as {\"files\": [...]}");
                return null;
            }
            int before = problems.size();
            Map<String, Double> metrics = new HashMap<>();
            Map<String, String> spelledAs = new HashMap<>();
            for (var names = change.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (CHANGE_FIELDS.contains(name)) {
                    continue;
                }
                Optional<JitMetric> known = JitMetric.named(name);
                if (known.isEmpty()) {
                    // every key of change feeds the risk score: a misspelt metric would be scored as missing
                    problem(
                            "change." + shownKey(name),
                            "unknown key '" + shownKey(name) + "'"
                                    + JsonErrors.suggestion(name, CHANGE_KEYS)
                                    + "; known keys: " + String.join(", ", CHANGE_KEYS));
                    continue;
                }
                String metric = known.get().key();
                String earlier = spelledAs.putIfAbsent(metric, name);
                if (earlier != null) {
                    problem(
                            "change." + shownKey(name),
                            "gives " + metric + " again (change." + shownKey(earlier) + " gave it already): send it"
                                    + " once, as \"" + metric + "\"");
                    continue;
                }
                JsonNode value = change.get(name);
                if (value.isNull()) {
                    continue;
                }
                String field = "change." + shownKey(name);
                if (metric.equals("fix") && value.isBoolean()) {
                    metrics.put(metric, value.booleanValue() ? 1.0 : 0.0);
                } else if (!value.isNumber()) {
                    problem(
                            field,
                            "is a " + kind(value) + " (" + shown(value) + "): expected a number"
                                    + (metric.equals("fix") ? " (0 or 1) or true/false" : ""));
                } else if (!Double.isFinite(value.doubleValue()) || value.doubleValue() < 0) {
                    problem(field, "is " + value.asText() + ": expected a finite number >= 0");
                } else {
                    metrics.put(metric, value.doubleValue());
                }
            }
            List<String> files = strings(change, "files", true, MAX_PATH);
            List<String> dependencies = strings(change, "dependencies", false, MAX_TEXT);
            List<String> messages = strings(change, "commit_messages", false, Integer.MAX_VALUE);
            Optional<String> prTitle = text("change.pr_title", change, "pr_title", false);
            // Kept in the change's JSON only, but checked: the approval rules refuse the author's own approval by it,
            // and an author of another type would silently be no author at all.
            printable(
                    "change.author",
                    text("change.author", change, "author", false).orElse(null));
            if (problems.size() > before) {
                return null;
            }
            try {
                return new ChangeMetadata(
                        MAPPER.writeValueAsString(change), metrics, files, dependencies, messages, prTitle);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a parsed JSON object can always be written back", e);
            }
        }

        private List<String> strings(JsonNode parent, String name, boolean required, int maxLength) {
            String field = "change." + name;
            JsonNode value = parent.get(name);
            if (value == null || value.isNull()) {
                if (required) {
                    problem(
                            field,
                            "is missing: expected a list of the changed paths, e.g. [\"src/App.java\"]"
                                    + " ([] when none)");
                }
                return List.of();
            }
            if (!value.isArray()) {
                problem(field, "is a " + kind(value) + ": expected a list of strings");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                String itemField = field + "[" + i + "]";
                if (!item.isTextual()) {
                    problem(itemField, "is a " + kind(item) + ": expected a string");
                } else if (!name.equals("commit_messages") && item.textValue().isBlank()) {
                    problem(itemField, "is blank: expected a non-empty string");
                } else if (item.textValue().length() > maxLength) {
                    problem(itemField, "is " + item.textValue().length() + " characters long: at most " + maxLength);
                } else {
                    out.add(item.textValue());
                }
            }
            return out;
        }

        private Optional<String> printable(String field, String value) {
            if (value == null) {
                return Optional.empty();
            }
            if (value.isBlank()) {
                problem(field, "is blank: expected 1 to " + MAX_TEXT + " printable characters");
                return Optional.empty();
            }
            if (value.length() > MAX_TEXT) {
                problem(field, "is " + value.length() + " characters long: at most " + MAX_TEXT);
                return Optional.empty();
            }
            if (value.chars().anyMatch(Character::isISOControl)) {
                problem(field, quote(value) + " contains control characters: expected printable text");
                return Optional.empty();
            }
            return Optional.of(value);
        }

        private Optional<String> text(String field, JsonNode parent, String name, boolean required) {
            JsonNode value = parent.get(name);
            if (value == null || value.isNull()) {
                if (required) {
                    problem(field, "is missing: expected " + MISSING.getOrDefault(field, "a string"));
                }
                return Optional.empty();
            }
            if (!value.isTextual()) {
                problem(field, "is a " + kind(value) + " (" + shown(value) + "): expected a string");
                return Optional.empty();
            }
            return Optional.of(value.textValue());
        }

        private Optional<Boolean> bool(String field, JsonNode parent, String name) {
            JsonNode value = parent.get(name);
            if (value == null || value.isNull()) {
                return Optional.empty();
            }
            if (!value.isBoolean()) {
                problem(field, "is a " + kind(value) + " (" + shown(value) + "): expected true or false");
                return Optional.empty();
            }
            return Optional.of(value.booleanValue());
        }

        private void problem(String field, String message) {
            problems.add(new Problem(field, message));
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "list";
            case BOOLEAN -> "boolean";
            case NUMBER -> "number";
            case OBJECT -> "object";
            case STRING -> "string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String shown(JsonNode node) {
        return node.isTextual() ? quote(node.textValue()) : cut(node.toString());
    }

    /** A value as it may appear in a message: quoted, control characters escaped, long values cut. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        String cut = cut(value);
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A key as it may appear in a message: control characters escaped, a long one cut. */
    private static String shownKey(String name) {
        String quoted = quote(name);
        return quoted.substring(1, quoted.length() - 1);
    }

    private static String cut(String value) {
        return value.length() <= SHOWN ? value : value.substring(0, SHOWN) + "...";
    }
}
