package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EscalationRulesTest {
    static final EscalationRulesConfig CONFIG = EscalationRulesConfig.defaults();

    static RiskInput input(List<String> files, Set<String> deps, Set<String> catalog, CiStatus ci, boolean announced) {
        var c = DeployContext.neutral();
        var context = new DeployContext(c.criticality(), 0, 0, 0, c.dayOfWeek(), c.hour(), ci);
        return new RiskInput(
                "payments", "2.0.0", announced, ChangeMetrics.none(), files, deps, catalog, context, List.of());
    }

    static RiskInput plain() {
        return input(List.of("src/main/java/Pay.java"), Set.of("ledger"), Set.of("ledger"), CiStatus.GREEN, true);
    }

    @Test
    void anOrdinaryChangePassesEveryRule() {
        for (var rule : EscalationRules.all(CONFIG)) {
            assertInstanceOf(RuleOutcome.Pass.class, rule.check(plain()), rule.name());
        }
    }

    @Test
    void aFlywayMigrationEscalates() {
        var in = input(
                List.of("svc/src/main/resources/db/migration/V7__add.sql"), Set.of(), Set.of(), CiStatus.GREEN, true);
        var out = assertInstanceOf(
                RuleOutcome.Escalate.class,
                EscalationRules.schemaMigration(CONFIG.schemaMigrations()).check(in));
        assertEquals("schema-migration", out.rule());
        assertTrue(out.reason().contains("V7__add.sql"), out.reason());
    }

    @Test
    void aSqlFileAnywhereCountsAsAMigration() {
        var in = input(List.of("scripts/fix.sql"), Set.of(), Set.of(), CiStatus.GREEN, true);
        assertInstanceOf(
                RuleOutcome.Escalate.class,
                EscalationRules.schemaMigration(CONFIG.schemaMigrations()).check(in));
    }

    @Test
    void aDependencyTheCatalogDoesNotListIsANewIntegration() {
        var in = input(List.of(), Set.of("ledger", "fraud-check"), Set.of("ledger"), CiStatus.GREEN, true);
        var out = assertInstanceOf(
                RuleOutcome.Escalate.class,
                EscalationRules.newServiceIntegration().check(in));
        assertEquals(
                "new integration with fraud-check (not among the catalog's dependencies of payments)", out.reason());
    }

    @Test
    void touchingAHelmChartOrDockerfileEscalates() {
        for (var file : List.of("deploy/helm/values.yaml", "Dockerfile", "infra/main.tf", ".github/workflows/ci.yml")) {
            var in = input(List.of(file), Set.of(), Set.of(), CiStatus.GREEN, true);
            assertInstanceOf(
                    RuleOutcome.Escalate.class,
                    EscalationRules.deployConfigurationTouched(CONFIG.deployConfiguration())
                            .check(in),
                    file);
        }
    }

    @Test
    void ciThatIsNotGreenEscalatesAndSaysItsStatus() {
        var in = input(List.of(), Set.of(), Set.of(), CiStatus.FAILED, true);
        var out = assertInstanceOf(
                RuleOutcome.Escalate.class, EscalationRules.ciNotGreen().check(in));
        assertEquals("CI status is failed, not green", out.reason());
    }

    @Test
    void aVersionNoBuildAnnouncedEscalates() {
        var in = input(List.of(), Set.of(), Set.of(), CiStatus.GREEN, false);
        var out = assertInstanceOf(
                RuleOutcome.Escalate.class, EscalationRules.unknownChange().check(in));
        assertEquals("no build announced version 2.0.0 of payments, so what it changes is unknown", out.reason());
    }

    @Test
    void globsSpanDirectoriesOnlyWithDoubleStars() {
        var p = new PathPatterns(List.of("**/db/migration/**", "*.sql", "conf/*.yml"));
        assertEquals("**/db/migration/**", p.firstMatch("db/migration/V1.java").orElseThrow());
        assertEquals("*.sql", p.firstMatch("a/b/c.sql").orElseThrow());
        assertEquals("conf/*.yml", p.firstMatch("./conf/app.yml").orElseThrow());
        assertTrue(p.firstMatch("conf/sub/app.yml").isEmpty());
        assertTrue(p.firstMatch("src/dbmigration/x.java").isEmpty());
    }

    /** {@link #plain()} in a context of {@code automatic} (CI's) or a person's deploy, of a version rolled back or not. */
    static RiskInput deployedAgain(boolean automatic, java.util.Optional<String> rolledBack) {
        var c = DeployContext.neutral();
        var context = new DeployContext(
                c.criticality(), 0, 0, 0, c.dayOfWeek(), c.hour(), CiStatus.GREEN, automatic, rolledBack);
        var p = plain();
        return new RiskInput(
                p.service(),
                p.version(),
                true,
                p.metrics(),
                p.filesTouched(),
                p.dependencies(),
                p.catalogDependencies(),
                context,
                List.of());
    }

    static final String EARLIER = "payments 2.0.0 was rolled back at 2026-11-24 10:05 UTC (deploy #3, incident #1:"
            + " error_rate: error rate 11.7%)";

    @Test
    void ciDeployingAgainAVersionThatWasRolledBackEscalatesNamingTheRollback() {
        var out = assertInstanceOf(
                RuleOutcome.Escalate.class,
                EscalationRules.versionRolledBack().check(deployedAgain(true, java.util.Optional.of(EARLIER))));
        assertEquals("version-rolled-back", out.rule());
        assertTrue(out.reason().startsWith(EARLIER + "; CI asks to deploy it again"), out.reason());
    }

    @Test
    void aPersonDeployingAgainAVersionThatWasRolledBackIsScoredAsUsualWithANote() {
        var out = assertInstanceOf(
                RuleOutcome.Note.class,
                EscalationRules.versionRolledBack().check(deployedAgain(false, java.util.Optional.of(EARLIER))));
        assertTrue(out.text().startsWith(EARLIER + "; deployed again at a person's request"), out.text());
        var scorer = RiskScorer.withDefaultRules(RiskModelJson.defaultModel());
        var assessed = scorer.assess(deployedAgain(false, java.util.Optional.of(EARLIER)));
        assertTrue(
                assessed.reasoning().stream().anyMatch(l -> l.startsWith("note: " + EARLIER)),
                assessed.reasoning()::toString);
        assertTrue(
                assessed.decision() instanceof RiskDecision.Escalate e
                        ? e.reasons().stream().noneMatch(r -> r.contains("version-rolled-back"))
                        : true);
    }

    @Test
    void ciDeployingAVersionNeverRolledBackPasses() {
        assertInstanceOf(
                RuleOutcome.Pass.class,
                EscalationRules.versionRolledBack().check(deployedAgain(true, java.util.Optional.empty())));
    }

    @Test
    void thePipelinesContextFactsAreReadFromTheInputAndRefusedWhenMistyped() {
        var parsed = RiskInputParser.parse("""
                {"service":"payments","version":"2.0.0","change":{"files":[]},
                 "context":{"automatic":true,"version_rolled_back":"payments 2.0.0 was rolled back"}}""");
        var context = assertInstanceOf(ParsedInput.Valid.class, parsed).input().context();
        assertTrue(context.automatic());
        assertEquals(java.util.Optional.of("payments 2.0.0 was rolled back"), context.versionRolledBack());

        var none = assertInstanceOf(
                        ParsedInput.Valid.class,
                        RiskInputParser.parse("{\"service\":\"p\",\"version\":\"1\",\"change\":{\"files\":[]}}"))
                .input()
                .context();
        assertEquals(false, none.automatic());
        assertEquals(java.util.Optional.empty(), none.versionRolledBack());

        var wrong = assertInstanceOf(ParsedInput.Invalid.class, RiskInputParser.parse("""
                {"service":"p","version":"1","change":{"files":[]},
                 "context":{"automatic":"yes","version_rolled_back":3}}"""));
        assertTrue(
                wrong.problems().stream().anyMatch(p -> p.startsWith("context.automatic is \"yes\"")),
                wrong.problems()::toString);
        assertTrue(
                wrong.problems().stream().anyMatch(p -> p.startsWith("context.version_rolled_back is 3")),
                wrong.problems()::toString);
    }
}
