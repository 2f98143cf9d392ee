package io.harbormaster.engine.risk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.harbormaster.engine.json.JsonErrors;
import io.harbormaster.engine.policy.Criticality;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses a deploy's risk input (the JSON CI announces plus the deploy context) once, at the edge. Impossible values are
 * refused with a message; missing context gets a documented conservative default that raises risk, and says so.
 *
 * <p>Conservative defaults: criticality {@code high}; one recent rollback and one recent incident; five dependents;
 * a deploy on Friday at 18:00 (outside working hours); CI status {@code unknown} (which escalates); no catalog
 * dependencies (so every declared dependency counts as new). Missing change metrics are filled by the scorer, which
 * knows the model's training distribution. Two context facts are the pipeline's own, with no default to assume:
 * {@code automatic} (CI asked for the deploy; left out, a person did) and {@code version_rolled_back} (the earlier
 * rollback of this very version, in words; left out, none).
 */
public final class RiskInputParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> CHANGE_FIELDS = Set.of("files", "dependencies");

    private RiskInputParser() {}

    /** Parses JSON text. */
    public static ParsedInput parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            return new ParsedInput.Invalid(List.of("the change is not valid JSON: " + JsonErrors.describe(e)));
        }
    }

    /** Parses an already-read JSON tree. */
    public static ParsedInput parse(JsonNode root) {
        var problems = new ArrayList<String>();
        var assumptions = new ArrayList<String>();
        if (root == null || !root.isObject()) {
            return new ParsedInput.Invalid(List.of("the change must be a JSON object"));
        }
        var service = requiredText(root, "service", problems);
        var version = requiredText(root, "version", problems);

        var change = root.path("change");
        boolean announced = root.has("announced") ? root.get("announced").asBoolean(false) : change.isObject();
        if (root.has("announced") && !root.get("announced").isBoolean()) {
            problems.add("announced must be true or false");
        }
        var metrics = new EnumMap<JitMetric, Double>(JitMetric.class);
        List<String> files = List.of();
        Set<String> dependencies = Set.of();
        if (change.isObject()) {
            change.fieldNames().forEachRemaining(name -> {
                if (!CHANGE_FIELDS.contains(name) && JitMetric.named(name).isEmpty()) {
                    // worded as the CI intake words it, which refuses such a key before it gets here
                    var known = new ArrayList<String>();
                    Arrays.stream(JitMetric.values()).map(JitMetric::key).forEach(known::add);
                    known.addAll(List.of("files", "dependencies"));
                    problems.add("change." + name + ": unknown key '" + name + "'"
                            + io.harbormaster.engine.json.JsonErrors.suggestion(name, known) + "; known keys: "
                            + String.join(", ", known));
                }
            });
            for (var m : JitMetric.values()) {
                readMetric(change, m, problems).ifPresent(v -> metrics.put(m, v));
            }
            checkRelations(metrics, problems);
            files = stringList(change, "files", "change", problems);
            if (!change.has("files")) {
                problems.add("change.files is missing: send the paths the change touches (an empty list if none), "
                        + "so the schema-migration and configuration rules can be checked");
            }
            dependencies = new LinkedHashSet<>(stringList(change, "dependencies", "change", problems));
        } else if (!change.isMissingNode()) {
            problems.add("change must be an object with the change metrics");
        } else if (announced) {
            problems.add("announced is true but there is no change object with the build's metrics");
        }

        var ctx = root.path("context");
        if (!ctx.isMissingNode() && !ctx.isObject()) {
            problems.add("context must be an object");
        }
        var criticality = enumValue(ctx, "criticality", Criticality.class, Criticality.HIGH, assumptions, problems);
        int rollbacks = count(ctx, "recent_rollbacks", 1, assumptions, problems);
        int incidents = count(ctx, "recent_incidents", 1, assumptions, problems);
        int dependents = count(ctx, "dependents", 5, assumptions, problems);
        var ci = enumValue(ctx, "ci_status", CiStatus.class, CiStatus.UNKNOWN, assumptions, problems);
        DayOfWeek day = DayOfWeek.FRIDAY;
        int hour = 18;
        if (ctx.has("local_time")) {
            try {
                var t = LocalDateTime.parse(ctx.get("local_time").asText());
                day = t.getDayOfWeek();
                hour = t.getHour();
            } catch (DateTimeParseException e) {
                problems.add("context.local_time '" + ctx.get("local_time").asText()
                        + "' is not a local date-time: use the form 2024-05-03T14:30");
            }
        } else {
            assumptions.add("context.local_time missing: assumed Friday 18:00, outside working hours");
        }
        // Facts of the pipeline's own, not CI's: left out, the deploy is a person's of a version never rolled back.
        boolean automatic = false;
        if (ctx.has("automatic") && !ctx.get("automatic").isNull()) {
            if (ctx.get("automatic").isBoolean()) {
                automatic = ctx.get("automatic").asBoolean();
            } else {
                problems.add("context.automatic is " + ctx.get("automatic")
                        + "; it must be true (CI asked for the deploy) or false (a person did)");
            }
        }
        Optional<String> rolledBack = Optional.empty();
        if (ctx.has("version_rolled_back") && !ctx.get("version_rolled_back").isNull()) {
            var node = ctx.get("version_rolled_back");
            if (node.isTextual() && !node.asText().isBlank()) {
                rolledBack = Optional.of(node.asText());
            } else {
                problems.add("context.version_rolled_back is " + node
                        + "; it must be the earlier rollback of this version in words");
            }
        }
        Set<String> catalog = new LinkedHashSet<>(stringList(ctx, "catalog_dependencies", "context", problems));
        if (!ctx.has("catalog_dependencies") && !dependencies.isEmpty()) {
            assumptions.add("context.catalog_dependencies missing: every declared dependency counts as new");
        }

        if (!problems.isEmpty()) {
            return new ParsedInput.Invalid(problems);
        }
        var context =
                new DeployContext(criticality, rollbacks, incidents, dependents, day, hour, ci, automatic, rolledBack);
        return new ParsedInput.Valid(new RiskInput(
                service,
                version,
                announced,
                new ChangeMetrics(metrics),
                files,
                dependencies,
                catalog,
                context,
                assumptions));
    }

    private static String requiredText(JsonNode root, String field, List<String> problems) {
        var node = root.path(field);
        if (!node.isTextual() || node.asText().isBlank()) {
            problems.add(field + " is missing: name the " + field + " being deployed");
            return "";
        }
        return node.asText();
    }

    private static Optional<Double> readMetric(JsonNode change, JitMetric m, List<String> problems) {
        JsonNode node = null;
        String seen = null;
        var it = change.fieldNames();
        while (it.hasNext()) {
            var name = it.next();
            if (m.answersTo(name)) {
                node = change.get(name);
                seen = name;
            }
        }
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        var where = "change." + seen;
        if (m.isFlag()) {
            if (node.isBoolean()) {
                return Optional.of(node.asBoolean() ? 1.0 : 0.0);
            }
            if (node.isNumber() && (node.asDouble() == 0 || node.asDouble() == 1)) {
                return Optional.of(node.asDouble());
            }
            problems.add(where + " must be true or false, not " + node);
            return Optional.empty();
        }
        if (!node.isNumber()) {
            problems.add(where + " must be a number (" + m.words() + "), not " + node);
            return Optional.empty();
        }
        double v = node.asDouble();
        if (!Double.isFinite(v) || v < 0) {
            problems.add(where + " is " + node + ", but " + m.words() + " cannot be negative");
            return Optional.empty();
        }
        return Optional.of(v);
    }

    private static void checkRelations(EnumMap<JitMetric, Double> m, List<String> problems) {
        var nf = m.get(JitMetric.NF);
        if (nf != null && nf < 1) {
            problems.add("change.nf is " + fmt(nf) + ", but a change touches at least one file");
        }
        var nd = m.get(JitMetric.ND);
        if (nf != null && nd != null && nd > nf) {
            problems.add("change.nd is " + fmt(nd) + " directories but only " + fmt(nf)
                    + " files were touched: a change cannot touch more directories than files");
        }
        var ent = m.get(JitMetric.ENTROPY);
        if (nf != null && ent != null && nf >= 1 && ent > Math.log(nf) / Math.log(2) + 1e-6) {
            problems.add("change.entropy is " + fmt(ent) + ", but with " + fmt(nf)
                    + (nf == 1 ? " file" : " files") + " touched it can be at most " + fmt(Math.log(nf) / Math.log(2))
                    + " (the Shannon entropy in bits of how the change spreads over its files, at most log2 of their"
                    + " count): send it in bits, or check nf");
        }
    }

    private static List<String> stringList(JsonNode parent, String field, String where, List<String> problems) {
        var node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(where + "." + field + " must be a list of strings");
            return List.of();
        }
        var out = new ArrayList<String>();
        for (var item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                problems.add(where + "." + field + " must hold only non-empty strings, not " + item);
            } else {
                out.add(item.asText());
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(
            JsonNode ctx, String field, Class<E> type, E fallback, List<String> assumptions, List<String> problems) {
        var node = ctx.path(field);
        if (node.isMissingNode() || node.isNull()) {
            assumptions.add(
                    "context." + field + " missing: assumed " + fallback.name().toLowerCase(Locale.ROOT));
            return fallback;
        }
        try {
            return Enum.valueOf(type, node.asText().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("context." + field + " is " + node + "; use one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> c.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
            return fallback;
        }
    }

    private static int count(
            JsonNode ctx, String field, int fallback, List<String> assumptions, List<String> problems) {
        var node = ctx.path(field);
        if (node.isMissingNode() || node.isNull()) {
            assumptions.add("context." + field + " missing: assumed " + fallback);
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > 100_000) {
            problems.add("context." + field + " is " + node + "; it must be a whole number from 0 to 100000");
            return fallback;
        }
        return node.asInt();
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.2f", v);
    }
}
