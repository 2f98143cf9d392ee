package io.harbormaster.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.canary.CanaryPolicy;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreflightTest {
    static final Instant MONDAY_NOON = Instant.parse("2026-11-23T12:00:00Z");

    static ServiceSpec checkout(List<DeployWindow> windows) {
        return new ServiceSpec(
                "checkout",
                "shop",
                "checkout",
                "app",
                Criticality.HIGH,
                List.of(
                        new Dependency("payments", Optional.of("2.3.0")),
                        new Dependency("inventory", Optional.empty())),
                "approvers",
                1,
                windows,
                CanaryPolicy.defaults(),
                CanaryPolicy.defaults().cautious(),
                Map.of(),
                "#deploys",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    static PreflightFacts clear(ServiceSpec s) {
        return new PreflightFacts(
                s,
                "1.4.0",
                false,
                MONDAY_NOON,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                List.of(),
                Map.of("payments", "2.10.1"),
                Map.of());
    }

    static List<String> blocked(List<CheckResult> results) {
        return results.stream()
                .filter(r -> r instanceof CheckResult.Block)
                .map(CheckResult::check)
                .toList();
    }

    @Test
    void aClearDeployPassesEveryCheckAndSaysWhy() {
        var results = Preflight.run(clear(checkout(List.of())), false);
        assertThat(results).hasSize(Preflight.CHECKS.size()).allMatch(r -> r instanceof CheckResult.Pass);
        assertThat(results)
                .extracting(CheckResult::check)
                .containsExactly(
                        "dependencies healthy",
                        "no conflicting deploy",
                        "deploy window",
                        "no freeze",
                        "no lock",
                        "no automatic-deploy block",
                        "dependency versions");
    }

    @Test
    void aPassedConflictCheckNamesTheServicesItLookedAtNotEverything() {
        // other services' deploys may be running: the pass says whose deploys it found none of
        var withDependencies = (CheckResult.Pass) Preflight.noConflictingDeploy(clear(checkout(List.of())));
        assertThat(withDependencies.note())
                .isEqualTo(
                        "no other deploy of checkout, or of its dependencies payments and inventory, is rolling out");
        var alone = checkout(List.of());
        alone = new ServiceSpec(
                alone.name(),
                alone.namespace(),
                alone.deployment(),
                alone.container(),
                alone.criticality(),
                List.of(),
                alone.approverGroup(),
                alone.requiredApprovals(),
                alone.windows(),
                alone.canary(),
                alone.escalatedCanary(),
                alone.metricTemplates(),
                alone.channel(),
                alone.deployerGroup(),
                alone.oncallChannel(),
                alone.gatewayRoute());
        var single = (CheckResult.Pass) Preflight.noConflictingDeploy(clear(alone));
        assertThat(single.note()).isEqualTo("no other deploy of checkout is rolling out");
    }

    @Test
    void everyBlockingReasonIsReportedAtOnceWithItsUnblockHint() {
        var f = new PreflightFacts(
                checkout(List.of()),
                "1.4.0",
                true,
                MONDAY_NOON,
                Optional.of(new ServiceLock("checkout", "db migration running", "U1", MONDAY_NOON.minusSeconds(60))),
                List.of("Black Friday"),
                Optional.of(new AutoDeployBlock(
                                "checkout",
                                MONDAY_NOON.plusSeconds(1800),
                                "rollback of 1.3.9: rollback requested by U2",
                                OptionalLong.of(3))
                        .naming(List.of("U2"))),
                List.of("payments 2.11.0"),
                Map.of("payments", "2.2.9"),
                Map.of("inventory", "0 of 3 pods ready"));
        var results = Preflight.run(f, false);
        assertThat(blocked(results))
                .containsExactly(
                        "dependencies healthy",
                        "no conflicting deploy",
                        "no freeze",
                        "no lock",
                        "no automatic-deploy block",
                        "dependency versions");
        var versions = (CheckResult.Block) results.get(6);
        assertThat(versions.reason()).isEqualTo("payments runs 2.2.9 but checkout needs at least 2.3.0");
        var lock = (CheckResult.Block) results.get(4);
        assertThat(lock.unblock()).isEqualTo("/deploy unlock checkout once the reason is resolved");
        // times as people read them, to the minute
        assertThat(lock.reason()).isEqualTo("locked by U1 since 2026-11-23 11:59 UTC: db migration running");
        var autoBlock = (CheckResult.Block) results.get(5);
        assertThat(autoBlock.reason())
                .isEqualTo("automatic deploys are blocked until 2026-11-23 12:30 UTC: rollback of 1.3.9: rollback"
                        + " requested by U2");
        // who each reason names, for those who show it to name them as people (the reasons stay plain)
        assertThat(lock.people()).containsExactly("U1");
        assertThat(autoBlock.people()).containsExactly("U2");
        assertThat(((CheckResult.Block) results.get(1)).people()).isEmpty();
        assertThat(Preflight.passed(results)).isFalse();
    }

    @Test
    void aDeployOutsideItsWindowIsBlockedUnlessItIsAnEmergency() {
        var weekdays =
                new DeployWindow(Set.of(DayOfWeek.SATURDAY), LocalTime.of(9, 0), LocalTime.of(17, 0), ZoneId.of("UTC"));
        var f = clear(checkout(List.of(weekdays)));
        assertThat(blocked(Preflight.run(f, false))).containsExactly("deploy window");
        var emergency = Preflight.run(f, true);
        assertThat(Preflight.passed(emergency)).isTrue();
        assertThat(((CheckResult.Pass) emergency.get(2)).note()).startsWith("overridden by --emergency");
    }

    @Test
    void anEmergencyDoesNotOverrideALockOrAConflict() {
        var f = new PreflightFacts(
                checkout(List.of()),
                "1.4.0",
                false,
                MONDAY_NOON,
                Optional.of(new ServiceLock("checkout", "x", "U1", MONDAY_NOON)),
                List.of(),
                Optional.empty(),
                List.of("checkout 1.3.9"),
                Map.of(),
                Map.of());
        assertThat(blocked(Preflight.run(f, true))).containsExactly("no conflicting deploy", "no lock");
    }

    @Test
    void aBlockOnAutomaticDeploysSaysAMinuteItHasEndedBy() {
        // a block runs an hour from a rollback, to the second: "until 12:30" would send CI back at 12:30:05 to be
        // blocked again until 12:30:45, under the same message
        var block = Optional.of(new AutoDeployBlock(
                "checkout", MONDAY_NOON.plusSeconds(1845).plusNanos(123_000), "rollback", OptionalLong.empty()));
        var byCi = new PreflightFacts(
                checkout(List.of()),
                "1",
                true,
                MONDAY_NOON,
                Optional.empty(),
                List.of(),
                block,
                List.of(),
                Map.of(),
                Map.of());
        var blocked = Preflight.run(byCi, false).stream()
                .filter(r -> r instanceof CheckResult.Block)
                .map(r -> ((CheckResult.Block) r).reason())
                .toList();
        assertThat(blocked).containsExactly("automatic deploys are blocked until 2026-11-23 12:31 UTC: rollback");
    }

    @Test
    void aBlockOnAutomaticDeploysDoesNotStopAPerson() {
        var block = Optional.of(
                new AutoDeployBlock("checkout", MONDAY_NOON.plusSeconds(60), "rollback", OptionalLong.empty()));
        var byPerson = new PreflightFacts(
                checkout(List.of()),
                "1",
                false,
                MONDAY_NOON,
                Optional.empty(),
                List.of(),
                block,
                List.of(),
                Map.of(),
                Map.of());
        assertThat(Preflight.passed(Preflight.run(byPerson, false))).isTrue();
    }

    @Test
    void versionsCompareAsPeopleReadThem() {
        assertThat(Versions.atLeast("2.10.0", "2.9.1")).isTrue();
        assertThat(Versions.atLeast("v2.3.0", "2.3.0")).isTrue();
        assertThat(Versions.atLeast("2.3.0-rc1", "2.3.0")).isFalse();
        assertThat(Versions.atLeast("2.3", "2.3.0")).isTrue();
        assertThat(Versions.atLeast("1.9.9", "2.0.0")).isFalse();
    }

    static PreflightFacts withIncidentOfInventory(Map<String, String> unhealthy) {
        var c = clear(checkout(List.of()));
        return new PreflightFacts(
                c.service(),
                c.version(),
                false,
                MONDAY_NOON,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                List.of(),
                c.dependencyVersions(),
                unhealthy,
                List.of(new DependencyIncident(
                        "inventory",
                        2,
                        MONDAY_NOON.minusSeconds(600),
                        MONDAY_NOON.plusSeconds(3000),
                        "rollback requested by U0ENGINEER",
                        "inventory-approvers",
                        List.of("U0ENGINEER"))));
    }

    @Test
    void aDependencysOpenIncidentBlocksSayingSinceWhenUntilWhenAtMostAndHowToClearIt() {
        var block = (CheckResult.Block)
                Preflight.run(withIncidentOfInventory(Map.of()), false).getFirst();
        assertThat(block.check()).isEqualTo("dependencies healthy");
        assertThat(block.people()).containsExactly("U0ENGINEER");
        assertThat(block.reason())
                .isEqualTo("inventory: incident #2 is open since 2026-11-23 11:50 UTC (rollback requested by"
                        + " U0ENGINEER); it holds back deploys that depend on inventory until it is resolved, at most"
                        + " until 2026-11-23 12:50 UTC");
        assertThat(block.unblock())
                .contains(
                        "`/deploy resolve 2` (a member of inventory-approvers, inventory's approvers)",
                        "promote a deploy of it (that resolves it too)",
                        "deploy again after 2026-11-23 12:50 UTC",
                        "--emergency, which goes ahead despite an open incident");
    }

    @Test
    void anEmergencyDeployGoesAheadDespiteAnOpenIncidentButNotDespiteADependencyWithoutAStableDeployment() {
        var results = Preflight.run(withIncidentOfInventory(Map.of()), true);
        assertThat(Preflight.passed(results)).isTrue();
        assertThat(((CheckResult.Pass) results.getFirst()).note())
                .startsWith("overridden by --emergency: inventory: incident #2 is open since 2026-11-23 11:50 UTC");

        var broken = Preflight.run(withIncidentOfInventory(Map.of("payments", "it has no stable Deployment")), true);
        var block = (CheckResult.Block) broken.getFirst();
        assertThat(block.reason())
                .startsWith("payments: it has no stable Deployment")
                .contains("--emergency goes ahead despite the open incidents: inventory: incident #2");
        assertThat(block.unblock()).isEqualTo("wait until the dependencies are healthy, then deploy again");
    }
}
