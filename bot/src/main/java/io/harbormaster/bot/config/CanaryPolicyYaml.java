package io.harbormaster.bot.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.CanaryStep;
import io.harbormaster.engine.canary.HardTriggerPolicy;
import io.harbormaster.engine.canary.MannWhitneyPolicy;
import io.harbormaster.engine.canary.ScoringPolicy;
import io.harbormaster.engine.canary.SequentialPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A canary policy file ({@code --policy policy.yml}), parsed into the engine's plain records; anything absent keeps
 * the default, anything unknown or malformed is refused with the key's path. Keys: interval_seconds, steps,
 * min_step_seconds, min_promote_seconds, last_step_after_seconds, promote_by_seconds, hold_error_z, hold_latency_t,
 * escalate_e_value, closing_test_seconds, closing_alpha, max_no_data_seconds, hard_triggers.*, mann_whitney.*,
 * scoring.*, sequential.*.
 */
public final class CanaryPolicyYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The largest whole number a policy takes (seconds: about 11 days; far beyond any canary). */
    static final long LARGEST = 1_000_000;

    /**
     * One problem in a policy mapping.
     *
     * @param key the path of the key it is about, in the mapping ({@code hard_triggers.max_error_rate},
     *     {@code steps[1].weight}); empty for the mapping as a whole (settings refused only together)
     * @param message what is wrong and what is expected, without the key
     */
    public record Problem(String key, String message) {
        /** "{@code key: message}", as a policy file's refusal says it. */
        @Override
        public String toString() {
            return key.isEmpty() ? message : key + ": " + message;
        }
    }

    /**
     * The smallest value of each whole-number key the engine takes, where it is not 0: the reader's range is the
     * engine's, so that every value out of a key's range gets the same message (not one from the reader for -5 and
     * another from the engine for 0).
     */
    private static final Map<String, Long> LEAST = Map.of(
            "interval_seconds", 1L,
            "max_no_data_seconds", 1L,
            "hard_triggers.error_window_seconds", 1L,
            "hard_triggers.p99_window_seconds", 1L,
            "hard_triggers.max_restarts", 1L,
            "hard_triggers.restart_window_seconds", 1L);

    /** The largest value of a whole-number key, where it is below {@link #LARGEST}. */
    private static final Map<String, Long> MOST =
            Map.of("sequential.stable_noise_minutes", (long) SequentialPolicy.MAX_STABLE_NOISE_MINUTES);

    /** Keys of earlier versions, and what to write instead. */
    private static final String[][] RENAMED = {
        {
            "hold_e_value",
            "the hold now follows the closing test's statistic; use hold_error_z (default 0.6, a z score: larger"
                    + " holds fewer canaries)"
        },
        {
            "hold_latency_e_value",
            "the hold now follows the closing test's statistic; use hold_latency_t (default 1.5, a t statistic:"
                    + " larger holds fewer canaries)"
        }
    };

    /** Top-level keys holding seconds (whole numbers), and those holding any number. */
    private static final List<String> WHOLE_KEYS = List.of(
            "interval_seconds",
            "min_step_seconds",
            "min_promote_seconds",
            "last_step_after_seconds",
            "promote_by_seconds",
            "closing_test_seconds",
            "max_no_data_seconds");

    private static final List<String> NUMBER_KEYS =
            List.of("hold_error_z", "hold_latency_t", "escalate_e_value", "closing_alpha");

    /** The problems found so far. */
    private final List<Problem> problems = new ArrayList<>();

    private CanaryPolicyYaml() {}

    /** Reads a policy file; refuses an unreadable or malformed one with a message naming the file and the key. */
    public static CanaryPolicy read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var error = LocatedYaml.SyntaxError.of(e);
            throw new IllegalArgumentException(
                    "policy " + file + " is not valid YAML (line " + error.line() + "): " + error.words());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("policy " + file + " does not exist; give the path of a YAML file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy " + file + " ("
                    + e.getClass().getSimpleName() + "); check that it is a readable file");
        }
        return parse(root, file + ": ");
    }

    /**
     * Parses a policy mapping (a file's root, or the {@code canary:} section of harbormaster.yml); {@code at} prefixes
     * every message.
     */
    public static CanaryPolicy parse(JsonNode root, String at) {
        return parse(root, at, CanaryPolicy.defaults());
    }

    /**
     * Like {@link #parse(JsonNode, String)}, with {@code base} supplying every value the mapping leaves out; refuses a
     * mapping with problems, each on a line of the exception's message.
     */
    public static CanaryPolicy parse(JsonNode root, String at, CanaryPolicy base) {
        var problems = new ArrayList<Problem>();
        CanaryPolicy policy = parse(root, base, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    problems.stream().map(p -> at + p).collect(Collectors.joining("\n")));
        }
        return policy;
    }

    /**
     * Parses a policy mapping over {@code base}, adding to {@code problems} one for each problem found, each with the
     * path of its key in the mapping (hard_triggers.max_error_rate), so that harbormaster.yml can name the key's own
     * line. A part with a problem (a key, a list of steps, a section such as hard_triggers) is read as {@code base} has
     * it, so the rest is still checked and every independent mistake is reported at once. Returns {@code base} when
     * there is a problem.
     */
    public static CanaryPolicy parse(JsonNode root, CanaryPolicy base, List<Problem> problems) {
        if (root == null || root.isNull()) {
            return base;
        }
        if (!root.isObject()) {
            problems.add(new Problem("", "a canary policy is a mapping of keys (see analyze run --help)"));
            return base;
        }
        var reader = new CanaryPolicyYaml();
        CanaryPolicy policy = reader.mapping(root, base);
        problems.addAll(reader.problems);
        return reader.problems.isEmpty() ? policy : base;
    }

    /** The parts of a policy read from their own sections, each already valid on its own. */
    private record Parts(
            List<CanaryStep> steps,
            HardTriggerPolicy hardTriggers,
            MannWhitneyPolicy mannWhitney,
            ScoringPolicy scoring,
            SequentialPolicy sequential) {}

    /** The mapping's policy; messages name the key's full path (hard_triggers.max_error_rate), not the file. */
    private CanaryPolicy mapping(JsonNode root, CanaryPolicy base) {
        for (String[] renamed : RENAMED) {
            if (root.has(renamed[0])) {
                problem(renamed[0], "no longer a key: " + renamed[1]);
            }
        }
        known(
                root,
                "",
                "interval_seconds",
                "steps",
                "min_step_seconds",
                "min_promote_seconds",
                "last_step_after_seconds",
                "promote_by_seconds",
                "hold_error_z",
                "hold_latency_t",
                "escalate_e_value",
                "closing_test_seconds",
                "closing_alpha",
                "max_no_data_seconds",
                "hard_triggers",
                "mann_whitney",
                "scoring",
                "sequential");
        var parts = new Parts(
                root.has("steps") ? steps(root.get("steps"), base) : base.steps(),
                hardTriggers(root, base.hardTriggers()),
                mannWhitney(root, base.mannWhitney()),
                scoring(root, base.scoring()),
                sequential(root, base.sequential()));

        var top = new LinkedHashMap<String, Number>();
        for (String key : WHOLE_KEYS) {
            Long v = whole(root, "", key);
            if (v != null) {
                top.put(key, v);
            }
        }
        for (String key : NUMBER_KEYS) {
            Double v = num(root, "", key);
            if (v != null) {
                top.put(key, v);
            }
        }
        long minPromote = top.getOrDefault("min_promote_seconds", base.minPromoteSeconds())
                .longValue();
        Number promoteBy = top.get("promote_by_seconds");
        // Set, promote_by cannot come before the bake time (0 is not "off"); unset, it follows a raised bake time.
        if (promoteBy != null && promoteBy.longValue() < minPromote) {
            problem(
                    "promote_by_seconds",
                    "got " + promoteBy + ", which comes before min_promote_seconds (" + minPromote
                            + "): no canary is promoted before the bake time; give " + minPromote + " or more");
            top.remove("promote_by_seconds");
        }
        return assemble(base, top, parts);
    }

    /**
     * The policy of the top-level numbers {@code top} (by key, over {@code base}'s) and the parts. When the policy
     * refuses them together, and the parts go with the base's numbers, each number is tried alone (the others as the
     * base has them, closing_alpha with the sequential.alpha given), and each refused alone is reported under its key;
     * what is refused only together is reported once.
     */
    private CanaryPolicy assemble(CanaryPolicy base, Map<String, Number> top, Parts parts) {
        String together;
        try {
            return build(base, top, parts);
        } catch (IllegalArgumentException e) {
            together = e.getMessage();
        }
        boolean blamed = false;
        if (refusal(() -> build(base, Map.of(), parts)) == null) {
            for (var it = top.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                String alone = refusal(() -> build(base, Map.of(e.getKey(), e.getValue()), parts));
                if (alone != null) {
                    problem(e.getKey(), withoutKey(alone, e.getKey()));
                    it.remove();
                    blamed = true;
                }
            }
        }
        String rest = blamed ? refusal(() -> build(base, top, parts)) : together;
        if (rest != null) {
            problem("", rest); // refused only together: no one key is to blame
        }
        return base;
    }

    private static CanaryPolicy build(CanaryPolicy base, Map<String, Number> top, Parts parts) {
        long minPromote = top.getOrDefault("min_promote_seconds", base.minPromoteSeconds())
                .longValue();
        return new CanaryPolicy(
                top.getOrDefault("interval_seconds", base.intervalSeconds()).longValue(),
                parts.steps(),
                top.getOrDefault("min_step_seconds", base.minStepSeconds()).longValue(),
                minPromote,
                top.getOrDefault("last_step_after_seconds", base.lastStepAfterSeconds())
                        .longValue(),
                // Unset, promote_by follows a raised bake time.
                top.getOrDefault("promote_by_seconds", Math.max(base.promoteBySeconds(), minPromote))
                        .longValue(),
                top.getOrDefault("hold_error_z", base.holdErrorZ()).doubleValue(),
                top.getOrDefault("hold_latency_t", base.holdLatencyT()).doubleValue(),
                top.getOrDefault("escalate_e_value", base.escalateEValue()).doubleValue(),
                top.getOrDefault("closing_test_seconds", base.closingTestSeconds())
                        .longValue(),
                top.getOrDefault("closing_alpha", base.closingAlpha()).doubleValue(),
                top.getOrDefault("max_no_data_seconds", base.maxNoDataSeconds()).longValue(),
                parts.hardTriggers(),
                parts.mannWhitney(),
                parts.scoring(),
                parts.sequential());
    }

    /** Why the engine refuses what {@code build} makes, or null when it does not. */
    private static String refusal(Supplier<?> build) {
        try {
            build.get();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * The record {@code build} makes, or {@code fallback} with the engine's refusal reported under the key it names
     * first ({@code hard_triggers.max_error_rate must be ...}) when {@code root} has that key, else under
     * {@code section}.
     */
    private <T> T record(T fallback, JsonNode root, String section, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            var said = e.getMessage();
            var named = java.util.regex.Pattern.compile("^[a-z0-9_]+(\\.[a-z0-9_]+)+")
                    .matcher(said);
            String key = section;
            if (named.find() && !root.at("/" + named.group().replace('.', '/')).isMissingNode()) {
                key = named.group();
            }
            problem(key, withoutKey(said, key));
            return fallback;
        }
    }

    /**
     * The engine's message without the key it starts with ("x must be ..." gives "must be ...", "x: unknown ..." gives
     * "unknown ..."), since the problem names its key: before a space only when "must" or "is" follows, so that a
     * message naming two keys ("x and y must ...") keeps both.
     */
    private static String withoutKey(String message, String key) {
        if (message.startsWith(key + ": ")) {
            return message.substring(key.length() + 2);
        }
        var rest = message.startsWith(key + " ") ? message.substring(key.length() + 1) : null;
        return rest != null && (rest.startsWith("must ") || rest.startsWith("is ")) ? rest : message;
    }

    private HardTriggerPolicy hardTriggers(JsonNode root, HardTriggerPolicy h) {
        JsonNode n = section(root, "hard_triggers");
        if (n == null) {
            return h;
        }
        String p = "hard_triggers.";
        known(
                n,
                p,
                "max_error_rate",
                "error_window_seconds",
                "max_p99_ms",
                "p99_window_seconds",
                "max_restarts",
                "restart_window_seconds",
                "min_requests");
        // The readers report a value of the wrong kind and give the base's, so the constructor judges the rest.
        return record(
                h,
                root,
                "hard_triggers",
                () -> new HardTriggerPolicy(
                        num(n, p, "max_error_rate", h.maxErrorRate()),
                        whole(n, p, "error_window_seconds", h.errorWindowSeconds()),
                        num(n, p, "max_p99_ms", h.maxP99Ms()),
                        whole(n, p, "p99_window_seconds", h.p99WindowSeconds()),
                        whole(n, p, "max_restarts", (long) h.maxRestarts()),
                        whole(n, p, "restart_window_seconds", h.restartWindowSeconds()),
                        num(n, p, "min_requests", h.minRequests())));
    }

    private MannWhitneyPolicy mannWhitney(JsonNode root, MannWhitneyPolicy m) {
        JsonNode n = section(root, "mann_whitney");
        if (n == null) {
            return m;
        }
        String p = "mann_whitney.";
        known(n, p, "tolerance", "confidence", "allowed_increase", "allowed_decrease");
        return record(
                m,
                root,
                "mann_whitney",
                () -> new MannWhitneyPolicy(
                        num(n, p, "tolerance", m.tolerance()),
                        num(n, p, "confidence", m.confidence()),
                        num(n, p, "allowed_increase", m.allowedIncrease()),
                        num(n, p, "allowed_decrease", m.allowedDecrease())));
    }

    private ScoringPolicy scoring(JsonNode root, ScoringPolicy s) {
        JsonNode n = section(root, "scoring");
        if (n == null) {
            return s;
        }
        String p = "scoring.";
        known(n, p, "pass", "marginal", "critical_metrics", "group_weights");
        Set<String> critical = s.criticalMetrics();
        if (n.has("critical_metrics")) {
            JsonNode list = n.get("critical_metrics");
            if (!list.isArray()) {
                problem(p + "critical_metrics", "expected a list of metric names, got " + list);
            } else {
                var names = new ArrayList<String>();
                boolean allNames = true;
                for (JsonNode name : list) {
                    if (!name.isTextual()) {
                        problem(p + "critical_metrics", "expected metric names, got " + name);
                        allNames = false;
                    }
                    names.add(name.asText());
                }
                if (allNames) {
                    critical = Set.copyOf(names);
                }
            }
        }
        var weights = new HashMap<>(s.groupWeights());
        if (n.has("group_weights")) {
            JsonNode gw = section(n, p, "group_weights");
            if (gw != null) {
                for (Iterator<String> it = gw.fieldNames(); it.hasNext(); ) {
                    String group = it.next();
                    if (gw.get(group).isNull()) {
                        problem(p + "group_weights." + group, "expected a number, got nothing");
                        continue;
                    }
                    Double w = num(gw, p + "group_weights.", group);
                    if (w != null) {
                        weights.put(group, w);
                    }
                }
            }
        }
        Set<String> criticalMetrics = critical;
        return record(
                s,
                root,
                "scoring",
                () -> new ScoringPolicy(
                        weights,
                        s.metricGroups(),
                        criticalMetrics,
                        num(n, p, "pass", s.passThreshold()),
                        num(n, p, "marginal", s.marginalThreshold())));
    }

    private SequentialPolicy sequential(JsonNode root, SequentialPolicy q) {
        JsonNode n = section(root, "sequential");
        if (n == null) {
            return q;
        }
        String p = "sequential.";
        known(
                n,
                p,
                "alpha",
                "promote_alpha",
                "error_ratio",
                "error_points",
                "p50_increase",
                "p99_increase",
                "warmup_intervals",
                "noise_history",
                "stable_noise_minutes");
        return record(
                q,
                root,
                "sequential",
                () -> new SequentialPolicy(
                        num(n, p, "alpha", q.alpha()),
                        num(n, p, "promote_alpha", q.promoteAlpha()),
                        num(n, p, "error_ratio", q.errorRatio()),
                        num(n, p, "error_points", q.errorPoints()),
                        num(n, p, "p50_increase", q.p50Increase()),
                        num(n, p, "p99_increase", q.p99Increase()),
                        (int) whole(n, p, "warmup_intervals", q.warmupIntervals()),
                        (int) whole(n, p, "noise_history", q.noiseHistory()),
                        (int) whole(n, p, "stable_noise_minutes", q.stableNoiseMinutes())));
    }

    /**
     * A list of {weight, intervals} steps, each checked, each problem under its own key ({@code steps[1].weight}); with
     * any step wrong, every wrong one is reported and the base's steps are kept.
     */
    private List<CanaryStep> steps(JsonNode node, CanaryPolicy base) {
        String where = "steps";
        if (!node.isArray() || node.isEmpty()) {
            problem(where, "expected a list of {weight, intervals}, e.g. [{weight: 25, intervals: 18}]");
            return base.steps();
        }
        int problemsBefore = problems.size();
        var steps = new ArrayList<CanaryStep>();
        Long before = null; // the weight of the last step that was one
        for (int i = 0; i < node.size(); i++) {
            JsonNode s = node.get(i);
            String at = where + "[" + i + "]";
            if (!s.isObject()) {
                problem(at, "expected {weight, intervals}, e.g. {weight: 25, intervals: 18}; got " + s);
                continue;
            }
            known(s, at + ".", "weight", "intervals");
            var missing = java.util.stream.Stream.of("weight", "intervals")
                    .filter(k -> s.get(k) == null || s.get(k).isNull())
                    .toList();
            if (!missing.isEmpty()) {
                problem(
                        at,
                        "needs " + String.join(" and ", missing)
                                + ": a step is {weight, intervals}, e.g. {weight: 25, intervals: 18}");
            }
            Long weight = weight(s, at + ".");
            Long intervals = whole(
                    s,
                    at + ".",
                    "intervals",
                    CanaryAnalysis.MIN_INTERVALS_WITH_DATA,
                    LARGEST,
                    "a step needs at least " + CanaryAnalysis.MIN_INTERVALS_WITH_DATA
                            + " intervals with data before it can end");
            if (weight != null) {
                // the rule the recorded canaries of analyze run follow too, in the same words
                var refused = CanaryStep.weightRefusal(
                        weight, before == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(before));
                refused.ifPresent(why -> problem(at + ".weight", why));
                if (refused.isEmpty()) {
                    before = weight;
                    if (intervals != null) {
                        steps.add(new CanaryStep(weight.intValue(), intervals.intValue()));
                    }
                }
            }
        }
        if (problems.size() > problemsBefore) {
            return base.steps();
        }
        String refused = refusal(() -> base.withSteps(steps)); // steps the analysis cannot run
        if (refused != null) {
            problem(where, refused);
            return base.steps();
        }
        return steps;
    }

    /**
     * A step's weight when it is a whole number, however large or small (the step rule says what is wrong with 0 or
     * 250); null when absent, and reported when not a whole number.
     */
    private Long weight(JsonNode step, String path) {
        JsonNode v = step.get("weight");
        if (v != null && v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v != null && v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 1e15) {
            return (long) v.asDouble();
        }
        if (v == null || v.isNull()) {
            return null;
        }
        problem(path + "weight", CanaryStep.notAWeight(v.toString()));
        return null;
    }

    /** The section {@code name} of {@code node}, empty when absent; null, reported, when it is not a mapping. */
    private JsonNode section(JsonNode node, String name) {
        return section(node, "", name);
    }

    private JsonNode section(JsonNode node, String path, String name) {
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) {
            return YAML.createObjectNode();
        }
        if (!n.isObject()) {
            problem(path + name, "expected a mapping of keys, got " + n);
            return null;
        }
        return n;
    }

    /** A number, finite; absent or null keeps {@code fallback}, and so does a value of another kind, reported. */
    private double num(JsonNode node, String path, String field, double fallback) {
        Double v = num(node, path, field);
        return v == null ? fallback : v;
    }

    /** A number, finite; null when absent or null, and when of another kind (reported). */
    private Double num(JsonNode node, String path, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            problem(path + field, "expected a number, got " + v);
            return null;
        }
        return v.asDouble();
    }

    /** Seconds, counts and intervals: a whole number in the key's range; absent or null keeps the fallback. */
    private long whole(JsonNode node, String path, String field, long fallback) {
        Long v = whole(node, path, field);
        return v == null ? fallback : v;
    }

    /**
     * A whole number in the key's range: from its {@link #LEAST} (else 0) to its {@link #MOST} (else
     * {@link #LARGEST}); null when absent or null, and when not one (reported).
     */
    private Long whole(JsonNode node, String path, String field) {
        String key = path + field;
        return whole(node, path, field, LEAST.getOrDefault(key, 0L), MOST.getOrDefault(key, LARGEST), "");
    }

    /**
     * A whole number from {@code least} to {@code most}; null when absent or null, and when not one, reported with
     * the same words whatever the value (a fraction, text, too small or too large), and {@code why} the range is so
     * when it is not plain.
     */
    private Long whole(JsonNode node, String path, String field, long least, long most, String why) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        double x = v.isNumber() ? v.asDouble() : Double.NaN;
        if (!v.isNumber() || x != Math.rint(x) || x < least || x > most) {
            problem(
                    path + field,
                    "expected a whole number from " + least + " to " + most + ", got " + v
                            + (why.isEmpty() ? "" : ": " + why));
            return null;
        }
        return (long) x;
    }

    /** Reports every key of {@code node} not in {@code keys} (a renamed top-level key is reported on its own). */
    private void known(JsonNode node, String at, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (allowed.contains(k) || (at.isEmpty() && renamed(k))) {
                continue;
            }
            String guess = io.harbormaster.engine.policy.Names.closest(k, allowed)
                    .map(c -> " (did you mean '" + c + "'?)")
                    .orElse("");
            problem(at + k, "unknown key '" + k + "'" + guess + "; known keys: " + String.join(", ", keys));
        }
    }

    private static boolean renamed(String key) {
        for (String[] r : RENAMED) {
            if (r[0].equals(key)) {
                return true;
            }
        }
        return false;
    }

    private void problem(String key, String message) {
        problems.add(new Problem(key, message));
    }
}
