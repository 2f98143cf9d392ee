package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The always-escalate rules. Each is one small named function; adding a rule is adding a function here and listing it
 * in {@link #all}. A rule never looks at the score: these changes go to a human however low the model rates them.
 */
public final class EscalationRules {
    private EscalationRules() {}

    /** Every rule, in the order their reasons are shown. */
    public static List<EscalationRule> all(EscalationRulesConfig config) {
        return List.of(
                unknownChange(),
                ciNotGreen(),
                schemaMigration(config.schemaMigrations()),
                newServiceIntegration(),
                deployConfigurationTouched(config.deployConfiguration()),
                versionRolledBack());
    }

    /** A version that no build announced: nothing is known about what it contains. */
    public static EscalationRule unknownChange() {
        return EscalationRule.of(
                "unknown-change",
                in -> in.announced()
                        ? RuleOutcome.pass("unknown-change")
                        : new RuleOutcome.Escalate(
                                "unknown-change",
                                "no build announced version " + in.version() + " of " + in.service()
                                        + ", so what it changes is unknown"));
    }

    /** The build's CI is not green (failed, still running, or unknown). */
    public static EscalationRule ciNotGreen() {
        return EscalationRule.of(
                "ci-not-green",
                in -> in.context().ciStatus() == CiStatus.GREEN
                        ? RuleOutcome.pass("ci-not-green")
                        : new RuleOutcome.Escalate(
                                "ci-not-green",
                                "CI status is " + in.context().ciStatus().name().toLowerCase(Locale.ROOT)
                                        + ", not green"));
    }

    /** The change touches a database schema migration. */
    public static EscalationRule schemaMigration(PathPatterns patterns) {
        return EscalationRule.of("schema-migration", in -> {
            var hits = matching(in.filesTouched(), patterns);
            return hits.isEmpty()
                    ? RuleOutcome.pass("schema-migration")
                    : new RuleOutcome.Escalate("schema-migration", "a database schema migration is touched: " + hits);
        });
    }

    /** The new version talks to a service that the catalog does not list as a dependency. */
    public static EscalationRule newServiceIntegration() {
        return EscalationRule.of("new-service-integration", in -> {
            var fresh = new TreeSet<>(in.dependencies());
            fresh.removeAll(in.catalogDependencies());
            return fresh.isEmpty()
                    ? RuleOutcome.pass("new-service-integration")
                    : new RuleOutcome.Escalate(
                            "new-service-integration",
                            "new integration with " + String.join(", ", fresh)
                                    + " (not among the catalog's dependencies of " + in.service() + ")");
        });
    }

    /** The change touches deploy or infrastructure configuration. */
    public static EscalationRule deployConfigurationTouched(PathPatterns patterns) {
        return EscalationRule.of("deploy-configuration", in -> {
            var hits = matching(in.filesTouched(), patterns);
            return hits.isEmpty()
                    ? RuleOutcome.pass("deploy-configuration")
                    : new RuleOutcome.Escalate(
                            "deploy-configuration", "deploy or infrastructure configuration is touched: " + hits);
        });
    }

    /**
     * CI asks to deploy again a version that was rolled back on what it did: what tripped it then will most likely
     * trip it again, and only a person can know that what caused it is gone. A person who asks for it has decided
     * that; the deploy is scored as usual, and its thread says so.
     */
    public static EscalationRule versionRolledBack() {
        return EscalationRule.of("version-rolled-back", in -> {
            var earlier = in.context().versionRolledBack();
            if (earlier.isEmpty()) {
                return RuleOutcome.pass("version-rolled-back");
            }
            return in.context().automatic()
                    ? new RuleOutcome.Escalate(
                            "version-rolled-back",
                            earlier.get() + "; CI asks to deploy it again, so a person decides whether its cause is"
                                    + " gone")
                    : new RuleOutcome.Note(
                            "version-rolled-back",
                            earlier.get() + "; deployed again at a person's request, so it is scored as usual");
        });
    }

    // Lists at most a few files so that the reason stays readable in a Slack message.
    private static String matching(List<String> files, PathPatterns patterns) {
        var hits = new ArrayList<String>();
        for (var f : files) {
            if (patterns.firstMatch(f).isPresent()) {
                hits.add(f);
            }
        }
        if (hits.isEmpty()) {
            return "";
        }
        var shown = hits.subList(0, Math.min(3, hits.size()));
        return String.join(", ", shown) + (hits.size() > 3 ? " and " + (hits.size() - 3) + " more" : "");
    }
}
