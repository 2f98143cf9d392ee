package io.harbormaster.engine.policy;

import io.harbormaster.engine.text.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The preflight checks of SPEC.md, each a small named function; adding a check is adding one function to
 * {@link #CHECKS}. Every check runs (so a blocked deploy lists every reason at once).
 */
public final class Preflight {
    private Preflight() {}

    static final String DEPENDENCIES = "dependencies healthy";

    /**
     * Dependencies the service needs must be healthy now: each has a stable Deployment, none is being rolled back, and
     * none has an open incident that still holds its dependents back. A block says, for each incident, since when and
     * until when at most it holds them back, and how to clear it.
     */
    public static CheckResult dependenciesHealthy(PreflightFacts f) {
        if (f.unhealthyDependencies().isEmpty() && f.dependencyIncidents().isEmpty()) {
            return CheckResult.pass(
                    DEPENDENCIES, f.service().dependencies().isEmpty() ? "no dependencies" : "all healthy");
        }
        var reasons = new ArrayList<String>();
        f.unhealthyDependencies().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .sorted()
                .forEach(reasons::add);
        f.dependencyIncidents().stream().map(Preflight::incidentWords).forEach(reasons::add);
        var unblock = new ArrayList<String>();
        if (!f.unhealthyDependencies().isEmpty()) {
            unblock.add("wait until the dependencies are healthy, then deploy again");
        }
        if (!f.dependencyIncidents().isEmpty()) {
            unblock.add(clearing(f.dependencyIncidents()));
        }
        var people = f.dependencyIncidents().stream()
                .flatMap(i -> i.people().stream())
                .distinct()
                .toList();
        return CheckResult.block(DEPENDENCIES, String.join("; ", reasons), String.join("; ", unblock), people);
    }

    /** One open incident of a dependency: which, since when, why, and until when at most it holds deploys back. */
    static String incidentWords(DependencyIncident i) {
        return i.service() + ": incident #" + i.incidentId() + " is open since " + Times.words(i.openedAt()) + " ("
                + i.summary() + "); it holds back deploys that depend on " + i.service() + " until it is resolved, at"
                + " most until " + Times.end(i.holdsUntil());
    }

    /** How the open incidents of dependencies are cleared, in the order a person would try. */
    private static String clearing(List<DependencyIncident> incidents) {
        var resolve = incidents.stream()
                .map(i -> "`/deploy resolve " + i.incidentId() + "` (a member of " + i.resolvers() + ", " + i.service()
                        + "'s approvers)")
                .collect(Collectors.joining(", "));
        var until = incidents.stream()
                .map(DependencyIncident::holdsUntil)
                .max(java.util.Comparator.naturalOrder())
                .orElseThrow();
        return "once the dependency is healthy, resolve the incident with " + resolve + ", or promote a deploy of it"
                + " (that resolves it too), then deploy again; or deploy again after " + Times.end(until)
                + "; an urgent fix may use --emergency, which goes ahead despite an open incident (it will need a"
                + " review)";
    }

    /**
     * No other deploy of this service, or of one it depends on, may be rolling out (in its canary, being promoted or
     * rolled back, or a revert under way). The pass names the services it looked at, and no more: other services'
     * deploys may well be running, and deploys of this one that have not reached the cluster yet (awaiting approval,
     * say) do not count.
     */
    public static CheckResult noConflictingDeploy(PreflightFacts f) {
        var name = "no conflicting deploy";
        if (f.conflicting().isEmpty()) {
            var deps =
                    f.service().dependencies().stream().map(Dependency::service).toList();
            return CheckResult.pass(
                    name,
                    "no other deploy of " + f.service().name()
                            + (deps.isEmpty()
                                    ? ""
                                    : ", or of its " + (deps.size() == 1 ? "dependency " : "dependencies ")
                                            + inWords(deps) + ",")
                            + " is rolling out");
        }
        return CheckResult.block(
                name,
                "in flight: " + String.join(", ", f.conflicting()),
                "wait for those deploys to finish (/deploy status)");
    }

    /** {@code a}, {@code a and b}, {@code a, b and c}. */
    private static String inWords(List<String> items) {
        return items.size() == 1
                ? items.getFirst()
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
    }

    /** The service may only be deployed inside its deploy windows. */
    public static CheckResult insideDeployWindow(PreflightFacts f) {
        var name = "deploy window";
        if (f.service().inWindow(f.now())) {
            return CheckResult.pass(name, f.service().windows().isEmpty() ? "no window configured" : "inside a window");
        }
        var windows = f.service().windows().stream()
                .map(w -> w.days().stream()
                                .sorted()
                                .map(d -> d.name().substring(0, 3).toLowerCase())
                                .collect(Collectors.joining(","))
                        + " " + w.from() + "-" + w.to() + " " + w.zone())
                .collect(Collectors.joining("; "));
        return CheckResult.block(
                name,
                "outside the deploy windows (" + windows + ")",
                "deploy again inside a window, or" + " use --emergency for an urgent fix (it will need a review)");
    }

    /** No freeze may cover the service now. */
    public static CheckResult outsideFreezes(PreflightFacts f) {
        var name = "no freeze";
        if (f.freezes().isEmpty()) {
            return CheckResult.pass(name, "no freeze in force");
        }
        return CheckResult.block(
                name,
                "frozen: " + String.join("; ", f.freezes()),
                "wait for the freeze to end, or use --emergency for an urgent fix (it will need a review)");
    }

    /** The service must not be locked. */
    public static CheckResult notLocked(PreflightFacts f) {
        var name = "no lock";
        return f.lock()
                .<CheckResult>map(l -> CheckResult.block(
                        name,
                        "locked by " + l.lockedBy() + " since " + Times.words(l.lockedAt()) + ": " + l.shownReason(),
                        "/deploy unlock " + l.service() + " once the reason is resolved",
                        List.of(l.lockedBy())))
                .orElseGet(() -> CheckResult.pass(name, "not locked"));
    }

    /** Automatic deploys are blocked for a while after a rollback; deploys a human started are not. */
    public static CheckResult noAutoDeployBlock(PreflightFacts f) {
        var name = "no automatic-deploy block";
        if (!f.automatic() || f.autoDeployBlock().isEmpty()) {
            return CheckResult.pass(name, f.automatic() ? "no block in force" : "started by a person");
        }
        var b = f.autoDeployBlock().get();
        return CheckResult.block(
                name,
                "automatic deploys are blocked until " + Times.end(b.until()) + ": " + b.reason(),
                "deploy by hand with /deploy, or wait until the block ends",
                b.people());
    }

    /** Every dependency must run at least the version this service needs from it. */
    public static CheckResult dependencyVersionsCompatible(PreflightFacts f) {
        var name = "dependency versions";
        var problems = f.service().dependencies().stream()
                .filter(d -> d.minVersion().isPresent())
                .filter(d -> f.dependencyVersions().containsKey(d.service()))
                .filter(d -> !Versions.atLeast(
                        f.dependencyVersions().get(d.service()), d.minVersion().get()))
                .map(d -> d.service() + " runs " + f.dependencyVersions().get(d.service()) + " but "
                        + f.service().name() + " needs at least "
                        + d.minVersion().get())
                .toList();
        if (problems.isEmpty()) {
            var unknown = f.service().dependencies().stream()
                    .filter(d -> d.minVersion().isPresent()
                            && !f.dependencyVersions().containsKey(d.service()))
                    .map(Dependency::service)
                    .toList();
            return CheckResult.pass(
                    name,
                    unknown.isEmpty() ? "compatible" : "running version unknown for " + String.join(", ", unknown));
        }
        return CheckResult.block(name, String.join("; ", problems), "deploy the dependencies first");
    }

    /** Every check, in the order their results are shown. */
    public static final List<PreflightCheck> CHECKS = List.of(
            Preflight::dependenciesHealthy,
            Preflight::noConflictingDeploy,
            Preflight::insideDeployWindow,
            Preflight::outsideFreezes,
            Preflight::notLocked,
            Preflight::noAutoDeployBlock,
            Preflight::dependencyVersionsCompatible);

    /**
     * Runs every check. An emergency deploy skips the window and freeze checks, and goes ahead despite an open incident
     * of a dependency (an urgent fix may be what ends it); each skipped block is kept as the pass's note ("overridden
     * by --emergency: ..."), so the thread and the audit log say what it went ahead despite. A dependency without a
     * stable Deployment, or being rolled back, still holds it back.
     */
    public static List<CheckResult> run(PreflightFacts facts, boolean emergency) {
        return CHECKS.stream()
                .map(c -> c.check(facts))
                .map(r -> emergency && r instanceof CheckResult.Block b ? overridden(b, facts) : r)
                .toList();
    }

    private static CheckResult overridden(CheckResult.Block b, PreflightFacts facts) {
        if (b.check().equals("deploy window") || b.check().equals("no freeze")) {
            return CheckResult.pass(b.check(), "overridden by --emergency: " + b.reason());
        }
        if (b.check().equals(DEPENDENCIES) && !facts.dependencyIncidents().isEmpty()) {
            var skipped = facts.dependencyIncidents().stream()
                    .map(Preflight::incidentWords)
                    .collect(Collectors.joining("; "));
            return switch (dependenciesHealthy(facts.withoutDependencyIncidents())) {
                case CheckResult.Pass p -> CheckResult.pass(DEPENDENCIES, "overridden by --emergency: " + skipped);
                case CheckResult.Block still ->
                    CheckResult.block(
                            DEPENDENCIES,
                            still.reason() + " (--emergency goes ahead despite the open incidents: " + skipped + ")",
                            still.unblock());
            };
        }
        return b;
    }

    /** Whether every result passed. */
    public static boolean passed(List<CheckResult> results) {
        return results.stream().allMatch(r -> r instanceof CheckResult.Pass);
    }
}
