package io.harbormaster.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.engine.policy.Dependency;
import io.harbormaster.engine.policy.ServiceSpec;
import io.harbormaster.engine.risk.JitMetric;
import io.harbormaster.engine.risk.ParsedInput;
import io.harbormaster.engine.risk.RiskInput;
import io.harbormaster.engine.risk.RiskInputParser;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Builds the risk scorer's input for a deploy from what the engine knows: the announced build's change metadata
 * (only the fields the scorer reads), the catalog entry, and the service's recent history. {@link #forAnnouncement}
 * builds it the same way from a CI announcement and a context given by hand ({@code risk score}).
 */
public final class RiskInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RiskInputs() {}

    static ParsedInput build(
            Deploy deploy,
            Optional<AnnouncedBuild> build,
            ServiceSpec spec,
            int dependents,
            int recentRollbacks,
            int recentIncidents,
            boolean automatic,
            Optional<String> versionRolledBack,
            Instant now,
            ZoneId zone) {
        ObjectNode root = JSON.createObjectNode();
        root.put("service", deploy.service());
        root.put("version", deploy.version());
        root.put("announced", build.isPresent());
        build.ifPresent(b -> root.set("change", changeFields(b.changeJson())));
        var ctx = root.putObject("context");
        ctx.put("criticality", spec.criticality().name().toLowerCase());
        ctx.put("recent_rollbacks", recentRollbacks);
        ctx.put("recent_incidents", recentIncidents);
        ctx.put("dependents", dependents);
        ctx.put("local_time", now.atZone(zone).toLocalDateTime().withNano(0).toString());
        ctx.put("ci_status", build.map(b -> ciStatus(b.ciStatus())).orElse("unknown"));
        var catalog = ctx.putArray("catalog_dependencies");
        spec.dependencies().stream().map(Dependency::service).forEach(catalog::add);
        ctx.put("automatic", automatic);
        versionRolledBack.ifPresent(words -> ctx.put("version_rolled_back", words));
        return RiskInputParser.parse(root);
    }

    /** The keys of a context given by hand. */
    private static final java.util.List<String> CONTEXT_KEYS = java.util.List.of(
            "criticality", "recent_rollbacks", "recent_incidents", "dependents", "catalog_dependencies", "local_time");

    /**
     * The risk input of a build CI announced, as the pipeline scores it (the same change fields, the announcement's CI
     * status in the scorer's terms), in a deploy context given as {@link RiskInputParser}'s {@code context} object:
     * criticality, recent_rollbacks, recent_incidents, dependents, catalog_dependencies, local_time; what it leaves out
     * takes the parser's conservative defaults. The CI status is the announcement's {@code ci_status}, never the
     * context's, so that there is one vocabulary for it.
     *
     * @param context the context object, or null / a missing node for none
     */
    public static ParsedInput forAnnouncement(AnnouncedBuild build, JsonNode context) {
        return announced(
                build.service(),
                build.version(),
                changeFields(build.changeJson()),
                ciStatus(build.ciStatus()),
                context);
    }

    /**
     * What scoring would refuse in an announcement the intake refused ({@code risk score} reports both at once, so
     * that a file is fixed in one round): its change metrics and its context, as {@link #forAnnouncement} reads them.
     * Service and version are the intake's to report, and are not repeated here.
     */
    public static java.util.List<String> problemsBesideIntake(JsonNode announcement) {
        if (announcement == null || !announcement.isObject()) {
            return java.util.List.of();
        }
        var change = announcement.path("change");
        var status = announcement.path("ci_status");
        var parsed = announced(
                "-",
                "-",
                changeFields(change.isObject() ? change.toString() : "{}"),
                ciStatus(status.isTextual() ? status.asText() : "unknown"),
                announcement.get("context"));
        return parsed instanceof ParsedInput.Invalid i ? i.problems() : java.util.List.of();
    }

    /**
     * Every problem at once: an unknown context key (a typo, which would otherwise be scored as its field's
     * conservative default) does not hide a bad value of another key, or of the change.
     */
    private static ParsedInput announced(
            String service, String version, JsonNode change, String ciStatus, JsonNode context) {
        ObjectNode root = JSON.createObjectNode();
        root.put("service", service);
        root.put("version", version);
        root.put("announced", true);
        root.set("change", change);
        var ctx = root.putObject("context");
        var problems = new java.util.ArrayList<String>();
        if (context != null && !context.isMissingNode() && !context.isNull()) {
            if (!context.isObject()) {
                problems.add("context must be an object (criticality, recent_rollbacks, recent_incidents,"
                        + " dependents, catalog_dependencies, local_time)");
            } else {
                context.fieldNames().forEachRemaining(name -> {
                    if (name.equals("ci_status")) {
                        problems.add("context.ci_status: the CI status is the announcement's own ci_status (success,"
                                + " failed, running or unknown), not a context field");
                    } else if (!CONTEXT_KEYS.contains(name)) {
                        problems.add("context." + name + ": unknown key '" + name + "'"
                                + io.harbormaster.engine.json.JsonErrors.suggestion(name, CONTEXT_KEYS)
                                + "; known keys: " + String.join(", ", CONTEXT_KEYS));
                    } else {
                        ctx.set(name, context.get(name));
                    }
                });
            }
        }
        ctx.put("ci_status", ciStatus);
        var parsed = RiskInputParser.parse(root);
        if (problems.isEmpty()) {
            return parsed;
        }
        if (parsed instanceof ParsedInput.Invalid i) {
            problems.addAll(i.problems());
        }
        return new ParsedInput.Invalid(problems);
    }

    /** The change metrics, files and dependencies; other fields CI sends (messages, titles) are not scored. */
    private static JsonNode changeFields(String changeJson) {
        var out = JSON.createObjectNode();
        try {
            var change = JSON.readTree(changeJson);
            change.fieldNames().forEachRemaining(name -> {
                if (name.equals("files")
                        || name.equals("dependencies")
                        || JitMetric.named(name).isPresent()) {
                    out.set(name, change.get(name));
                }
            });
        } catch (java.io.IOException e) {
            // stored change JSON was validated at intake; an unreadable one scores as an empty change
        }
        if (!out.has("files")) {
            out.putArray("files");
        }
        return out;
    }

    private static String ciStatus(String status) {
        return switch (status.toLowerCase()) {
            case "success", "green", "passed" -> "green";
            case "failed", "failure", "red" -> "failed";
            case "running", "pending" -> "running";
            default -> "unknown";
        };
    }

    static Optional<RiskInput> valid(ParsedInput parsed) {
        return parsed instanceof ParsedInput.Valid v ? Optional.of(v.input()) : Optional.empty();
    }
}
