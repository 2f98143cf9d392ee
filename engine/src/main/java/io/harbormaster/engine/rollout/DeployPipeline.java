package io.harbormaster.engine.rollout;

import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.canary.CanaryAnalysis;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.HardTriggers;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.JudgedWindow;
import io.harbormaster.engine.canary.MetricsQuery;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.canary.MetricsUnavailable;
import io.harbormaster.engine.canary.NoiseSource;
import io.harbormaster.engine.canary.StableTrackNoise;
import io.harbormaster.engine.canary.Verdict;
import io.harbormaster.engine.policy.ApprovalPolicy;
import io.harbormaster.engine.policy.CheckResult;
import io.harbormaster.engine.policy.DependencyIncident;
import io.harbormaster.engine.policy.Identity;
import io.harbormaster.engine.policy.Preflight;
import io.harbormaster.engine.policy.PreflightFacts;
import io.harbormaster.engine.policy.ServiceSpec;
import io.harbormaster.engine.risk.ParsedInput;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.text.Durations;
import io.harbormaster.engine.text.Numbers;
import io.harbormaster.engine.text.Texts;
import io.harbormaster.engine.text.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The deploy pipeline of SPEC.md as a persisted state machine: intake, risk scoring, escalation and approvals,
 * preflight, the canary steps, promotion or rollback.
 *
 * <p>{@link #advance(long)} moves one deploy as far as it can go now and is safe to call at any time, from any
 * replica, any number of times: the state lives in the store, a lease keeps two engines off one deploy, every cluster
 * operation is idempotent, and the canary's analysis is replayed from its metrics rather than kept in memory. That is
 * what makes a crash at any point harmless: on restart, {@link #advanceAll()} picks every deploy up where the store
 * says it is. Every decision is appended to the audit log before it is acted on.
 */
public final class DeployPipeline {
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    static final String ENGINE = "engine";
    private static final System.Logger LOG = System.getLogger(DeployPipeline.class.getName());

    /** Reads the JSON the pipeline stored itself (a change's author, audit reasonings); thread-safe once built. */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    static final String CONFLICT_CHECK = "no conflicting deploy";

    private final PipelinePorts ports;
    private final PipelineSettings settings;
    private final PipelineTimings timings;
    private final LongSupplier monotonicNanos;

    public DeployPipeline(PipelinePorts ports, PipelineSettings settings) {
        this(ports, settings, PipelineTimings.NONE);
    }

    /** @param timings told how long each canary evaluation took */
    public DeployPipeline(PipelinePorts ports, PipelineSettings settings, PipelineTimings timings) {
        this(ports, settings, timings, System::nanoTime);
    }

    /**
     * @param timings told how long each canary evaluation took
     * @param monotonicNanos the monotonic clock leases are timed on ({@link System#nanoTime} but in tests)
     */
    public DeployPipeline(
            PipelinePorts ports, PipelineSettings settings, PipelineTimings timings, LongSupplier monotonicNanos) {
        this.ports = ports;
        this.settings = settings;
        this.timings = timings;
        this.monotonicNanos = monotonicNanos;
    }

    // ------------------------------------------------------------------------------------------------ intake

    /** The service catalog and its policies, as configured now. */
    public io.harbormaster.engine.policy.ServiceCatalog catalog() {
        return ports.catalog().get();
    }

    /** The one environment this engine deploys to ({@link PipelineSettings#environment()}). */
    public String environment() {
        return settings.environment();
    }

    /**
     * Why a request that names {@code environment} cannot be taken here: this engine's rollouts go to its own cluster
     * only, so a request for any other environment is refused (never deployed here under another name).
     */
    public Optional<String> wrongEnvironment(String environment) {
        if (settings.environment().equals(environment)) {
            return Optional.empty();
        }
        return Optional.of("this Harbormaster deploys to " + settings.environment() + " only, and the request names "
                + environment + ": nothing was started; send it to the Harbormaster instance that deploys to "
                + environment + " (or name " + settings.environment() + " to deploy here)");
    }

    /** Accepts a deploy request (idempotent by its key) or refuses it with what to do instead; starts nothing else. */
    public Submission submit(DeployRequest request) {
        var elsewhere = wrongEnvironment(request.environment());
        if (elsewhere.isPresent()) {
            // not audited: instances of other environments may read the same requests, and each refuses them
            return new Submission.Refused(elsewhere.get());
        }
        var catalog = ports.catalog().get();
        var spec = catalog.service(request.service());
        if (spec.isEmpty()) {
            return refuse(request, unknownService(request.service()));
        }
        if (!VERSION.matcher(request.version()).matches()) {
            return refuse(
                    request,
                    "'" + request.version() + "' is not a version: use the image tag CI built,"
                            + " letters, digits, '.', '_' and '-' (for example 1.4.2)");
        }
        var build = ports.builds().find(request.service(), request.version());
        if (build.isEmpty()) {
            // 1.4.1 typed as v1.4.1 (or the other way round): refused even in an emergency, which would otherwise
            // deploy an image tag that most likely does not exist
            var otherForm = otherVersionForm(request.version());
            if (otherForm.isPresent()
                    && ports.builds().find(request.service(), otherForm.get()).isPresent()) {
                return refuse(
                        request,
                        "no build announced " + request.service() + " " + request.version() + ", but CI announced "
                                + request.service() + " " + otherForm.get() + " ("
                                + (otherForm.get().startsWith("v") ? "with" : "without")
                                + " a leading v): did you mean version " + otherForm.get() + "?");
            }
        }
        if (build.isEmpty() && !request.emergency()) {
            return refuse(
                    request,
                    "no build announced " + request.service() + " " + request.version()
                            + ": CI announces builds on deploy.requests (or POST /api/v1/deploy-requests) before they can be"
                            + " deployed; check the version, or use --emergency to deploy an unannounced image (escalated and"
                            + " reviewed)");
        }
        var live = alreadyLive(request, spec.get(), build);
        if (live.refused().isPresent()) {
            return refuse(
                    request, live.refused().get().reason(), live.refused().get().people());
        }
        // A second request for what is being deployed (typed again, CI announcing it twice, a retry that reached
        // another replica) starts nothing. The store looks for it and stores the request in one step per service, so
        // that two such requests at the same moment, on any replicas, cannot both find nothing and both start one.
        var intake = ports.deploys().intake(request, repeats(request));
        if (!(intake instanceof Intake.Created)) {
            return new Submission.Accepted(intake.deploy(), true);
        }
        var deploy = intake.deploy();
        // Read again now that the deploy is in flight: a later announcement of the build may have replaced the one read
        // above before the deploy was stored, and none can from now on (BuildCatalog#replace), so this is the one the
        // deploy is scored and decided on.
        var scoredOn = ports.builds().find(request.service(), request.version());
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("source", request.source().name().toLowerCase());
        reasoning.put("idempotency_key", request.idempotencyKey());
        reasoning.put("emergency", request.emergency());
        reasoning.put("announced", scoredOn.isPresent());
        if (live.clusterUnread()) {
            // said where the deploy's history is read: a canary of the image against itself is possible
            reasoning.put(
                    "cluster_unchecked",
                    "the cluster could not be asked what " + request.service() + " runs, so whether it runs "
                            + request.version() + " already was not checked");
        }
        scoredOn.ifPresent(b -> {
            reasoning.put("image", b.image());
            reasoning.put("commit", b.commitSha());
            reasoning.put("build", b.buildId());
            reasoning.put("ci_status", b.ciStatus());
        });
        audit(deploy, request.requestedBy(), "deploy.requested", "accepted", reasoning);
        publish(DeployEvent.requested(deploy, request));
        ports.notifier().notify(new DeployNotice.Accepted(deploy, request.requestedBy(), request.emergency()));
        return new Submission.Accepted(deploy, false);
    }

    /**
     * The version written the other way round as to a leading {@code v} ({@code v1.4.1} for {@code 1.4.1}, and back),
     * when the rest starts with a digit: the one slip of a version that people make most, and that no image tag forgives.
     */
    private static Optional<String> otherVersionForm(String version) {
        if ((version.startsWith("v") || version.startsWith("V"))
                && version.length() > 1
                && Character.isDigit(version.charAt(1))) {
            return Optional.of(version.substring(1));
        }
        if (!version.isEmpty() && Character.isDigit(version.charAt(0)) && version.length() < 128) {
            return Optional.of("v" + version);
        }
        return Optional.empty();
    }

    /**
     * Which deploys in flight of its service {@code request} would only repeat, given each with the request it was
     * created for: one of the same version that is not being rolled back (asking again for a version on its way out is
     * a retry, which waits its turn); a revert included, which puts that version back sooner than a deploy of it
     * would. An emergency request does not repeat an ordinary one that has not reached its canary yet: skipping the
     * approval wait, a deploy window or a freeze that may still stop that one is what it asks. A revert has none of
     * those to skip (it goes to the cluster as soon as it is advanced), so an emergency request repeats it too. The
     * store applies it when it takes the request in ({@link DeployStore#intake(DeployRequest, BiPredicate)}), in the
     * same step as it stores it.
     */
    public static BiPredicate<Deploy, DeployRequest> repeats(DeployRequest request) {
        return (d, asked) -> d.service().equals(request.service())
                && d.version().equals(request.version())
                && d.state() != DeployState.ROLLING_BACK
                && (!request.emergency()
                        || d.emergency()
                        || !beforeCanary(d.state())
                        || Revert.of(asked).isPresent());
    }

    private static boolean beforeCanary(DeployState state) {
        return state == DeployState.REQUESTED
                || state == DeployState.SCORED
                || state == DeployState.AWAITING_APPROVAL
                || state == DeployState.APPROVED
                || state == DeployState.PREFLIGHT;
    }

    /**
     * Why an ordinary request for the version the service's latest promotion put live (a revert's included) starts
     * nothing: its canary would compare the image with itself, and its approver would be asked for nothing. An emergency
     * request goes ahead: the cluster may run something else since (changed outside Harbormaster), which is what
     * the escalation and its review are for. While a revert of that promotion runs, the version is on its way out: the
     * request is refused all the same (it would take the service straight back to what the revert was asked to leave),
     * saying so and by whom, rather than pointing to {@code /deploy rollback}, which is what is happening. A version
     * no promotion put live may still be what the cluster runs: {@link #runningUnrecorded}.
     */
    private Live alreadyLive(DeployRequest request, ServiceSpec spec, Optional<AnnouncedBuild> build) {
        // a request stored before (a Slack retry, a Kafka redelivery) is answered with its deploy, as ever
        if (request.emergency()
                || ports.deploys().forKey(request.idempotencyKey()).isPresent()) {
            return Live.NOT;
        }
        var service = request.service();
        var latest = ports.deploys().promoted(service, 1);
        var live = latest.stream()
                .filter(d -> d.version().equals(request.version()))
                .findFirst();
        if (live.isEmpty()) {
            return runningUnrecorded(request, spec, build, latest.stream().findFirst());
        }
        var d = live.get();
        for (var o : ports.deploys().inFlight(service)) {
            var leaving = revertOf(o).filter(r -> r.reverts() == d.id());
            if (leaving.isPresent()) {
                var by = requesterOf(o);
                return Live.refused(new Submission.Refused(
                        service + " " + request.version() + " is live, but deploy #" + o.id() + " (asked by " + by
                                + ") is reverting it to " + o.version() + " right now: nothing was started. Once that"
                                + " revert is done, deploy " + request.version()
                                + " again if you want it back (/deploy "
                                + service + " " + request.version() + "): it then gets a canary against "
                                + o.version(),
                        List.of(by)));
            }
        }
        // the store says what Harbormaster last put live; the cluster says what runs. Changed by hand since (kubectl,
        // another tool), the request is an ordinary deploy: its canary runs against what the cluster runs now
        var running = runningImage(spec);
        if (running.isPresent() && !isImageOf(running.get(), request, build)) {
            return Live.NOT;
        }
        var reverted = revertOf(d);
        var how = reverted.isPresent()
                ? " put it back at " + Times.words(d.updatedAt()) + " (a revert of deploy #"
                        + reverted.get().reverts() + ", " + reverted.get().fromVersion() + ")"
                : " promoted it at " + Times.words(d.updatedAt());
        // a revert is not reverted: /deploy rollback would refuse, so it is not offered
        var instead = reverted.isPresent()
                ? "To run another version, deploy it: /deploy " + service + " <version>"
                : "To go back to the version before it, use /deploy rollback " + service;
        return Live.refused(new Submission.Refused(service + " " + request.version() + " is already live: deploy #"
                + d.id() + how + ", and nothing of " + service + " has been promoted since. Nothing was started. "
                + instead
                + running.map(image -> " (the cluster runs " + image + ")")
                        .orElse("; the cluster could not be asked what it runs: if it runs something else since"
                                + " (changed outside Harbormaster), deploy it with --emergency")));
    }

    /**
     * Why a request for a version that Harbormaster never put live, but that the cluster runs all the same, starts
     * nothing: the stable Deployment was set outside Harbormaster (by hand before Harbormaster deployed the service, or
     * with kubectl since its latest promotion, {@code lastPromoted}), and a canary would compare the image with itself
     * and record a promotion of nothing. Harbormaster has no way to record a version as live without a canary, and
     * needs none: the next deploy's canary runs against whatever the stable Deployment runs, and a revert of it goes
     * back to that image, so the refusal points there. A deploy of the version in flight answers the request instead
     * (the intake step), even once its promotion has put the image on the stable Deployment. When the cluster cannot
     * say what it runs, the request goes ahead as an ordinary deploy, and its {@code deploy.requested} entry says that
     * this was not checked.
     */
    private Live runningUnrecorded(
            DeployRequest request, ServiceSpec spec, Optional<AnnouncedBuild> build, Optional<Deploy> lastPromoted) {
        var service = request.service();
        if (ports.deploys().inFlight(service).stream().anyMatch(o -> o.version().equals(request.version()))) {
            return Live.NOT;
        }
        var running = runningImage(spec);
        if (running.isEmpty()) {
            return new Live(Optional.empty(), true);
        }
        var image = running.get();
        if (!isImageOf(image, request, build)) {
            return Live.NOT;
        }
        var record = lastPromoted
                .map(p -> "Harbormaster last promoted " + p.version() + " (deploy #" + p.id() + ", at "
                        + Times.words(p.updatedAt()) + "), so " + image + " was put there outside Harbormaster since")
                .orElse("Harbormaster has not deployed " + service + " before, so it was put there outside"
                        + " Harbormaster");
        return Live.refused(new Submission.Refused(service + " " + request.version()
                + " already runs in the cluster: its stable Deployment runs " + image + ". " + record
                + ". Nothing was started: a canary would compare the image with itself, and Harbormaster needs no"
                + " record of it: to run another version, deploy it (/deploy " + service
                + " <version>); its canary runs"
                + " against " + request.version() + ", and /deploy rollback " + service + " after its promotion puts "
                + request.version() + " back"));
    }

    /**
     * Whether a request is refused as live already; {@code clusterUnread} when it goes ahead without the cluster having
     * said what it runs (its {@code deploy.requested} entry says so).
     */
    private record Live(Optional<Submission.Refused> refused, boolean clusterUnread) {
        static final Live NOT = new Live(Optional.empty(), false);

        static Live refused(Submission.Refused why) {
            return new Live(Optional.of(why), false);
        }
    }

    /**
     * The image the stable Deployment of {@code spec} runs now, or empty when the cluster cannot say (unreachable,
     * forbidden, no such Deployment): the store's word is then all there is.
     */
    private Optional<String> runningImage(ServiceSpec spec) {
        try {
            return Optional.of(ports.cluster().inspect(target(spec)).stable().image());
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not read what " + spec.name() + " runs in the cluster to check a request against it: "
                            + e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether {@code image} is the one {@code request}'s version names: its announced image ({@code build}), or its tag. */
    private static boolean isImageOf(String image, DeployRequest request, Optional<AnnouncedBuild> build) {
        return build.map(AnnouncedBuild::image).map(image::equals).orElse(false)
                || tagOf(image).map(request.version()::equals).orElse(false);
    }

    /** Who asked for deploy {@code d} (a Slack member id, or CI's name). */
    private String requesterOf(Deploy d) {
        return ports.deploys().request(d.id()).map(DeployRequest::requestedBy).orElse("someone");
    }

    /**
     * Why CI's announcement of a build of {@code service} is refused: the catalog has no such service, so no
     * {@code /deploy} could take the build (the closest names, and how to add it, are said).
     */
    public Optional<String> unannounceable(String service) {
        if (ports.catalog().get().service(service).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(unknownService(service) + ": the build was not recorded; add the service to"
                + " harbormaster.yml (services:) and reload, or fix the name CI sends, then announce it again");
    }

    /** Why a request naming {@code service} is refused when the catalog has no such service, with the closest. */
    private String unknownService(String service) {
        var close = ports.catalog().get().closest(service, 3);
        return "unknown service '" + service + "'"
                + (close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?");
    }

    // ------------------------------------------------------------------------------------------------ driving

    /** Advances every deploy that is not finished (what a restarted engine, and the scheduler, call). */
    private final Map<Long, Lease> leasedUntil = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<Long, Judged> judged = new java.util.concurrent.ConcurrentHashMap<>();

    /** The policy each canary started with, as read from the store (it never changes under a canary). */
    private final Map<Long, Judging> startedWith = new java.util.concurrent.ConcurrentHashMap<>();

    /** What each first canary read from its stable track, as stored (it never changes once stored). */
    private final Map<Long, StableTrackReading> stableRead = new java.util.concurrent.ConcurrentHashMap<>();

    /** The hash of the configured policy this engine last said a canary keeps its own policy against. */
    private final Map<Long, String> toldConfigured = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * When each canary's metrics store first failed to answer, in the current run of failures: what this engine has
     * read or written of the store's record (which outlives a restart or a lease moving to another replica).
     */
    private final Map<Long, Instant> metricsDownSince = new java.util.concurrent.ConcurrentHashMap<>();

    /** Canaries whose metrics answered since this engine last saw them fail, with no outage left on record. */
    private final java.util.Set<Long> metricsUp = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The most restarts of each canary's pods its thread was told of (by any engine: read from the audit log once). */
    private final Map<Long, Double> restartsTold = new java.util.concurrent.ConcurrentHashMap<>();

    public void advanceAll() {
        advanceAll(() -> {});
    }

    /**
     * Advances every unfinished deploy, running {@code beforeEach} before each one: the runner advances deploys that
     * were just requested there, so a new request never waits for a whole sweep.
     */
    public void advanceAll(Runnable beforeEach) {
        var inFlight = ports.deploys().inFlight();
        var ids = new java.util.HashSet<Long>();
        for (var d : inFlight) {
            ids.add(d.id());
        }
        // What this engine remembers of deploys that ended elsewhere (another replica, a human) goes.
        leasedUntil.keySet().retainAll(ids);
        judged.keySet().retainAll(ids);
        startedWith.keySet().retainAll(ids);
        stableRead.keySet().retainAll(ids);
        toldConfigured.keySet().retainAll(ids);
        metricsDownSince.keySet().retainAll(ids);
        metricsUp.retainAll(ids);
        restartsTold.keySet().retainAll(ids);
        for (var d : inFlight) {
            beforeEach.run();
            advance(d.id());
        }
    }

    /**
     * One deploy is advanced by one thread at a time in this engine (the lease keeps other engines off it, but all of
     * this engine's threads hold it): a person's rollback advances the deploy on the thread that took the command, an
     * approver's click on the click's thread, while the pipeline's own thread may be advancing it too, and the steps
     * that act before they move (a preflight audits and tells, a rollback opens its incident, blocks automatic deploys
     * and audits) must not act twice. Striped, so that the locks do not grow with the number of deploys; taken after a
     * decision's lock ({@link #deciding}), never before one.
     */
    private final ReentrantLock[] advancing =
            Stream.generate(ReentrantLock::new).limit(64).toArray(ReentrantLock[]::new);

    /** Moves one deploy as far as it can go now; returns it as it is afterwards. */
    public Optional<Deploy> advance(long deployId) {
        var lock = advancing[Math.floorMod(Long.hashCode(deployId), advancing.length)];
        lock.lock();
        try {
            return advanceAlone(deployId);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Deploy> advanceAlone(long deployId) {
        var now = ports.clock().instant();
        if (!holdsLease(deployId, now)) {
            // another engine drives it; what this one knew of its metrics outage may be out of date when it is back
            metricsDownSince.remove(deployId);
            metricsUp.remove(deployId);
            return ports.deploys().find(deployId);
        }
        var deploy = ports.deploys().find(deployId);
        for (int guard = 0; deploy.isPresent() && guard < 16; guard++) {
            var before = deploy.get();
            var after = step(before);
            deploy = Optional.of(after);
            if (after.revision() == before.revision() || after.state().terminal()) {
                break;
            }
        }
        if (deploy.isEmpty() || deploy.get().state().terminal()) {
            leasedUntil.remove(deployId);
            judged.remove(deployId);
            startedWith.remove(deployId);
            stableRead.remove(deployId);
            toldConfigured.remove(deployId);
            metricsUp.remove(deployId);
            restartsTold.remove(deployId);
            if (metricsDownSince.remove(deployId) != null) {
                ports.deploys().metricsBack(deployId); // it ended during an outage
            }
        }
        return deploy;
    }

    /**
     * Whether this engine holds the deploy's lease, renewing it when a third of it has gone. A lease this engine
     * wrote cannot be taken before it ends, so the store is asked only then; the third is measured both on the
     * engine's clock (what other engines compare the lease with) and on the monotonic clock (a wall clock that
     * steps back, or a slow sweep, must not let the lease run out unnoticed): two thirds of the lease remain as a
     * margin for the work done before the next check.
     */
    private boolean holdsLease(long deployId, Instant now) {
        var held = leasedUntil.get(deployId);
        var third = settings.lease().dividedBy(3);
        if (held != null
                && now.isBefore(held.until().minus(settings.lease()).plus(third))
                && monotonicNanos.getAsLong() - held.writtenNanos() < third.toNanos()) {
            return true;
        }
        var until = now.plus(settings.lease());
        long written = monotonicNanos.getAsLong();
        if (!ports.deploys().tryLease(deployId, settings.owner(), now, until)) {
            leasedUntil.remove(deployId);
            return false;
        }
        leasedUntil.put(deployId, new Lease(until, written));
        return true;
    }

    /** A lease this engine wrote: until when it lasts, and when it was written on the monotonic clock. */
    private record Lease(Instant until, long writtenNanos) {}

    private Deploy step(Deploy d) {
        try {
            return switch (d.state()) {
                case REQUESTED -> revertOf(d).map(r -> startRevert(d, r)).orElseGet(() -> score(d));
                case SCORED -> route(d);
                case AWAITING_APPROVAL -> expireIfDue(d);
                case APPROVED -> move(d, DeployState.PREFLIGHT, 0, ENGINE, "approved");
                case PREFLIGHT -> preflight(d);
                case CANARY -> canary(d);
                case PROMOTING -> revertOf(d).map(r -> promoteRevert(d, r)).orElseGet(() -> promote(d));
                case ROLLING_BACK -> rollback(d);
                case REJECTED, EXPIRED, PROMOTED, ROLLED_BACK, FAILED -> d;
            };
        } catch (StaleRevision e) {
            return ports.deploys().find(d.id()).orElse(d); // someone else moved it: re-read, decide next time
        } catch (ClusterForbidden | ClusterRefused | StableNotFound e) {
            return switch (d.state()) {
                case CANARY -> abandonCanary(d, e.getMessage());
                case ROLLING_BACK -> fail(d, e.getMessage() + leftBehind(d));
                default -> fail(d, e.getMessage());
            };
        }
    }

    /**
     * The cluster refused an operation of a running canary (its baseline deleted by hand, a right taken away, the
     * route gone): the canary is rolled back rather than left serving its share of the traffic under a failed deploy.
     * Audited before the cluster is touched, as every rollback is; when the rollback is refused too, the deploy fails
     * with what is left behind and how to remove it.
     */
    private Deploy abandonCanary(Deploy d, String refusal) {
        var why = CLUSTER_REFUSED + "refused the canary's next operation (" + refusal + ")";
        audit(d, ENGINE, "canary.rollback", "rollback", Map.of("reason", why));
        var rollingBack = move(d, DeployState.ROLLING_BACK, d.step(), ENGINE, why);
        try {
            return rollback(rollingBack);
        } catch (ClusterForbidden | ClusterRefused | StableNotFound e) {
            return fail(
                    rollingBack, why + "; rolling it back was refused too (" + e.getMessage() + ")" + leftBehind(d));
        }
    }

    /** What a canary whose rollback the cluster refused may leave behind, and how to remove it by hand. */
    private String leftBehind(Deploy d) {
        var target = target(spec(d));
        return ". Its canary and baseline may still run and take traffic: delete Deployments "
                + target.deploymentOf(Track.CANARY) + " and " + target.deploymentOf(Track.BASELINE) + " in namespace "
                + target.namespace() + " (and, where a route divides the traffic, send it back to the stable Service"
                + " alone)";
    }

    // ------------------------------------------------------------------------------------------------ risk

    private Deploy score(Deploy d) {
        var now = ports.clock().instant();
        var parsed = riskInput(d, spec(d), now);
        if (parsed instanceof ParsedInput.Invalid invalid) {
            return fail(d, "the build's change metadata cannot be scored: " + String.join("; ", invalid.problems()));
        }
        var assessment = ports.risk().assess(((ParsedInput.Valid) parsed).input());
        audit(d, ENGINE, "risk.scored", assessment.escalated() ? "escalate" : "proceed", riskReasoning(assessment));
        var scored = ports.deploys().recordRisk(d.id(), d.revision(), assessment.score(), assessment.escalated(), now);
        scored = move(
                scored,
                DeployState.SCORED,
                0,
                ENGINE,
                "risk " + Numbers.score(assessment.score()) + " (threshold "
                        + Numbers.score(assessment.threshold().score()) + ")"
                        + (assessment.escalated() ? ", escalated" : ""));
        ports.notifier().notify(new DeployNotice.Scored(scored, assessment));
        return scored;
    }

    /** The risk scorer's input for a deploy: the announced change and its context, with the service's history. */
    private ParsedInput riskInput(Deploy d, ServiceSpec spec, Instant now) {
        var incidents = recentIncidents(d, now);
        return RiskInputs.build(
                d,
                ports.builds().find(d.service(), d.version()),
                spec,
                ports.catalog().get().dependents(d.service()).size(),
                (int) incidents.stream().filter(i -> i.deployId().isPresent()).count(),
                incidents.size(),
                ports.deploys()
                        .request(d.id())
                        .map(r -> r.source() == RequestSource.KAFKA || r.source() == RequestSource.HTTP)
                        .orElse(false),
                versionRolledBack(d),
                now,
                ZoneOffset.UTC);
    }

    /**
     * The latest rollback of exactly this version for what it did (a metric, a hard trigger, its pods never ready; not
     * a person's stop or the cluster's refusal), in words, however long ago: what the always-escalate rule for CI's
     * deploys of it names.
     */
    private Optional<String> versionRolledBack(Deploy d) {
        return ports.incidents().ofVersion(d.service(), d.version()).stream()
                .filter(Incident::blamesTheVersion)
                .filter(i -> i.deployId().isPresent() && i.deployId().getAsLong() != d.id())
                .findFirst()
                .map(i -> d.service() + " " + d.version() + " was rolled back at " + Times.words(i.openedAt())
                        + " (deploy #" + i.deployId().getAsLong() + ", incident #" + i.id() + ": "
                        + Texts.cut(i.summary(), 200) + ")");
    }

    private List<Incident> recentIncidents(Deploy d, Instant now) {
        return ports.incidents().recent(d.service(), now.minus(settings.incidentLookback()));
    }

    private Deploy route(Deploy d) {
        boolean escalated = escalated(d);
        if (escalated && !d.emergency()) {
            var spec = spec(d);
            var expires = ports.clock().instant().plus(settings.approvalTimeout());
            audit(
                    d,
                    ENGINE,
                    "deploy.escalated",
                    "await_approval",
                    Map.of(
                            "approver_group", spec.approverGroup(),
                            "required_approvals", spec.requiredApprovals(),
                            "expires_at", expires.toString()));
            var waiting = move(
                    d,
                    DeployState.AWAITING_APPROVAL,
                    0,
                    ENGINE,
                    "waiting for " + Numbers.count(spec.requiredApprovals(), "approval", "approvals") + " from "
                            + spec.approverGroup());
            // the same inputs as when it was scored, so approvers see the score that was recorded and audited
            var assessment = ports.risk()
                    .assess(RiskInputs.valid(riskInput(d, spec, ports.clock().instant()))
                            .orElseThrow());
            // ranked by what the change shares with the versions they rolled back, not merely the latest
            var incidents = SimilarIncidents.find(
                    d.service(),
                    d.version(),
                    ports.builds().find(d.service(), d.version()),
                    ports.incidents(),
                    ports.builds(),
                    ports.clock().instant().minus(settings.incidentLookback()));
            ports.notifier()
                    .notify(new DeployNotice.Escalated(
                            waiting,
                            assessment,
                            spec.approverGroup(),
                            spec.requiredApprovals(),
                            expires,
                            ports.catalog().get().dependents(d.service()),
                            incidents));
            return waiting;
        }
        var why = escalated ? "emergency deploy: approval skipped, marked for review" : "low risk: no approval needed";
        audit(
                d,
                ENGINE,
                "deploy.routed",
                d.emergency() ? "emergency" : "automatic",
                Map.of("reason", why, "needs_review", d.emergency()));
        return move(d, DeployState.PREFLIGHT, 0, ENGINE, why);
    }

    // ------------------------------------------------------------------------------------------------ approval

    /**
     * Decisions on one deploy are taken one at a time in this engine: the two requests of a double click queue here
     * instead of in the database. Across replicas the store takes them one at a time ({@link
     * DeployStore#recordDecision}): the first is recorded, audited and settles the deploy, the second is told it came
     * after. Striped, so that the locks do not grow with the number of deploys.
     */
    private final ReentrantLock[] deciding =
            Stream.generate(ReentrantLock::new).limit(64).toArray(ReentrantLock[]::new);

    /** An approver's click on Approve or Reject; authorized here, whatever the front end checked. */
    public Decision decide(long deployId, String user, Approval.Decision choice, String comment) {
        var lock = deciding[Math.floorMod(Long.hashCode(deployId), deciding.length)];
        lock.lock();
        try {
            return decideAlone(deployId, user, choice, comment);
        } finally {
            lock.unlock();
        }
    }

    private Decision decideAlone(long deployId, String user, Approval.Decision choice, String comment) {
        var found = ports.deploys().find(deployId);
        if (found.isEmpty()) {
            return new Decision.Refused(
                    "there is no deploy #" + deployId + ": use the buttons in the deploy's own thread");
        }
        var d = found.get();
        // read after the deploy: a decision that settled it is among them whenever the state read shows it settled
        var earlier = ports.deploys().approvals(deployId);
        var mine = earlier.stream().filter(a -> a.approver().equals(user)).findFirst();
        if (mine.isPresent()) {
            return new Decision.AlreadyDecided(mine.get()); // a repeat of a click, not a new decision: not audited
        }
        if (d.state() != DeployState.AWAITING_APPROVAL) {
            return new Decision.Refused(notWaiting(d));
        }
        var refused = refusal(d, user, "approval.refused", choice.name().toLowerCase(), earlier, expiresAt(d));
        if (refused.isPresent()) {
            return new Decision.Refused(refused.get());
        }
        var spec = spec(d);
        var now = ports.clock().instant();
        int required = spec.requiredApprovals();
        var approval = new Approval(deployId, user, choice, comment, now);
        // Audited only once the store knows this click counts (it came first, and the deploy still waits), before it
        // is recorded: another replica's click at the same moment waits for this one and is told it came after.
        var outcome = ports.deploys()
                .recordDecision(
                        approval,
                        all -> switch (ApprovalPolicy.tally(all, required)) {
                            case REJECTED ->
                                Optional.of(new Settlement(
                                        DeployState.REJECTED,
                                        "rejected by " + user + (comment.isBlank() ? "" : ": " + comment)));
                            case APPROVED ->
                                Optional.of(new Settlement(
                                        DeployState.APPROVED, ApprovalPolicy.progress(approvalsIn(all), required)));
                            case WAITING -> Optional.empty();
                        },
                        () -> audit(
                                d, user, "approval.counted", choice.name().toLowerCase(), Map.of("comment", comment)));
        return switch (outcome) {
            case ApprovalOutcome.AlreadyDecided already -> new Decision.AlreadyDecided(already.first());
            case ApprovalOutcome.NotWaiting moved -> new Decision.Refused(notWaiting(moved.deploy()));
            case ApprovalOutcome.Recorded recorded -> counted(d, approval, recorded, required);
        };
    }

    /**
     * Why {@code user} may not decide deploy {@code d} (audited as {@code refusedAction}, with {@code choice}), or
     * empty when they may: a member of the service's approver group, neither the change's author nor the deploy's
     * requester, who did not decide it before ({@code earlier}), before {@code expiresAt}.
     */
    private Optional<String> refusal(
            Deploy d, String user, String refusedAction, String choice, List<Approval> earlier, Instant expiresAt) {
        return refusal(d, user, refusedAction, choice, earlier, expiresAt, ApprovalPolicy.Act.DECIDE);
    }

    /** ... for {@code act} (how the refusal is worded). */
    private Optional<String> refusal(
            Deploy d,
            String user,
            String refusedAction,
            String choice,
            List<Approval> earlier,
            Instant expiresAt,
            ApprovalPolicy.Act act) {
        return refusal(d, user, refusedAction, choice, earlier, expiresAt, act, spec(d).approverGroup(), "");
    }

    /**
     * ... by the members of {@code group} (the service's approvers, unless a review of a service no longer configured
     * goes to another group), with {@code why} (why it is that group, or nothing) appended to a refusal.
     */
    private Optional<String> refusal(
            Deploy d,
            String user,
            String refusedAction,
            String choice,
            List<Approval> earlier,
            Instant expiresAt,
            ApprovalPolicy.Act act,
            String group,
            String why) {
        var catalog = ports.catalog().get();
        var request = ports.deploys().request(d.id()).orElseThrow();
        var author = ports.builds()
                .find(d.service(), d.version())
                .flatMap(b -> authorOf(b.changeJson()))
                .orElse("");
        // CI may name people otherwise than by their Slack member id (a GitHub login, an email address): who they are
        // in Slack comes from people: in the configuration, else from the member directory.
        var authorIs = Identity.resolve(author, catalog.people(), ports.people());
        var requesterIs = Identity.resolve(request.requestedBy(), catalog.people(), ports.people());
        var eligibility = ApprovalPolicy.eligibility(
                user,
                catalog.members(group),
                group,
                requesterIs,
                authorIs,
                earlier,
                expiresAt,
                ports.clock().instant(),
                act);
        if (!(eligibility instanceof ApprovalPolicy.Eligibility.Refused refused)) {
            return Optional.empty();
        }
        var reason = refused.reason() + why;
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("reason", reason);
        if (!author.isBlank()) {
            reasoning.put("author", author);
        }
        reasoning.put("requester", request.requestedBy());
        audit(d, user, refusedAction, choice, reasoning);
        return Optional.of(reason);
    }

    /** A recorded decision: told, and acted on when it settled the deploy. */
    private Decision counted(Deploy before, Approval approval, ApprovalOutcome.Recorded recorded, int required) {
        int approvals = approvalsIn(recorded.approvals());
        ports.notifier().notify(new DeployNotice.ApprovalCounted(before, approval, approvals, required));
        var after = recorded.deploy();
        if (recorded.settled().isPresent()) {
            if (after.state().terminal()) {
                ports.deploys().releaseRollout(after.service(), after.id());
            }
            publish(DeployEvent.of(after, recorded.settled().get()));
        }
        if (after.state() == DeployState.APPROVED) {
            after = advance(after.id()).orElse(after);
        }
        return new Decision.Counted(after, approvals, required);
    }

    private static int approvalsIn(List<Approval> decisions) {
        return (int) decisions.stream()
                .filter(a -> a.decision() == Approval.Decision.APPROVE)
                .count();
    }

    /**
     * Why a click on a deploy's Approve or Reject comes too late, in words: what ended its wait (approved, rejected,
     * stopped by whom, expired, failed) and, once it moved on, where it is now.
     */
    private String notWaiting(Deploy d) {
        var left = ports.deploys().transitions(d.id()).stream()
                .filter(t -> t.from() == DeployState.AWAITING_APPROVAL)
                .findFirst();
        var said = "this deploy is no longer waiting for a decision: ";
        if (left.isEmpty()) {
            return said + whereNow(d.state());
        }
        var t = left.get();
        return said
                + switch (t.to()) {
                    case REJECTED -> "it was " + t.reason();
                    case EXPIRED -> "it expired, as nobody decided in time";
                    case FAILED ->
                        t.actor().equals(ENGINE)
                                ? "it failed: " + t.reason()
                                : "it was stopped by " + t.actor() + " (/deploy rollback " + d.service() + ")";
                    // let through: it has moved on since, so where it is now is said too
                    case APPROVED -> "it was approved (" + t.reason() + "); " + whereNow(d.state());
                    default -> whereNow(t.to());
                };
    }

    /** Where a deploy that no longer waits for a decision is now, as a clause: "it is running its canary". */
    private static String whereNow(DeployState state) {
        return switch (state) {
            case APPROVED, PREFLIGHT -> "it is in preflight";
            case CANARY -> "it is running its canary";
            case PROMOTING -> "it is being promoted";
            case ROLLING_BACK -> "it is being rolled back";
            default -> state.terminal() ? "it has ended (" + state.words() + ")" : "it is " + state.words();
        };
    }

    private Deploy expireIfDue(Deploy d) {
        if (ports.clock().instant().isBefore(expiresAt(d))) {
            return d;
        }
        audit(
                d,
                ENGINE,
                "deploy.expired",
                "expired",
                Map.of("expired_at", expiresAt(d).toString()));
        var expired = move(d, DeployState.EXPIRED, 0, ENGINE, "no decision within " + settings.approvalTimeout());
        ports.notifier().notify(new DeployNotice.Expired(expired));
        return expired;
    }

    private Instant expiresAt(Deploy d) {
        return enteredAt(d, DeployState.AWAITING_APPROVAL).orElse(d.updatedAt()).plus(settings.approvalTimeout());
    }

    private static Optional<String> authorOf(String changeJson) {
        try {
            var node = JSON.readTree(changeJson).path("author");
            return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------------ preflight

    private Deploy preflight(Deploy d) {
        var spec = spec(d);
        var now = ports.clock().instant();
        var request = ports.deploys().request(d.id()).orElseThrow();
        var facts = new PreflightFacts(
                spec,
                d.version(),
                request.source() == RequestSource.KAFKA || request.source() == RequestSource.HTTP,
                now,
                ports.policies().lockOf(d.service()),
                freezes(spec, now),
                autoDeployBlock(d.service(), now),
                conflicting(d, spec),
                dependencyVersions(spec),
                unhealthyDependencies(spec),
                dependencyIncidents(spec, now));
        var results = Preflight.run(facts, d.emergency());
        var blocks = blocksIn(results);
        boolean onlyWaiting =
                !blocks.isEmpty() && blocks.stream().allMatch(b -> b.check().equals(CONFLICT_CHECK));
        if (onlyWaiting) {
            return waitForTurn(d, blocks.getFirst().reason());
        }
        if (blocks.isEmpty()) {
            // The checks read the locks a moment ago: a lock taken since is found here, in one step with the claim
            // (across replicas), and stops the deploy as the lock check does; a lock taken after the claim lets it on.
            switch (ports.deploys().claimRolloutUnlessLocked(d.service(), d.id(), now)) {
                case RolloutClaim.Held h -> {
                    return waitForTurn(d, rolloutHeldBy(d));
                }
                case RolloutClaim.Locked l -> {
                    results = Preflight.run(facts.withLock(l.lock()), d.emergency());
                    blocks = blocksIn(results);
                }
                case RolloutClaim.Claimed c -> {}
            }
        }
        var target = target(spec);
        // the stable Deployment must exist before anything is derived from it; read before the entry that starts the
        // canary, which records its image (what the baseline runs, and what a revert of this deploy goes back to)
        var read = blocks.isEmpty() ? Optional.of(ports.cluster().stable(target)) : Optional.<StableDeployment>empty();
        var runningAlready = read.flatMap(s -> runningAlready(d, s));
        if (runningAlready.isPresent()) {
            results = Stream.concat(results.stream(), Stream.of(runningAlready.get()))
                    .toList();
            blocks = List.of(runningAlready.get());
        }
        var stable = blocks.isEmpty() ? read : Optional.<StableDeployment>empty();
        var checked = results;
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("checks", checked.stream().map(DeployPipeline::checkJson).toList());
        stable.ifPresent(s -> reasoning.put(STABLE_IMAGE, s.image()));
        // the first step as its pods (or route) give it, as each later step's canary.step entry gives its own: what
        // really ran, for whoever reads the log or replays the canary
        // (by the policy the canary is judged by to its end, recorded now)
        var policy = stable.map(s -> policyOf(d, spec).policy());
        var firstPlan =
                stable.map(s -> s.planFor(policy.get().steps().getFirst().weight()));
        firstPlan.ifPresent(plan -> reasoning.put(CANARY_START, stepJson(1, plan)));
        audit(d, ENGINE, "preflight", blocks.isEmpty() ? "pass" : "block", reasoning);
        // Told once the move it led to is recorded, as every notice is: a preflight whose deploy moved meanwhile (a
        // person stopped it) is told nothing, and the move that did happen tells its own.
        if (!blocks.isEmpty()) {
            var reasons = blocks.stream()
                    .map(b -> b.check() + ": " + b.reason() + " (" + b.unblock() + ")")
                    .toList();
            return fail(
                    d,
                    "blocked by preflight: " + String.join("; ", reasons),
                    blocks.stream().flatMap(b -> b.people().stream()).distinct().toList(),
                    failed -> Optional.of(new DeployNotice.PreflightChecked(failed, checked)));
        }
        var first = firstPlan.orElseThrow();
        var moved = move(
                d,
                DeployState.CANARY,
                1,
                ENGINE,
                "preflight passed; canary starts " + first.placeInWords()
                        + (escalated(d) ? " (the cautious canary of an escalated change: held longer)" : ""));
        ports.notifier().notify(new DeployNotice.PreflightChecked(moved, checked));
        ports.notifier()
                .notify(new DeployNotice.CanaryProgress(
                        moved, first, policy.get().steps().size(), List.of()));
        return moved;
    }

    private static List<CheckResult.Block> blocksIn(List<CheckResult> results) {
        return results.stream()
                .filter(r -> r instanceof CheckResult.Block)
                .map(r -> (CheckResult.Block) r)
                .toList();
    }

    /** The check, run once the stable Deployment is read, that the canary would not run what it runs already. */
    static final String NEW_IMAGE_CHECK = "new image";

    /**
     * A block when the canary of {@code d} would run the image the stable Deployment runs already: its canary would
     * compare the image with itself and its promotion would record a change that changes nothing. The request was let
     * in when the cluster could not say what it runs then (or it was put there since, outside Harbormaster). An
     * emergency deploy is blocked too: nothing about an urgent fix is served by a canary of what already runs. The
     * image is the announced build's when there is one (compared as written: another digest under the same tag is
     * another image), else the version's tag on the stable image's repository, so the stable image's tag is compared.
     */
    private Optional<CheckResult.Block> runningAlready(Deploy d, StableDeployment stable) {
        var build = ports.builds().find(d.service(), d.version());
        boolean same = build.isPresent()
                ? build.get().image().equals(stable.image())
                : tagOf(stable.image()).map(d.version()::equals).orElse(false);
        if (!same) {
            return Optional.empty();
        }
        return Optional.of(new CheckResult.Block(
                NEW_IMAGE_CHECK,
                "the cluster already runs " + d.version() + ": the stable Deployment runs " + stable.image()
                        + ", so a canary would compare the image with itself",
                "deploy another version (/deploy " + d.service() + " <version>); nothing of " + d.version()
                        + " needs deploying"));
    }

    /** How the reason of a deploy waiting its turn in preflight starts. */
    private static final String WAITING = "waiting for its turn: ";

    /**
     * A deploy whose service (or a dependency) is being rolled out waits its turn in preflight instead of failing. It
     * says so when it starts waiting, and again each time what it waits for changes (the deploy ahead of it ended and
     * another one took the service), so that its state line always names what it waits for now; not at every sweep.
     */
    private Deploy waitForTurn(Deploy d, String why) {
        var transitions = ports.deploys().transitions(d.id());
        var last = transitions.isEmpty() ? "" : transitions.getLast().reason();
        if (last.equals(WAITING + why)) {
            return d;
        }
        var waiting = move(d, DeployState.PREFLIGHT, 0, ENGINE, WAITING + why);
        ports.notifier().notify(new DeployNotice.Waiting(waiting, why, !last.startsWith(WAITING)));
        return waiting;
    }

    /**
     * Which deploy holds the service's rollout that {@code d} could not claim: another of its deploys in flight, the
     * one furthest on (it claimed the rollout before its canary started), as the conflict check names them.
     */
    private String rolloutHeldBy(Deploy d) {
        return ports.deploys().inFlight(d.service()).stream()
                .filter(o -> o.id() != d.id())
                .max(java.util.Comparator.comparing((Deploy o) -> !beforeCanary(o.state()))
                        .thenComparing(Deploy::id, java.util.Comparator.reverseOrder()))
                .map(o -> "in flight: " + o.service() + " " + o.version() + " ("
                        + o.state().words() + ")")
                .orElse("another deploy of " + d.service() + " holds its rollout");
    }

    private List<String> freezes(ServiceSpec spec, Instant now) {
        var out = new ArrayList<String>();
        ports.policies()
                .freezesCovering(spec.name(), now)
                .forEach(f -> out.add(f.reason() + " (until " + f.endsAt() + ")"));
        ports.catalog().get().freezes().stream()
                .filter(f -> f.covers(spec.name(), now))
                .forEach(f -> out.add(f.reason() + " (until " + f.to() + ")"));
        return out;
    }

    /** The version each dependency runs now: the tag of its stable Deployment's image, where it has one. */
    private Map<String, String> dependencyVersions(ServiceSpec spec) {
        var versions = new LinkedHashMap<String, String>();
        for (var dep : spec.dependencies()) {
            ports.catalog().get().service(dep.service()).ifPresent(depSpec -> {
                try {
                    // inspect, not stable: a dependency's traffic route is its own canaries' business
                    tagOf(ports.cluster().inspect(target(depSpec)).stable().image())
                            .ifPresent(v -> versions.put(dep.service(), v));
                } catch (StableNotFound e) {
                    // reported by the health check
                }
            });
        }
        return versions;
    }

    /**
     * Dependencies that are not healthy now: no stable Deployment, or a rollback of it in progress. (An open incident
     * of one is weighed apart: {@link #dependencyIncidents}.)
     */
    private Map<String, String> unhealthyDependencies(ServiceSpec spec) {
        var unhealthy = new LinkedHashMap<String, String>();
        var rollingBack = ports.deploys().inFlight().stream()
                .filter(o -> o.state() == DeployState.ROLLING_BACK)
                .map(Deploy::service)
                .toList();
        for (var dep : spec.dependencies()) {
            var depSpec = ports.catalog().get().service(dep.service());
            if (depSpec.isEmpty()) {
                continue;
            }
            try {
                ports.cluster().inspect(target(depSpec.get()));
            } catch (StableNotFound e) {
                unhealthy.put(dep.service(), "it has no stable Deployment (" + e.getMessage() + ")");
                continue;
            }
            if (rollingBack.contains(dep.service())) {
                unhealthy.put(dep.service(), "a rollback of it is in progress");
            }
        }
        return unhealthy;
    }

    /**
     * The open incidents of {@code service}'s dependencies that hold its deploys back now, oldest first: each one
     * nobody resolved, opened less than {@link PipelineSettings#incidentBlock()} ago. Empty for a service not in the
     * catalog. What preflight weighs, and what {@code /deploy status} lists as held back.
     */
    public List<DependencyIncident> dependencyIncidents(String service) {
        return ports.catalog()
                .get()
                .service(service)
                .map(spec -> dependencyIncidents(spec, ports.clock().instant()))
                .orElse(List.of());
    }

    /** The automatic-deploy block of {@code service} in force, if any, naming the people of the deploy it came of. */
    private Optional<io.harbormaster.engine.policy.AutoDeployBlock> autoDeployBlock(String service, Instant now) {
        return ports.policies()
                .autoDeployBlock(service, now)
                .map(b -> b.deployId().isPresent()
                        ? b.naming(peopleOf(b.deployId().getAsLong()))
                        : b);
    }

    /**
     * Who the texts about a deploy name: the people who moved it ("rollback requested by U1", also in the engine's
     * move that carried it out) and those its moves' reasons name besides ({@link Transition#people}).
     */
    private List<String> peopleOf(long deployId) {
        return ports.deploys().transitions(deployId).stream()
                .flatMap(t -> Stream.concat(
                        t.actor().equals(ENGINE) ? Stream.<String>empty() : Stream.of(t.actor()), t.people().stream()))
                .distinct()
                .toList();
    }

    private List<DependencyIncident> dependencyIncidents(ServiceSpec spec, Instant now) {
        var catalog = ports.catalog().get();
        var holding = new ArrayList<DependencyIncident>();
        for (var dep : spec.dependencies()) {
            if (catalog.service(dep.service()).isEmpty()) {
                continue;
            }
            ports.incidents().recent(dep.service(), now.minus(settings.incidentBlock())).stream()
                    .filter(i -> i.resolvedAt().isEmpty())
                    .map(i -> new DependencyIncident(
                            dep.service(),
                            i.id(),
                            i.openedAt(),
                            i.openedAt().plus(settings.incidentBlock()),
                            i.summary(),
                            catalog.reviewerGroup(dep.service()),
                            i.deployId().isPresent() ? peopleOf(i.deployId().getAsLong()) : List.of()))
                    .forEach(holding::add);
        }
        holding.sort(java.util.Comparator.comparing(DependencyIncident::openedAt)
                .thenComparing(DependencyIncident::incidentId));
        return holding;
    }

    /**
     * {@code image} without its digest and tag: {@code registry:5000/shop/checkout:1.4.0@sha256:...} is {@code
     * registry:5000/shop/checkout} (a registry's port is not a tag).
     */
    static String repositoryOf(String image) {
        var withoutDigest = image.replaceFirst("@sha256:[0-9a-f]+$", "");
        return tagOf(image)
                .map(tag -> withoutDigest.substring(0, withoutDigest.length() - tag.length() - 1))
                .orElse(withoutDigest);
    }

    static Optional<String> tagOf(String image) {
        var withoutDigest = image.replaceFirst("@sha256:[0-9a-f]+$", "");
        int colon = withoutDigest.lastIndexOf(':');
        return colon < 0 || withoutDigest.indexOf('/', colon) >= 0
                ? Optional.empty()
                : Optional.of(withoutDigest.substring(colon + 1));
    }

    private List<String> conflicting(Deploy d, ServiceSpec spec) {
        var deps = spec.dependencies().stream().map(x -> x.service()).toList();
        return ports.deploys().inFlight().stream()
                .filter(o -> o.id() != d.id())
                .filter(o -> o.service().equals(d.service()) || deps.contains(o.service()))
                // only deploys that touch the cluster: two deploys waiting in preflight must not wait for each other. A
                // revert touches it as soon as it is advanced (nothing before that may stop it), and was asked for
                // first (nothing is stored for a service while one is in flight): what is asked for after it waits.
                .flatMap(o -> switch (o.state()) {
                    case CANARY, ROLLING_BACK -> Stream.of(new ConflictingDeploy(o, Optional.empty()));
                    case PROMOTING -> Stream.of(new ConflictingDeploy(o, revertOf(o)));
                    case REQUESTED -> revertOf(o).map(r -> new ConflictingDeploy(o, Optional.of(r))).stream();
                    default -> Stream.<ConflictingDeploy>empty();
                })
                .map(c -> c.deploy().service() + " " + c.deploy().version() + " ("
                        + c.revert()
                                .map(r -> "revert of " + r.fromVersion() + ", ")
                                .orElse("")
                        + c.deploy().state().words() + ")")
                .toList();
    }

    /** A deploy another one waits for, and what it reverts if it is a revert. */
    private record ConflictingDeploy(Deploy deploy, Optional<Revert> revert) {}

    private static Map<String, Object> checkJson(CheckResult r) {
        return switch (r) {
            case CheckResult.Pass p -> Map.of("check", p.check(), "result", "pass", "note", p.note());
            case CheckResult.Block b ->
                Map.of("check", b.check(), "result", "block", "reason", b.reason(), "unblock", b.unblock());
        };
    }

    // ------------------------------------------------------------------------------------------------ canary

    private Deploy canary(Deploy d) {
        var spec = spec(d);
        Judging judging;
        try {
            judging = policyOf(d, spec);
        } catch (IllegalArgumentException e) {
            var why = "the canary policy it started with cannot be read: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "deploy " + d.id() + ": " + why);
            return pause(d, why, Map.of("reason", why));
        }
        var policy = judging.policy();
        var now = ports.clock().instant();
        var seen = judged.get(d.id());
        Instant started;
        if (seen != null && seen.revision() == d.revision()) {
            started = seen.started();
            if (intervalsSince(started, now, policy) == seen.intervals()) {
                return d; // judged at this interval already, and nothing about the deploy changed since
            }
        } else {
            started = enteredAt(d, DeployState.CANARY).orElse(d.updatedAt());
        }
        tellIfConfigChanged(d, spec, judging);
        var after = judgeCanary(d, spec, judging, started, now);
        if (after.state() == DeployState.CANARY) {
            judged.put(d.id(), new Judged(after.revision(), started, intervalsSince(started, now, policy)));
        } else {
            judged.remove(d.id());
        }
        return after;
    }

    /**
     * What a sweep remembers of a canary it judged: until its next interval ends (or the deploy changes), there is
     * nothing new to judge, to scale or to check, so the sweep passes it by without reading the store or the cluster.
     */
    private record Judged(long revision, Instant started, long intervals) {}

    private static long intervalsSince(Instant started, Instant now, CanaryPolicy policy) {
        return Math.max(0, Duration.between(started, now).toSeconds()) / policy.intervalSeconds();
    }

    /** Whether the deploy's change was escalated by its risk score (unscored counts as escalated, as in routing). */
    private static boolean escalated(Deploy d) {
        return d.escalated().orElse(true);
    }

    /** The policy a canary is judged by: as the store keeps it, and as read. */
    private record Judging(StartedPolicy started, CanaryPolicy policy) {}

    /**
     * The canary policy this deploy is judged by: the one its canary started with. It is recorded in the store when
     * the canary starts (the service's escalated or standard policy, by what the deploy recorded when it was scored,
     * with the service's metrics templates, which its metrics are read by) and read back from then on, on every
     * replica and after a restart, so that a change of the configuration, or an upgrade that changes a default,
     * reaches only canaries started after it. A canary that started on a Harbormaster from before policies were
     * recorded has none: it records its service's policy as configured at its next evaluation, and is judged by that
     * from then on.
     *
     * @throws IllegalArgumentException when the stored policy cannot be read
     */
    private Judging policyOf(Deploy d, ServiceSpec spec) {
        var known = startedWith.get(d.id());
        if (known != null) {
            return known;
        }
        var stored = ports.deploys().canaryPolicy(d.id()).orElseGet(() -> ports.deploys()
                .recordCanaryPolicy(
                        d.id(),
                        StartedPolicy.of(escalated(d), spec.canaryFor(escalated(d)), spec.metricTemplates()),
                        ports.clock().instant()));
        var judging = new Judging(stored, stored.policy());
        startedWith.put(d.id(), judging);
        return judging;
    }

    /**
     * The service's policy was configured otherwise since the canary started: the canary keeps its own, and the audit
     * log says so once per configured policy (a log line too), rather than the thread: nothing changes for the people
     * watching the canary. An engine that did not say it itself (restarted, or the deploy's lease moved) looks in the
     * deploy's audit entries first.
     */
    private void tellIfConfigChanged(Deploy d, ServiceSpec spec, Judging judging) {
        var configured = spec.canaryFor(judging.started().escalated());
        if (configured.equals(judging.policy())) {
            return;
        }
        var hash = StartedPolicy.of(judging.started().escalated(), configured).hash();
        if (hash.equals(judging.started().hash()) || hash.equals(toldConfigured.get(d.id()))) {
            return;
        }
        var key = "\"" + CONFIGURED_POLICY_HASH + "\":\"" + hash + "\"";
        var told = new java.util.concurrent.atomic.AtomicBoolean();
        ports.audit().scan(AuditQuery.all().withDeploy(Long.toString(d.id())), e -> {
            if (e.record().action().equals(POLICY_KEPT)
                    && e.record().reasoningJson().contains(key)) {
                told.set(true);
            }
        });
        if (!told.get()) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "deploy " + d.id() + " (" + d.service() + "): its "
                            + judging.started().variant()
                            + " canary policy is configured otherwise now (" + hash + "); the running canary keeps"
                            + " the one it started with (" + judging.started().hash() + ")");
            var reasoning = new LinkedHashMap<String, Object>();
            reasoning.put("canary_policy", judging.started().variant());
            reasoning.put(CANARY_POLICY_HASH, judging.started().hash());
            reasoning.put(CONFIGURED_POLICY_HASH, hash);
            reasoning.put(
                    "reason",
                    "the configuration changed since the canary started; the running canary keeps the policy it"
                            + " started with, and canaries started from now on get the new one");
            audit(d, ENGINE, POLICY_KEPT, "continue", reasoning);
        }
        toldConfigured.put(d.id(), hash);
    }

    /** The audit action saying a running canary keeps its policy under a configuration changed since it started. */
    static final String POLICY_KEPT = "canary.policy_kept";

    /** The audit key of the hash of the policy a canary is judged by ({@link StartedPolicy#hash()}). */
    static final String CANARY_POLICY_HASH = "canary_policy_hash";

    private static final String CONFIGURED_POLICY_HASH = "configured_policy_hash";

    private Deploy judgeCanary(Deploy d, ServiceSpec spec, Judging judging, Instant started, Instant now) {
        var policy = judging.policy();
        var target = target(spec);

        // Wall-clock time of the evaluation (reading the samples and judging them), for the operator's metrics.
        long evaluating = System.nanoTime();
        Samples read;
        try {
            read = samples(d, spec, judging, started, now);
        } catch (MetricsUnavailable e) {
            return metricsDown(d, judging, target, started, now, e);
        }
        // only a canary whose outage just ended can be paused for it (the transitions are read only then)
        if (metricsAnswered(d.id()) && lastReasonStartsWith(d, "paused: " + METRICS_DOWN)) {
            d = resume(d);
        }
        var history = noiseHistory(d, spec, judging, started, now, read);
        var analysis = new CanaryAnalysis(policy, history.noise(), history.source());
        Verdict verdict = new Verdict.Continue(0, policy.steps().getFirst().weight(), List.of());
        int observed = 0;
        for (IntervalSample s : read.all()) {
            verdict = analysis.observe(s);
            observed++;
            if (!(verdict instanceof Verdict.Continue)) {
                break;
            }
        }
        if (verdict instanceof Verdict.Rollback || verdict instanceof Verdict.Promote) {
            // the canary ends on these numbers: the intervals judged live are frozen too (before the decision is
            // audited), so that the frozen samples replay to this very decision
            var live = read.all().subList(Math.min(read.frozen(), observed), observed);
            if (!live.isEmpty()) {
                ports.deploys().freezeSamples(d.id(), live, now);
            }
        }
        if (!now.isBefore(started.plusSeconds(policy.intervalSeconds()))) { // before one interval: nothing to judge
            timings.canaryAnalysed(d.service(), Duration.ofNanos(System.nanoTime() - evaluating));
        }
        if (verdict instanceof Verdict.Continue || verdict instanceof Verdict.Pause) {
            tellRestarts(d, judging, read.all().subList(0, observed));
        }
        return switch (verdict) {
            case Verdict.Rollback r -> {
                var why = summary(r.evidence(), "the canary is worse than the baseline");
                audit(
                        d,
                        ENGINE,
                        "canary.rollback",
                        "rollback",
                        withHistory(evidenceJson(judging, r.evidence(), r.at()), history, analysis));
                yield rollback(
                        move(d, DeployState.ROLLING_BACK, d.step(), ENGINE, why),
                        r.evidence(),
                        r.evidence().isEmpty()
                                ? Optional.empty()
                                : JudgedWindow.of(r.evidence().getFirst(), r.at(), policy));
            }
            case Verdict.Promote p -> {
                audit(
                        d,
                        ENGINE,
                        "canary.promote",
                        "promote",
                        withHistory(evidenceJson(judging, p.evidence(), p.at()), history, analysis));
                var promoting =
                        move(d, DeployState.PROMOTING, d.step(), ENGINE, summary(p.evidence(), "every step passed"));
                keepNoise(d, analysis, now);
                yield promote(promoting, p.evidence());
            }
            case Verdict.Pause p -> {
                // Canary or baseline pods that are not ready explain missing data: they are the readiness timeout's
                // to judge (a rollback that gives the stable track its pods back), not a human's.
                var readiness = ports.cluster().awaitReady(target, now);
                if (!(readiness instanceof Readiness.Ready)) {
                    yield notReady(d, judging, readiness, started, now);
                }
                yield pause(
                        d,
                        summary(p.evidence(), "the analysis cannot decide"),
                        evidenceJson(judging, p.evidence(), p.at()));
            }
            case Verdict.Continue c -> shift(d, judging, target, c, analysis.weight(), started, now);
        };
    }

    /** The audit action saying the canary's pods restart, below the restart trigger's limit, and the canary goes on. */
    static final String RESTARTS_SEEN = "canary.restarts";

    /**
     * A canary whose pods restart is told so in its thread before the restart trigger rolls it back (a crash loop
     * would otherwise be silent until then): when the first restarts show in the trigger's window, and again only
     * once they have at least doubled since last told, never at every interval. Each time is audited first
     * ({@link #RESTARTS_SEEN}, decision {@code continue}: the canary goes on below the limit), which is also how an
     * engine that did not tell it itself (restarted, or the deploy's lease moved) knows what was told.
     */
    private void tellRestarts(Deploy d, Judging judging, List<IntervalSample> observed) {
        var policy = judging.policy();
        var triggers = policy.hardTriggers();
        var seen = HardTriggers.restarts(observed, triggers, policy.intervalSeconds());
        if (!(seen.canary() >= 1)) {
            return;
        }
        double told = restartsTold.computeIfAbsent(d.id(), this::restartsOnRecord);
        if (seen.canary() < Math.max(1, 2 * told)) {
            return;
        }
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("restarts", seen.canary());
        if (Double.isFinite(seen.baseline())) {
            reasoning.put("baseline_restarts", seen.baseline());
        }
        reasoning.put("max_restarts", triggers.maxRestarts());
        reasoning.put("restart_window_seconds", triggers.restartWindowSeconds());
        reasoning.put(CANARY_POLICY_HASH, judging.started().hash());
        audit(d, ENGINE, RESTARTS_SEEN, "continue", reasoning);
        restartsTold.put(d.id(), seen.canary());
        ports.notifier()
                .notify(new DeployNotice.CanaryRestarting(
                        d, seen.canary(), seen.baseline(), triggers.maxRestarts(), triggers.restartWindowSeconds()));
    }

    /** The most restarts the deploy's {@link #RESTARTS_SEEN} entries name: what its thread was told; 0 for none. */
    private double restartsOnRecord(long deployId) {
        var most = new double[1];
        ports.audit().scan(AuditQuery.all().withDeploy(Long.toString(deployId)), e -> {
            if (e.record().action().equals(RESTARTS_SEEN)) {
                try {
                    most[0] = Math.max(
                            most[0],
                            JSON.readTree(e.record().reasoningJson())
                                    .path("restarts")
                                    .asDouble(0));
                } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
                    // an entry this engine cannot read tells nothing; the thread may hear of the restarts again
                }
            }
        });
        return most[0];
    }

    /**
     * Keeps a canary that passed on its own evidence: its noise is the service's, for its next canaries. Not keeping
     * it only costs those canaries time, so a store that fails here does not stop the promotion.
     */
    private void keepNoise(Deploy d, CanaryAnalysis analysis, Instant now) {
        try {
            ports.deploys().recordCanaryNoise(d.id(), analysis.noise(), now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not keep the canary noise of deploy " + d.id(), e);
        }
    }

    /**
     * The noise a canary starts from, and where it was measured: the noise of its service's latest promoted canaries
     * ({@code sources}, kept by the store), or for a canary whose service has none, what its stable track showed over
     * {@code stableTrack} before it started; none when the policy turns the history off.
     */
    private record History(
            CanaryNoise noise,
            NoiseSource source,
            List<KeptNoise> sources,
            Optional<StableTrackNoise.Window> stableTrack) {
        static final History NONE =
                new History(CanaryNoise.NONE, NoiseSource.EARLIER_CANARIES, List.of(), Optional.empty());
    }

    /**
     * The noise history a canary starts from. The kept noise is read again at every judgement: one rollout per service
     * at a time, so it cannot change under a canary, and a restarted engine judges from the same history. A canary
     * whose service has none reads its stable track once ({@link #stableTrack}) and is judged from that reading, as
     * stored, ever after.
     */
    private History noiseHistory(
            Deploy d, ServiceSpec spec, Judging judging, Instant started, Instant now, Samples read) {
        var policy = judging.policy();
        if (policy.sequential().noiseHistory() == 0) {
            return History.NONE;
        }
        var kept = ports.deploys().keptNoise(d.service(), CanaryNoise.CANARIES);
        if (!kept.isEmpty()) {
            return new History(
                    CanaryNoise.pooled(kept.stream().map(KeptNoise::noise).toList()),
                    NoiseSource.EARLIER_CANARIES,
                    kept,
                    Optional.empty());
        }
        if (policy.sequential().stableNoiseMinutes() == 0 || read.all().isEmpty()) {
            return History.NONE; // turned off, or nothing to judge yet (the track is read when there is)
        }
        return switch (stableTrack(d, spec, judging, started, now, read.frozenBefore())) {
            case StableTrackReading.Read r ->
                new History(r.noise(), NoiseSource.STABLE_TRACK, List.of(), Optional.of(r.window()));
            case StableTrackReading.NotRead n -> History.NONE;
        };
    }

    /**
     * What a first canary's stable track showed over the policy's {@code stable_noise_minutes} before the canary
     * started (whole intervals, ending at the start), read at its first judgement and stored: every later judgement,
     * on any replica and after a restart, takes the stored one. When the metrics store does not answer, or the window
     * holds too little data for a reading, the canary goes on without it as a first canary always did, and that is
     * stored too (and logged once), so it is not tried again at every interval. A canary that was judged before with
     * nothing stored (started on a Harbormaster that did not read the stable track) is not given a history midway:
     * its earlier judgements would no longer replay.
     */
    private StableTrackReading stableTrack(
            Deploy d, ServiceSpec spec, Judging judging, Instant started, Instant now, int frozenBefore) {
        var policy = judging.policy();
        var known = stableRead.get(d.id());
        if (known != null) {
            return known;
        }
        var stored = ports.deploys().stableTrackReading(d.id());
        if (stored.isPresent()) {
            stableRead.put(d.id(), stored.get());
            return stored.get();
        }
        long step = policy.intervalSeconds();
        long minutes = policy.sequential().stableNoiseMinutes();
        long intervals = minutes * 60 / step;
        var from = started.minusSeconds(Math.max(1, intervals) * step);
        StableTrackReading reading;
        if (frozenBefore > 0) {
            reading = new StableTrackReading.NotRead(
                    from,
                    started,
                    now,
                    "samples of the canary were frozen before its stable track was read (it started on a"
                            + " Harbormaster that did not read the stable track, or an engine stopped in between):"
                            + " it goes on without, as it was judged");
        } else if (intervals == 0) {
            reading = new StableTrackReading.NotRead(
                    from,
                    started,
                    now,
                    "sequential.stable_noise_minutes: " + minutes + " is shorter than one interval of " + step
                            + " s; nothing to read");
        } else {
            // by the queries the canary started with, as its own intervals are read
            var templates = judging.started().metricTemplates();
            reading = readStableTrack(d, spec, templates, from, started, now, Duration.ofSeconds(step));
        }
        // said once, by the engine that read it (later judgements take the stored reading without a word)
        LOG.log(
                reading instanceof StableTrackReading.Read ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "deploy " + d.id() + " (" + d.service() + "), whose service has no kept canary noise, "
                        + inWords(reading));
        var recorded = ports.deploys().recordStableTrackReading(d.id(), reading);
        stableRead.put(d.id(), recorded);
        return recorded;
    }

    private StableTrackReading readStableTrack(
            Deploy d,
            ServiceSpec spec,
            Optional<Map<String, String>> templates,
            Instant from,
            Instant to,
            Instant now,
            Duration interval) {
        List<io.harbormaster.engine.canary.TrackSample> track;
        try {
            track = ports.metrics()
                    .track(
                            new MetricsQuery(d.service(), spec.namespace(), from, to, interval, templates),
                            MetricsSource.STABLE);
        } catch (MetricsUnavailable e) {
            return new StableTrackReading.NotRead(from, to, now, "the metrics store did not answer: " + e.getMessage());
        }
        var noise = StableTrackNoise.of(track);
        int withData = StableTrackNoise.withData(track);
        if (!noise.known()) {
            return new StableTrackReading.NotRead(
                    from,
                    to,
                    now,
                    "too little data: " + withData + " of the window's " + track.size()
                            + " intervals had requests and both latency quantiles (the noise needs at least "
                            + StableTrackNoise.MIN_INTERVALS + " of them, in runs, that are not all alike)"
                            + (withData == 0 ? NO_STABLE_SERIES : ""));
        }
        return new StableTrackReading.Read(from, to, now, withData, noise);
    }

    /**
     * Why a stable track may give no data at all: its series are found by the label the metrics templates put {@code
     * {track}} in, which Harbormaster sets on the canary's and baseline's pods but cannot set on the stable pods
     * without restarting them.
     */
    static final String NO_STABLE_SERIES =
            "; none at all: do the stable Deployment's pods carry the label track: stable"
                    + " (in its pod template) that the metrics templates' {track} selects?";

    private static String inWords(StableTrackReading reading) {
        return switch (reading) {
            case StableTrackReading.Read r ->
                "starts from the noise of its stable track from " + r.from() + " to " + r.to() + " (" + r.intervals()
                        + " intervals with data)";
            case StableTrackReading.NotRead n ->
                "read no noise from its stable track from " + n.from() + " to " + n.to() + ": " + n.why()
                        + "; it learns the noise from its own first intervals";
        };
    }

    /**
     * Keeps canary and baseline at the current step's size, and records a step change when the weight moved: the
     * change is audited before any traffic moves to the new step.
     */
    private Deploy shift(
            Deploy d,
            Judging judging,
            RolloutTarget target,
            Verdict.Continue c,
            int weight,
            Instant started,
            Instant now) {
        var stable = ports.cluster().stable(target);
        var plan = stable.planFor(weight);
        var image = image(d, stable);
        int step = stepOf(judging.policy(), weight);
        boolean stepping = step != d.step();
        if (stepping) { // the decision is on record before a pod moves
            audit(d, ENGINE, "canary.step", "continue", withEvidence(stepJson(step, plan), c.evidence()));
        }
        ports.cluster().ensureBaseline(target, stable.image(), plan.baseline());
        ports.cluster().ensureCanary(target, image, plan.canary());
        ports.cluster().scale(target, plan);
        if (stepping) {
            var moved = move(d, DeployState.CANARY, step, ENGINE, "step " + step + ": canary " + plan.placeInWords());
            ports.notifier()
                    .notify(new DeployNotice.CanaryProgress(
                            moved, plan, judging.policy().steps().size(), c.evidence()));
            return moved;
        }
        var readiness = ports.cluster().awaitReady(target, now);
        return readiness instanceof Readiness.Ready ? d : notReady(d, judging, readiness, started, now);
    }

    /**
     * A canary step whose pods are not ready: it waits for them up to the readiness timeout from the step's start,
     * and is rolled back after it.
     */
    private Deploy notReady(Deploy d, Judging judging, Readiness readiness, Instant started, Instant now) {
        if (!now.isAfter(stepStart(d, started).plus(settings.readinessTimeout()))) {
            return d;
        }
        var why = NOT_READY + Durations.words(settings.readinessTimeout()) + ": " + inWords(readiness);
        audit(
                d,
                ENGINE,
                "canary.rollback",
                "rollback",
                Map.of("reason", why, CANARY_POLICY_HASH, judging.started().hash()));
        return rollback(move(d, DeployState.ROLLING_BACK, d.step(), ENGINE, why));
    }

    /** What the cluster said of its pods' readiness, in words. */
    private static String inWords(Readiness readiness) {
        return switch (readiness) {
            case Readiness.NotReady n -> n.reason();
            case Readiness.TimedOut t -> "still waiting for " + t.waitingFor();
            case Readiness.Ready r -> "ready";
        };
    }

    /** How the reason of a pause starts, and where the part for the human starts after why it paused. */
    private static final String PAUSED = "paused: ";

    private static final String ASK_HUMAN = " (a human decides: ";

    private Deploy pause(Deploy d, String why, Map<String, ?> reasoning) {
        if (lastReasonStartsWith(d, "paused")) {
            return d; // already paused and told
        }
        audit(d, ENGINE, "canary.paused", "pause", reasoning);
        var paused = moved(
                d,
                DeployState.CANARY,
                d.step(),
                ENGINE,
                PAUSED + why + ASK_HUMAN + "Promote anyway or Roll back in the deploy's thread, or /deploy rollback "
                        + d.service() + " to stop it)");
        ports.notifier()
                .notify(new DeployNotice.Paused(
                        paused.deploy(), why, paused.transition().ordinal()));
        return paused.deploy();
    }

    /**
     * The canary's samples so far, one per whole interval since {@code started}: the intervals frozen in the store as
     * they were first judged, then the later ones read from the metrics store now (only those: the store is asked for
     * the range after the last frozen interval). A read interval is frozen once it is settled, that is once it ended
     * at least one whole interval before {@code now} (late scrapes are in by then); the newest one is judged on a live
     * read and read again next time. A revision the metrics store makes to a frozen interval is never seen: every
     * evaluation, on any replica, judges the same numbers, and so can an auditor ({@code analyze run --db}). A canary
     * that ends (promoted or rolled back) freezes the live intervals it was decided on as well.
     *
     * @throws MetricsUnavailable when the metrics store cannot answer (nothing is frozen then)
     */
    private Samples samples(Deploy d, ServiceSpec spec, Judging judging, Instant started, Instant now) {
        long step = judging.policy().intervalSeconds();
        var templates = judging.started().metricTemplates(); // as the canary started: its queries do not change
        var interval = Duration.ofSeconds(step);
        if (now.isBefore(started.plus(interval))) {
            return new Samples(List.of(), 0, 0);
        }
        var frozen = ports.deploys().frozenSamples(d.id());
        if (!onGrid(frozen, step)) {
            // frozen at another interval length (a canary that started before policies were recorded, whose
            // interval was configured otherwise before its policy was recorded): judge a whole live read, as before
            // anything was frozen, and freeze no more
            LOG.log(
                    System.Logger.Level.WARNING,
                    "deploy " + d.id() + ": its frozen canary samples are not on the " + step
                            + " s grid of its policy; judging a live read of the whole canary");
            var all = ports.metrics()
                    .samples(new MetricsQuery(d.service(), spec.namespace(), started, now, interval, templates));
            return new Samples(all, all.size(), frozen.size());
        }
        long whole = Duration.between(started, now).toSeconds() / step; // intervals that ended by now
        if (frozen.size() >= whole) { // frozen by an engine whose clock is ahead of this one's
            return new Samples(frozen.subList(0, (int) whole), (int) whole, frozen.size());
        }
        long next = frozen.size() * step; // the start of the first interval not frozen (seconds since the start)
        var from = started.plusSeconds(next);
        // The store numbers intervals from the query's start; the analysis numbers them from the canary's start.
        var read = ports.metrics()
                .samples(new MetricsQuery(d.service(), spec.namespace(), from, now, interval, templates));
        var fresh = new ArrayList<IntervalSample>(read.size());
        for (IntervalSample s : read) {
            fresh.add(new IntervalSample(s.t() + next, s.baseline(), s.canary()));
        }
        // settled: the interval [t, t + step) ended at least one interval before now
        var settled = fresh.stream()
                .filter(s -> !started.plusSeconds(s.t() + 2 * step).isAfter(now))
                .toList();
        var out = new ArrayList<IntervalSample>(frozen.size() + fresh.size());
        if (!settled.isEmpty() && ports.deploys().freezeSamples(d.id(), settled, now) < settled.size()) {
            // another engine froze some of them first: its values are the ones judged, now and ever after
            var again = ports.deploys().frozenSamples(d.id());
            if (onGrid(again, step) && again.size() >= frozen.size() + settled.size()) {
                out.addAll(again.subList(0, frozen.size() + settled.size()));
                out.addAll(fresh.subList(settled.size(), fresh.size()));
                return new Samples(out, frozen.size() + settled.size(), frozen.size());
            }
        }
        out.addAll(frozen);
        out.addAll(fresh);
        return new Samples(out, frozen.size() + settled.size(), frozen.size());
    }

    /**
     * A canary's samples, oldest first; the first {@code frozen} of them are frozen in the store, {@code frozenBefore}
     * of them were before this evaluation (none: the canary was never judged on frozen data).
     */
    private record Samples(List<IntervalSample> all, int frozen, int frozenBefore) {}

    /** Whether frozen samples are the intervals 0, step, 2·step, ... with none missing. */
    private static boolean onGrid(List<IntervalSample> frozen, long step) {
        for (int i = 0; i < frozen.size(); i++) {
            if (frozen.get(i).t() != i * step) {
                return false;
            }
        }
        return true;
    }

    /**
     * The metrics store cannot answer: the canary holds at its current weight (no step forward, none back: judging
     * nothing would restart the analysis at its first step), and once the store has been unreachable for the
     * policy's no-data limit the deploy pauses for a human, as any other missing data does.
     */
    private Deploy metricsDown(
            Deploy d, Judging judging, RolloutTarget target, Instant started, Instant now, MetricsUnavailable e) {
        var policy = judging.policy();
        metricsUp.remove(d.id());
        var since =
                metricsDownSince.computeIfAbsent(d.id(), id -> ports.deploys().metricsDownSince(id, now));
        // The cluster is still kept at the current step, and pods that never become ready still end the canary.
        int weight = policy.steps()
                .get(Math.max(0, Math.min(d.step(), policy.steps().size()) - 1))
                .weight();
        var kept = shift(d, judging, target, new Verdict.Continue(0, weight, List.of()), weight, started, now);
        var down = Duration.between(since, now);
        if (kept.state() != DeployState.CANARY || down.toSeconds() < policy.maxNoDataSeconds()) {
            return kept;
        }
        return pause(
                kept,
                METRICS_DOWN + Durations.words(down) + ": " + e.getMessage(),
                evidenceJson(
                        judging,
                        List.of(),
                        Math.max(0, Duration.between(started, now).toSeconds())));
    }

    /**
     * The canary's metrics answered: an outage on record ends, and the answer says whether there was one. The store
     * is asked once after an outage this engine saw, and once per canary after this engine starts or takes the lease
     * (an outage recorded before); then not again until the metrics fail.
     */
    private boolean metricsAnswered(long deployId) {
        boolean knownDown = metricsDownSince.remove(deployId) != null;
        if (metricsUp.add(deployId) || knownDown) {
            return ports.deploys().metricsBack(deployId) || knownDown;
        }
        return false;
    }

    /** How the reason of a rollback for pods that never became ready starts, so that the rollback says why. */
    private static final String NOT_READY = "canary pods not ready after ";

    /** How the reason of a rollback the cluster forced starts: the incident's "metric" is the cluster. */
    private static final String CLUSTER_REFUSED = Incident.CLUSTER + ": ";

    /** How the reason of a pause for a metrics outage starts, so that the canary says when it resumes. */
    private static final String METRICS_DOWN = "no metrics for ";

    /** Metrics answer again after an outage paused the canary: it says so, and the analysis goes on. */
    private Deploy resume(Deploy d) {
        var why = "metrics are back; the analysis goes on";
        audit(d, ENGINE, "canary.resumed", "continue", Map.of("reason", why));
        var resumed = move(d, DeployState.CANARY, d.step(), ENGINE, "resumed: " + why);
        ports.notifier().notify(new DeployNotice.Resumed(resumed, why));
        return resumed;
    }

    private Instant stepStart(Deploy d, Instant canaryStart) {
        var transitions = ports.deploys().transitions(d.id());
        for (int i = transitions.size() - 1; i >= 0; i--) {
            var t = transitions.get(i);
            if (t.to() == DeployState.CANARY) {
                return t.at();
            }
        }
        return canaryStart;
    }

    private static int stepOf(CanaryPolicy policy, int weight) {
        for (int i = 0; i < policy.steps().size(); i++) {
            if (policy.steps().get(i).weight() == weight) {
                return i + 1;
            }
        }
        return 1;
    }

    private String image(Deploy d, StableDeployment stable) {
        return ports.builds()
                .find(d.service(), d.version())
                .map(AnnouncedBuild::image)
                .orElseGet(() -> repositoryOf(stable.image()) + ":" + d.version());
    }

    // ------------------------------------------------------------------------------------------------ endings

    private Deploy promote(Deploy d) {
        return promote(d, List.of());
    }

    /**
     * Promotes; {@code evidence} is what the analysis saw (empty when resuming after a restart). The stable Deployment
     * is read as it is ({@link Cluster#inspect}), without the checks a canary's start makes: an engine that resumes a
     * promotion the cluster already took must not fail it for a route that since stopped fitting a canary.
     */
    private Deploy promote(Deploy d, List<Evidence> evidence) {
        var spec = spec(d);
        var target = target(spec);
        var stable = ports.cluster().inspect(target).stable();
        ports.cluster().promote(target, image(d, stable));
        // resolved before the deploy is promoted, so that a restart in between repeats it; told after the promotion
        var resolved = resolveIncidentsOf(d);
        var promoted = move(d, DeployState.PROMOTED, d.step(), ENGINE, d.version() + " is live");
        ports.notifier().notify(new DeployNotice.Promoted(promoted, evidence));
        resolved.forEach(i -> tellResolved(i, ENGINE, "", OptionalLong.of(d.id())));
        reviewDue(promoted);
        return promoted;
    }

    private Deploy rollback(Deploy d) {
        return rollback(d, List.of(), Optional.empty());
    }

    /**
     * Rolls back; {@code evidence} is what tripped (empty for a person's rollback or when resuming), {@code judged} the
     * stretch of the canary it was judged on.
     */
    private Deploy rollback(Deploy d, List<Evidence> evidence, Optional<JudgedWindow> judged) {
        var spec = spec(d);
        ports.cluster().rollback(target(spec));
        var now = ports.clock().instant();
        // The move to rolling back says who started it and why (also to an engine that takes the rollback over).
        var started = ports.deploys().transitions(d.id()).stream()
                .filter(t -> t.to() == DeployState.ROLLING_BACK)
                .reduce((a, b) -> b);
        var reason = started.map(Transition::reason).orElse("rolled back");
        RollbackCause cause = started.filter(t -> !t.actor().equals(ENGINE))
                .<RollbackCause>map(t -> new RollbackCause.Requested(
                        t.actor(),
                        t.reason().endsWith(BY_BUTTON)
                                ? RollbackCause.Requested.Via.PAUSE_BUTTON
                                : RollbackCause.Requested.Via.COMMAND))
                .orElse(
                        reason.startsWith(NOT_READY)
                                ? new RollbackCause.NotReady()
                                : reason.startsWith(CLUSTER_REFUSED)
                                        ? new RollbackCause.ClusterRefused()
                                        : new RollbackCause.Analysis());
        var until = now.plus(settings.autoDeployBlock());
        audit(
                d,
                ENGINE,
                "incident.opened",
                "rollback",
                Map.of("reason", reason, "auto_deploys_blocked_until", until.toString()));
        var incident = ports.incidents()
                .open(
                        OptionalLong.of(d.id()),
                        d.service(),
                        d.version(),
                        cause instanceof RollbackCause.Requested ? Incident.STOPPED_BY_HAND : metricOf(reason),
                        reason,
                        switch (cause) {
                            case RollbackCause.ClusterRefused c ->
                                "the cluster refused an operation of the canary, not a metric: look at its"
                                        + " Deployments, Services and route, and at Harbormaster's rights, before"
                                        + " suspecting " + d.version();
                            case RollbackCause.Requested asked ->
                                asked.by() + " stopped the canary of " + d.version()
                                        + " by hand, not a metric: no judge had"
                                        + " found a regression. Ask them what they saw, or read the deploy's thread,"
                                        + " before suspecting the change";
                            default ->
                                "the change in " + d.version()
                                        + " is the first suspect: it is the only difference between canary and"
                                        + " baseline";
                        },
                        now);
        ports.policies()
                .blockAutoDeploys(
                        d.service(), until, "rollback of " + d.version() + ": " + reason, OptionalLong.of(d.id()));
        var rolledBack = move(d, DeployState.ROLLED_BACK, d.step(), ENGINE, reason);
        ports.notifier()
                .notify(new DeployNotice.RolledBack(rolledBack, cause, reason, evidence, judged, incident, until));
        reviewDue(rolledBack);
        return rolledBack;
    }

    /** How the reason of a person's stop of a deploy that had not reached the cluster begins; their id follows. */
    private static final String STOPPED_BY = "stopped by ";

    /** How the reason of a rollback asked for with a paused canary's Roll back button ends (the command's does not). */
    private static final String BY_BUTTON = " with the paused canary's Roll back button";

    /** {@link #rollbackRequested(String, String, String)} for a request without a key of its own. */
    public Submission rollbackRequested(String service, String user) {
        return rollbackRequested(service, user, "rollback:" + java.util.UUID.randomUUID());
    }

    /**
     * A person asks to roll a service back ({@code /deploy rollback}); answers what happened. A deploy of it in
     * preflight, awaiting approval or in its canary is stopped (its canary rolled back). With nothing of it in flight,
     * its latest promotion is reverted: a new deploy, returned in {@link DeployState#REQUESTED} (advancing it puts the
     * earlier image back), or the revert of that promotion that exists already ({@code duplicate}: a double request
     * reverts once). While a revert of the service is in flight, that revert is the answer ({@code duplicate}) and
     * nothing is stopped: a deploy asked for meanwhile waits its turn behind it in preflight, and a second person
     * pressing for the rollback the revert is doing must not stop that deploy instead. Refusals, with what to do
     * instead, are audited as {@code rollback.refused}.
     *
     * <p>A request is answered once: what it was answered with (the deploy it stopped, the revert it started or was
     * given) is recorded in the store under its key ({@link DeployStore#rollbackAnswer}), and a redelivery of it (a
     * Slack retry), on any replica and however late, is answered with that deploy as it is now ({@code duplicate}),
     * before anything else is looked at: it stops nothing that is in flight by then, reverts nothing further, and is
     * not refused for a stop made since. Only a refused request, which did nothing, is looked at again.
     *
     * @param idempotencyKey the request's own key (a Slack redelivery carries the same one)
     */
    public Submission rollbackRequested(String service, String user, String idempotencyKey) {
        // What is in flight is read before the answer is looked for: a delivery of the request at the same moment (on
        // another replica) stores its stop together with its answer, so either the answer is found here, or what is
        // read here still shows the deploy it stops, and stopping it again finds it moved, and then the answer.
        var ofService = ports.deploys().inFlight(service);
        var answered = ports.deploys().rollbackAnswer(idempotencyKey);
        if (answered.isPresent()) {
            return new Submission.Accepted(answered.get(), true); // this very request, delivered again
        }
        var answer = rollback(service, user, idempotencyKey, ofService);
        if (answer instanceof Submission.Accepted a) {
            // a stop recorded its answer as it moved the deploy (this changes nothing then); a revert, started or
            // given, is recorded now: a redelivery that finds it missing still finds the revert by its own key
            ports.deploys()
                    .recordRollbackAnswer(
                            idempotencyKey, a.deploy().id(), user, ports.clock().instant());
        }
        return answer;
    }

    /**
     * {@link #rollbackRequested(String, String, String)} of a request not answered before, given what of the service
     * is in flight.
     */
    private Submission rollback(String service, String user, String key, List<Deploy> ofService) {
        var reverting = ofService.stream().filter(d -> revertOf(d).isPresent()).findFirst();
        if (reverting.isPresent()) {
            return new Submission.Accepted(reverting.get(), true);
        }
        var inFlight = ofService.stream()
                .filter(d -> d.state() == DeployState.CANARY
                        || d.state() == DeployState.PREFLIGHT
                        || d.state() == DeployState.AWAITING_APPROVAL)
                .findFirst();
        if (inFlight.isEmpty()) {
            return revertRequested(service, user, key);
        }
        try {
            return new Submission.Accepted(
                    requestedRollback(inFlight.get(), user, RollbackCause.Requested.Via.COMMAND, Optional.of(key)),
                    false);
        } catch (StaleRevision e) {
            // the same request, delivered at the same moment on another replica, stopped it first: answered with that
            var answered = ports.deploys().rollbackAnswer(key);
            if (answered.isPresent()) {
                return new Submission.Accepted(answered.get(), true);
            }
            throw e;
        }
    }

    /**
     * A person stops a deploy: audited in one step with the move (stopped before the cluster, or rolling back its
     * canary, which goes on at once), and, for a rollback request ({@code answering}: its key), with the request's
     * answer recorded. Throws {@link StaleRevision} when the deploy moved since it was read, or the request's answer
     * is recorded already.
     */
    private Deploy requestedRollback(
            Deploy d, String user, RollbackCause.Requested.Via via, Optional<String> answering) {
        Runnable audited = () -> audit(
                d,
                user,
                "rollback.requested",
                "rollback",
                Map.of("state", d.state().name()));
        if (d.state() != DeployState.CANARY) {
            var stopped = moveAudited(d, DeployState.FAILED, user, STOPPED_BY + user, audited, answering);
            ports.notifier().notify(new DeployNotice.Stopped(stopped, user, d.state()));
            reviewDue(stopped);
            return stopped;
        }
        var rolling = moveAudited(
                d,
                DeployState.ROLLING_BACK,
                user,
                "rollback requested by " + user + (via == RollbackCause.Requested.Via.PAUSE_BUTTON ? BY_BUTTON : ""),
                audited,
                answering);
        return advance(d.id()).orElse(rolling);
    }

    // ------------------------------------------------------------------------------------------------ incidents

    /**
     * A promotion shows the service healthy again on a new version: each incident of the service still open is
     * resolved, audited first ({@code incident.resolved} by the engine, naming this deploy), so that the services that
     * depend on it are no longer held back and the advisor's memory says how it ended. Safe to repeat after a restart:
     * an incident resolved before, by a person or by this promotion, is left as it is. A revert resolves nothing: it
     * puts back a version without judging it. Returns the incidents it resolved, for the caller to tell once the
     * promotion itself is told.
     */
    private List<Incident> resolveIncidentsOf(Deploy d) {
        var resolution =
                "resolved by the promotion of " + d.service() + " " + d.version() + " (deploy #" + d.id() + ")";
        var resolved = new ArrayList<Incident>();
        for (var open : ports.incidents().unresolved(d.service())) {
            var reasoning = incidentFacts(open);
            reasoning.put("resolved_by", "promotion");
            reasoning.put("promoted_deploy", d.id());
            reasoning.put("promoted_version", d.version());
            reasoning.put("resolution", resolution);
            resolveAudited(open, ENGINE, resolution, "", reasoning).ifPresent(resolved::add);
        }
        return resolved;
    }

    /**
     * A person resolves an incident by hand ({@code /deploy resolve}), saying its service is healthy again: the
     * services that depend on it are no longer held back by it. Only members of the service's approver group may (of
     * the auditor group once the service is no longer in the catalog), as they decide its risky deploys; a refusal
     * is audited as {@code resolve.refused}. Resolved once: the {@code incident.resolved} entry is written first,
     * while the incident's row is held ({@link IncidentStore#resolve}), so that of two resolutions at the same moment,
     * on any replicas, one is recorded and the other is told it was resolved already.
     *
     * @param note what the person says of it (may be empty); kept in the resolution
     */
    public IncidentResolution resolveIncident(long incidentId, String user, String note) {
        var found = ports.incidents().find(incidentId);
        if (found.isEmpty()) {
            return new IncidentResolution.NotFound("there is no incident #" + incidentId + ": give the number a"
                    + " rollback notice, a blocked preflight or /deploy status names");
        }
        var incident = found.get();
        if (incident.resolvedAt().isPresent()) {
            return new IncidentResolution.AlreadyResolved(incident); // not a new decision: not audited
        }
        var catalog = ports.catalog().get();
        var group = catalog.reviewerGroup(incident.service());
        if (!catalog.members(group).contains(user)) {
            var whose = catalog.service(incident.service()).isPresent()
                    ? incident.service() + "'s approvers"
                    : "the auditor group, audit.auditors: " + incident.service() + " is no longer in harbormaster.yml";
            var reason = "only members of " + group + " (" + whose + ") may resolve incident #" + incidentId + " of "
                    + incident.service() + ": ask one of them once " + incident.service() + " is healthy again";
            var reasoning = incidentFacts(incident);
            reasoning.put("reason", reason);
            reasoning.put("allowed_group", group);
            audit(
                    user,
                    "resolve.refused",
                    incident.deployId().isPresent()
                            ? Long.toString(incident.deployId().getAsLong())
                            : "",
                    incident.service(),
                    incident.version(),
                    "refused",
                    reasoning);
            return new IncidentResolution.Refused(reason);
        }
        var said = note.strip();
        var resolution = "resolved by " + user + (said.isEmpty() ? "" : ": " + said);
        var reasoning = incidentFacts(incident);
        reasoning.put("resolved_by", user);
        reasoning.put("resolver_group", group);
        reasoning.put("note", said);
        reasoning.put("resolution", resolution);
        var resolved = resolveAudited(incident, user, resolution, said, reasoning);
        if (resolved.isPresent()) {
            tellResolved(resolved.get(), user, said, OptionalLong.empty());
            return new IncidentResolution.Resolved(resolved.get());
        }
        // resolved meanwhile, by someone else or a promotion
        return new IncidentResolution.AlreadyResolved(
                ports.incidents().find(incidentId).orElse(incident));
    }

    /**
     * Resolves {@code open} if it is still open, with its {@code incident.resolved} entry written first; empty when it
     * was resolved meanwhile (nothing audited). The caller tells it ({@link #tellResolved}).
     */
    private Optional<Incident> resolveAudited(
            Incident open, String actor, String resolution, String note, Map<String, Object> reasoning) {
        var audited = new boolean[1];
        var after = ports.incidents()
                .resolve(open.id(), resolution, ports.clock().instant(), () -> {
                    audited[0] = true;
                    audit(
                            actor,
                            "incident.resolved",
                            open.deployId().isPresent()
                                    ? Long.toString(open.deployId().getAsLong())
                                    : "",
                            open.service(),
                            open.version(),
                            "resolved",
                            reasoning);
                });
        if (!audited[0] || after.isEmpty()) {
            return Optional.empty();
        }
        return after;
    }

    /**
     * Tells the thread of the deploy whose rollback opened {@code resolved} that it is resolved, by {@code actor}
     * (with their {@code note}), or by the promotion of deploy {@code promotion}.
     */
    private void tellResolved(Incident resolved, String actor, String note, OptionalLong promotion) {
        if (resolved.deployId().isPresent()) {
            ports.deploys().find(resolved.deployId().getAsLong()).ifPresent(rolledBack -> ports.notifier()
                    .notify(new DeployNotice.IncidentResolved(rolledBack, resolved, actor, note, promotion)));
        }
    }

    /** What an incident's audit entries say of it. */
    private static LinkedHashMap<String, Object> incidentFacts(Incident i) {
        var facts = new LinkedHashMap<String, Object>();
        facts.put("incident_id", i.id());
        facts.put("opened_at", i.openedAt().toString());
        facts.put("summary", i.summary());
        return facts;
    }

    // ------------------------------------------------------------------------------------------------ revert

    /** The key under which a passed preflight records the stable Deployment's image as the canary starts. */
    static final String STABLE_IMAGE = "stable_image";

    /** The key of the preflight entry that starts a canary under which its first step's traffic is recorded. */
    public static final String CANARY_START = "canary_start";

    /**
     * A step as the cluster runs it, as the audit log records it (the first in the {@code preflight} entry's {@value
     * #CANARY_START}, each later one in its {@code canary.step} entry): the weight the step asks for, the pods of each
     * track, the canary's share of the traffic in whole percent and how the traffic is divided.
     */
    private static Map<String, Object> stepJson(int step, ReplicaPlan plan) {
        var m = new LinkedHashMap<String, Object>();
        m.put("weight", plan.weightPercent());
        m.put("step", step);
        m.put("pods", Map.of("canary", plan.canary(), "baseline", plan.baseline(), "stable", plan.stable()));
        m.put("traffic_share_percent", plan.sharePercent());
        m.put("traffic", plan.split().configName());
        return m;
    }

    private static Map<String, Object> withEvidence(Map<String, Object> step, List<Evidence> evidence) {
        var m = new LinkedHashMap<>(step);
        m.put("evidence", evidence.stream().map(DeployPipeline::evidenceOne).toList());
        return m;
    }

    /** How many reverts of one promotion may be started one after another, each after the one before failed. */
    private static final int REVERT_ATTEMPTS = 10;

    /**
     * {@code /deploy rollback} with nothing of the service in flight: a revert of its latest promotion to what the
     * service ran before it. The revert's request is keyed by the promotion it undoes ({@link Revert#key}), so that
     * two requests for it, on any replicas, make one deploy; and it is stored in the service's intake step as every
     * request is, only while nothing of the service is in flight, so that a revert and a deploy asked for at the same
     * moment (on any replicas) never both start.
     */
    /**
     * How soon after a person stopped a service's deploy a {@code /deploy rollback} of it is taken for the same intent:
     * two people who press for a rollback of a bad canary at the same moment want the canary stopped, not the version
     * before it reverted as well (the second request, finding nothing in flight, would revert the latest promotion).
     */
    public static final Duration JUST_STOPPED = Duration.ofSeconds(30);

    /**
     * The refusal of a revert asked for within {@link #JUST_STOPPED} of a person stopping the service's latest deploy
     * (its canary rolled back, or stopped before it reached the cluster); empty otherwise. Asked again after that, the
     * revert goes ahead: by then the person has seen the stop. {@code promoted}: the service's latest promotions,
     * newest first, as the request already read them.
     */
    private Optional<Submission> justStopped(String service, String user, List<Deploy> promoted) {
        var last = ports.deploys()
                .lastFinished(service)
                .filter(d -> d.state() == DeployState.ROLLED_BACK || d.state() == DeployState.FAILED);
        if (last.isEmpty()) {
            return Optional.empty();
        }
        var now = ports.clock().instant();
        var stop = ports.deploys().transitions(last.get().id()).stream()
                .filter(t -> t.to() == DeployState.ROLLING_BACK || t.to() == DeployState.FAILED)
                .filter(t -> !ENGINE.equals(t.actor()))
                .filter(t -> !t.at().isBefore(now.minus(JUST_STOPPED)))
                .reduce((a, b) -> b);
        if (stop.isEmpty()) {
            return Optional.empty();
        }
        var d = last.get();
        var by = stop.get().actor();
        var live = promoted.stream()
                .findFirst()
                .map(p -> p.version() + " (deploy #" + p.id() + ") is still live")
                .orElse("the version that ran before it is still live");
        var again = Times.seconds(stop.get().at().plus(JUST_STOPPED));
        return Optional.of(rollbackRefused(
                service,
                user,
                "deploy #" + d.id() + " (" + service + " " + d.version() + ") was "
                        + (stop.get().to() == DeployState.FAILED ? "stopped" : "rolled back") + " by " + by + " at "
                        + Times.seconds(stop.get().at())
                        + ", moments before this request: nothing more was rolled back. "
                        + live + "; to go back from it too, run /deploy rollback " + service + " again after " + again,
                List.of(by)));
    }

    private Submission revertRequested(String service, String user, String key) {
        var promoted = ports.deploys().promoted(service, 2);
        var latestRevert = promoted.isEmpty() ? Optional.<Revert>empty() : revertOf(promoted.getFirst());
        if (latestRevert.filter(r -> r.requestKey().equals(key)).isPresent()) {
            // this very request, delivered again, with no answer in the store (asked before answers were recorded, or
            // the engine stopped between storing the revert and its answer): answered with the revert it made before
            // anything else is looked at, a person's stop of a later deploy included
            return new Submission.Accepted(promoted.getFirst(), true);
        }
        if (ports.catalog().get().service(service).isEmpty()) {
            return rollbackRefused(service, user, unknownService(service));
        }
        var moving = ports.deploys().inFlight(service).stream().findFirst();
        if (moving.isPresent()) {
            return busy(service, user, moving.get(), () -> restoredVersion(service, key));
        }
        var lock = ports.policies().lockOf(service);
        if (lock.isPresent() && !lock.get().lockedBy().equals(user)) {
            var l = lock.get();
            return rollbackRefused(
                    service,
                    user,
                    service + " is locked by " + l.lockedBy() + " (" + l.shownReason() + "): nothing was rolled back."
                            + " While it is locked only " + l.lockedBy() + " may revert it; or lift the lock first"
                            + " with /deploy unlock " + service,
                    List.of(l.lockedBy()));
        }
        var stoppedJustNow = justStopped(service, user, promoted);
        if (stoppedJustNow.isPresent()) {
            return stoppedJustNow.get();
        }
        if (promoted.isEmpty()) {
            return rollbackRefused(
                    service,
                    user,
                    "nothing of " + service + " is in flight, and Harbormaster never promoted a version of it, so"
                            + " there is no earlier version to go back to: nothing was rolled back. To run a version,"
                            + " deploy it: /deploy " + service + " <version>");
        }
        var latest = promoted.getFirst();
        var earlier = latestRevert;
        if (earlier.isPresent()) {
            var by = ports.deploys()
                    .request(latest.id())
                    .map(DeployRequest::requestedBy)
                    .orElse("someone");
            return rollbackRefused(
                    service,
                    user,
                    service + "'s latest promotion is a revert already: deploy #" + latest.id() + " (asked by " + by
                            + ") put " + latest.version() + " back in place of "
                            + earlier.get().fromVersion()
                            + ". Nothing was rolled back again; to go further back, deploy the version you want: /deploy "
                            + service + " <version>",
                    List.of(by));
        }
        var found = revertTarget(latest, promoted.size() > 1 ? Optional.of(promoted.get(1)) : Optional.empty(), key);
        if (found.isEmpty()) {
            return rollbackRefused(
                    service,
                    user,
                    "Harbormaster has no record of what " + service + " ran before " + latest.version() + " (deploy #"
                            + latest.id() + " was promoted before this version recorded it, and no earlier promotion"
                            + " with an announced build is on record): nothing was rolled back. Deploy the version you"
                            + " want: /deploy " + service + " <version>");
        }
        var revert = found.get();
        var version = versionOf(revert.image());
        if (version.equals(latest.version())) {
            return rollbackRefused(
                    service,
                    user,
                    service + " ran " + latest.version() + " before deploy #" + latest.id() + " promoted it again, so"
                            + " a revert would change nothing: nothing was rolled back. Deploy the version you want:"
                            + " /deploy " + service + " <version>");
        }
        for (int attempt = 1; attempt <= REVERT_ATTEMPTS; attempt++) {
            var request = new DeployRequest(
                    Revert.key(latest.id(), attempt),
                    RequestSource.SLACK,
                    service,
                    version,
                    settings.environment(),
                    user,
                    false,
                    revert.payload(),
                    ports.clock().instant());
            // What was looked at above may have changed since: a deploy of the service stored meanwhile, here or on
            // another replica, or a revert of its own. Anything of the service in flight is what a revert repeats,
            // found in the same step as it is stored: of a revert and a deploy at the same moment, one starts.
            var intake = ports.deploys().intake(request, (d, itsRequest) -> true);
            if (intake instanceof Intake.AlreadyInFlight first) {
                return busy(service, user, first.deploy(), () -> Optional.of(version));
            }
            if (intake instanceof Intake.Created created) {
                publish(DeployEvent.requested(created.deploy(), request));
                ports.notifier().notify(new DeployNotice.Accepted(created.deploy(), user, false));
                return new Submission.Accepted(created.deploy(), false);
            }
            var other = intake.deploy();
            if (revertOf(other).filter(o -> o.reverts() == latest.id()).isEmpty()) {
                continue; // the key is some other request's: never answered as this revert
            }
            if (!other.state().terminal() || other.state() == DeployState.PROMOTED) {
                return new Submission.Accepted(other, true); // another request for the same revert came first
            }
            // that attempt ended without reverting (the cluster refused it, its pods never got ready): try again
        }
        return rollbackRefused(
                service,
                user,
                REVERT_ATTEMPTS + " reverts of deploy #" + latest.id() + " failed already: nothing was rolled back."
                        + " Look at why in their threads, then deploy the version you want: /deploy " + service
                        + " <version>");
    }

    /**
     * The answer to a revert asked for while deploy {@code d} of its service is in flight: a revert already (the same
     * request delivered again, or someone's at the same moment) is the one asked for; any other deploy is in the way,
     * and the refusal names it. One that goes to the version the revert would put back ({@code restoring}, read only
     * then) says so, and how to have it put back without a canary instead.
     */
    private Submission busy(String service, String user, Deploy d, Supplier<Optional<String>> restoring) {
        if (revertOf(d).isPresent()) {
            return new Submission.Accepted(d, true); // a revert in progress: the same request, or one at once
        }
        if (d.state() != DeployState.ROLLING_BACK
                && restoring.get().filter(d.version()::equals).isPresent()) {
            var by = requesterOf(d);
            var onItsWay = "deploy #" + d.id() + " (" + service + " " + d.version() + ", asked by " + by
                    + ") is already on its way to " + d.version() + ", the version a revert would put back: ";
            var follow = "Nothing was rolled back; follow it with /deploy status " + service;
            if (d.state() == DeployState.PROMOTING) {
                return rollbackRefused(
                        service,
                        user,
                        onItsWay + "its canary passed and it is being promoted right now. " + follow,
                        List.of(by));
            }
            return rollbackRefused(
                    service,
                    user,
                    onItsWay + "it is " + d.state().words() + " right now, and a canary comes before it is live. "
                            + follow + ". To put " + d.version() + " back at once without a canary instead, stop that"
                            + " deploy (/deploy rollback " + service + " stops a deploy in preflight, awaiting approval"
                            + " or in its canary), then run /deploy rollback " + service + " again",
                    List.of(by));
        }
        return rollbackRefused(
                service,
                user,
                "deploy #" + d.id() + " (" + service + " " + d.version() + ") is "
                        + d.state().words()
                        + " right now: nothing was rolled back. Run /deploy rollback " + service + " again in a"
                        + " moment: it stops a deploy in preflight, awaiting approval or in its canary, and with"
                        + " nothing in flight it reverts the latest promotion");
    }

    /**
     * The version a revert of {@code service}'s latest promotion would put back now, if there is one to revert (what
     * {@link #revertRequested} finds, without its refusals).
     */
    private Optional<String> restoredVersion(String service, String key) {
        var promoted = ports.deploys().promoted(service, 2);
        if (promoted.isEmpty() || revertOf(promoted.getFirst()).isPresent()) {
            return Optional.empty();
        }
        return revertTarget(
                        promoted.getFirst(), promoted.size() > 1 ? Optional.of(promoted.get(1)) : Optional.empty(), key)
                .map(r -> versionOf(r.image()));
    }

    /**
     * What a revert of {@code latest} goes back to: the stable Deployment's image when its canary started, as its
     * preflight entry in the audit log recorded it (what ran before, whoever put it there); for a deploy from before
     * that was recorded, the image of the promotion before it ({@code before}), if its build was announced.
     */
    private Optional<Revert> revertTarget(Deploy latest, Optional<Deploy> before, String key) {
        var recorded = new java.util.concurrent.atomic.AtomicReference<String>();
        ports.audit().scan(AuditQuery.all().withDeploy(Long.toString(latest.id())), e -> {
            if (e.record().action().equals("preflight")) {
                stableImageIn(e.record().reasoningJson()).ifPresent(recorded::set);
            }
        });
        if (recorded.get() != null) {
            return Optional.of(new Revert(
                    latest.id(),
                    latest.version(),
                    recorded.get(),
                    "the stable Deployment's image when deploy #" + latest.id() + "'s canary started",
                    key));
        }
        return before.flatMap(b -> ports.builds()
                .find(b.service(), b.version())
                .map(build -> new Revert(
                        latest.id(),
                        latest.version(),
                        build.image(),
                        "the image of the promotion before it (deploy #" + b.id() + ")",
                        key)));
    }

    private static Optional<String> stableImageIn(String reasoningJson) {
        try {
            var node = JSON.readTree(reasoningJson).path(STABLE_IMAGE);
            return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The version a revert to {@code image} is shown as: its tag, else its digest's first 12 digits. */
    static String versionOf(String image) {
        var tag = tagOf(image);
        if (tag.isPresent()) {
            return tag.get();
        }
        var digest = java.util.regex.Pattern.compile("@sha256:([0-9a-f]{12})").matcher(image);
        return digest.find() ? "sha256-" + digest.group(1) : "latest";
    }

    /** The revert a deploy is, if it is one. */
    private Optional<Revert> revertOf(Deploy d) {
        return ports.deploys().request(d.id()).flatMap(Revert::of);
    }

    /**
     * A revert starts: only while the promotion it undoes is still the service's latest, and once it holds the
     * service's rollout (nothing else may touch the cluster for it meanwhile). Then it is audited ({@code
     * deploy.revert}: who, why, from and to what) in one step with its move to promoting, before the cluster is
     * touched. It skips risk scoring, approval, preflight and the canary: the image ran there before.
     */
    private Deploy startRevert(Deploy d, Revert r) {
        var latest = ports.deploys().promoted(d.service(), 1);
        if (!latest.isEmpty() && latest.getFirst().id() != r.reverts()) {
            return fail(
                    d,
                    "deploy #" + latest.getFirst().id() + " ("
                            + latest.getFirst().version() + ")"
                            + " was promoted after this revert was asked for, so it would undo more than deploy #"
                            + r.reverts() + ": nothing was reverted. Run /deploy rollback " + d.service()
                            + " again to revert the latest promotion");
        }
        var now = ports.clock().instant();
        if (!ports.deploys().claimRollout(d.service(), d.id(), now)) {
            var holder = ports.deploys().inFlight().stream()
                    .filter(o -> o.service().equals(d.service()) && o.id() != d.id())
                    .map(o -> "deploy #" + o.id() + " (" + o.version() + ")")
                    .findFirst()
                    .orElse("another deploy");
            return fail(
                    d,
                    holder + " of " + d.service() + " reached the cluster first: nothing was reverted. Stop it with"
                            + " /deploy rollback " + d.service() + ", then run it again to revert the latest"
                            + " promotion");
        }
        var request = ports.deploys().request(d.id()).orElseThrow();
        // inspect: a revert does not divide traffic, so a route that could not is no reason to refuse it
        var running = ports.cluster().inspect(target(spec(d))).stable().image();
        var reasoning = new LinkedHashMap<String, Object>(r.fields());
        reasoning.put("to_version", d.version());
        reasoning.put("running_image", running);
        reasoning.put(
                "reason",
                "/deploy rollback " + d.service() + " with nothing of it in flight: its latest promotion (deploy #"
                        + r.reverts() + ", " + r.fromVersion() + ") is undone");
        reasoning.put("skips", List.of("risk scoring", "approval", "preflight", "canary"));
        reasoning.put("auto_deploys_blocked_for", Durations.words(settings.autoDeployBlock()));
        var by = request.requestedBy();
        var reverting = moveAudited(
                d,
                DeployState.PROMOTING,
                by,
                "revert of deploy #" + r.reverts() + " requested by " + by + ": from " + r.fromVersion() + " back to "
                        + d.version() + ", without a canary",
                () -> audit(d, by, "deploy.revert", "revert", reasoning));
        ports.notifier()
                .notify(new DeployNotice.Reverting(
                        reverting, r, by, reverting.updatedAt().plus(settings.autoDeployBlock())));
        return reverting;
    }

    /**
     * A revert's promotion, safe to repeat (after a restart, or while its pods get ready): automatic deploys are
     * blocked from its audited start on, as after a rollback, so that CI does not push the reverted version again;
     * the stable Deployment gets the image at full size; once its pods are ready it is done. Pods that are not ready
     * within the readiness timeout fail it, saying what the cluster runs.
     */
    private Deploy promoteRevert(Deploy d, Revert r) {
        var since = enteredAt(d, DeployState.PROMOTING).orElse(d.updatedAt());
        var until = since.plus(settings.autoDeployBlock());
        ports.policies()
                .blockAutoDeploys(
                        d.service(),
                        until,
                        "revert of " + r.fromVersion() + " (deploy #" + r.reverts() + ") to " + d.version(),
                        OptionalLong.of(r.reverts()));
        var target = target(spec(d));
        var there = ports.cluster().inspect(target);
        if (!there.stable().image().equals(r.image())
                || there.stable().replicas() != there.stable().fullReplicas()
                || there.inProgress()
                // a route a rollout left dividing the traffic (its canary deleted by hand, an end cut short)
                || ports.cluster().trafficDivided(target)) {
            ports.cluster().promote(target, r.image()); // once, unless something moved it since
        }
        var now = ports.clock().instant();
        var readiness = ports.cluster().awaitReady(target, now);
        if (readiness instanceof Readiness.Ready) {
            var by = ports.deploys()
                    .request(d.id())
                    .map(DeployRequest::requestedBy)
                    .orElse(ENGINE);
            var done = move(
                    d,
                    DeployState.PROMOTED,
                    d.step(),
                    ENGINE,
                    d.version() + " is live again: reverted from " + r.fromVersion() + " (deploy #" + r.reverts()
                            + ")");
            ports.notifier().notify(new DeployNotice.Reverted(done, r, by, until));
            return done;
        }
        if (!now.isAfter(since.plus(settings.readinessTimeout()))) {
            return d; // its pods are on their way: looked at again on the next sweep
        }
        return fail(
                d,
                "the stable Deployment runs " + r.image() + " again, but its pods are not ready after "
                        + Durations.words(settings.readinessTimeout()) + ": " + inWords(readiness)
                        + ". Kubernetes keeps the pods of the version before it that are still ready; fix the cause,"
                        + " or deploy the version you want: /deploy " + d.service() + " <version>");
    }

    /** A {@code /deploy rollback} that does nothing: audited ({@code rollback.refused}, with why), then answered. */
    private Submission rollbackRefused(String service, String user, String reason) {
        return rollbackRefused(service, user, reason, List.of());
    }

    /** ... whose reason names {@code people} by their ids. */
    private Submission rollbackRefused(String service, String user, String reason, List<String> people) {
        audit(user, "rollback.refused", "", service, "", "refused", Map.of("reason", reason));
        return new Submission.Refused(reason, people);
    }

    /**
     * A person's click on a paused canary's Promote anyway or Roll back, authorized here as an approval is (a member
     * of the service's approver group, neither the change's author nor the deploy's requester), whatever the front
     * end checked. Taken only while the canary is still paused for a human, and once: clicks on one deploy take their
     * turn in this engine ({@link #decide}'s locks), and across replicas the audit entry and the move are one step on
     * the deploy's row ({@link DeployStore#transition(long, int, DeployState, int, String, String, Instant,
     * Runnable)}), so that a second click finds the deploy moved and does nothing.
     */
    public PauseDecision decidePause(long deployId, String user, PauseDecision.Choice choice) {
        var lock = deciding[Math.floorMod(Long.hashCode(deployId), deciding.length)];
        lock.lock();
        try {
            return decidePauseAlone(deployId, user, choice);
        } finally {
            lock.unlock();
        }
    }

    private PauseDecision decidePauseAlone(long deployId, String user, PauseDecision.Choice choice) {
        var found = ports.deploys().find(deployId);
        if (found.isEmpty()) {
            return new PauseDecision.Refused(
                    "there is no deploy #" + deployId + ": use the buttons in the deploy's own thread");
        }
        var d = found.get();
        var why = pausedFor(d);
        if (why.isEmpty()) {
            return new PauseDecision.NotWaiting(notPaused(d), d);
        }
        var refused = refusal(
                d,
                user,
                "pause.refused",
                choice.name().toLowerCase(),
                List.of(),
                Instant.MAX,
                choice == PauseDecision.Choice.PROMOTE ? ApprovalPolicy.Act.PROMOTE : ApprovalPolicy.Act.ROLL_BACK);
        if (refused.isPresent()) {
            return new PauseDecision.Refused(refused.get());
        }
        try {
            var after =
                    switch (choice) {
                        case PROMOTE -> promoteAfterPause(d, user, why.get());
                        case ROLLBACK ->
                            requestedRollback(d, user, RollbackCause.Requested.Via.PAUSE_BUTTON, Optional.empty());
                    };
            return new PauseDecision.Taken(choice, after);
        } catch (StaleRevision e) { // decided, rolled back or resumed since it was read: nothing was audited
            var now = ports.deploys().find(deployId).orElse(d);
            return new PauseDecision.NotWaiting(notPaused(now), now);
        }
    }

    /**
     * A person promotes a paused canary: audited (who, why it paused, and the evidence and policy it paused on) in one
     * step with the move to promoting, then promoted as the analysis promotes. Its noise is not kept for the
     * service's next canaries: it did not pass on its own evidence.
     */
    private Deploy promoteAfterPause(Deploy d, String user, String why) {
        var reasoning = new LinkedHashMap<String, Object>(pausedOn(d));
        reasoning.put("by", user);
        reasoning.put("after_pause", why);
        var promoting = moveAudited(
                d,
                DeployState.PROMOTING,
                user,
                "promoted by " + user + " after the pause: " + why,
                () -> audit(d, user, "canary.promote", "promote", reasoning));
        return advance(d.id()).orElse(promoting);
    }

    /**
     * {@link #move} with {@code audit} written first, in one step with it on the deploy's row: throws {@link
     * StaleRevision}, with nothing audited, when the deploy moved since it was read.
     */
    private Deploy moveAudited(Deploy d, DeployState to, String actor, String reason, Runnable audit) {
        return moveAudited(d, to, actor, reason, audit, Optional.empty());
    }

    /**
     * {@link #moveAudited(Deploy, DeployState, String, String, Runnable)} that also records, in the same step, that
     * the rollback request {@code answering} (its key, when given) was answered with this deploy.
     */
    private Deploy moveAudited(
            Deploy d, DeployState to, String actor, String reason, Runnable audit, Optional<String> answering) {
        var at = ports.clock().instant();
        var moved = answering.isPresent()
                ? ports.deploys()
                        .stopForRollback(answering.get(), d.id(), d.revision(), to, d.step(), actor, reason, at, audit)
                : ports.deploys().transition(d.id(), d.revision(), to, d.step(), actor, reason, at, audit);
        if (to.terminal()) {
            ports.deploys().releaseRollout(d.service(), d.id());
        }
        publish(DeployEvent.of(moved, ports.deploys().transitions(d.id()).getLast()));
        return moved;
    }

    /** Why the canary waits for a human, when it does: it is in its canary, and its last move paused it. */
    private Optional<String> pausedFor(Deploy d) {
        var transitions = ports.deploys().transitions(d.id());
        if (d.state() != DeployState.CANARY
                || transitions.isEmpty()
                || !transitions.getLast().reason().startsWith(PAUSED)) {
            return Optional.empty();
        }
        var reason = transitions.getLast().reason().substring(PAUSED.length());
        int ask = reason.lastIndexOf(ASK_HUMAN);
        return Optional.of(ask < 0 ? reason : reason.substring(0, ask));
    }

    private static String notPaused(Deploy d) {
        return "this deploy no longer waits for a decision on its pause (it is "
                + (d.state() == DeployState.CANARY
                        ? "running its canary again"
                        : d.state().words())
                + ")";
    }

    /**
     * What the canary paused on, as its last {@code canary.paused} audit entry has it (when it paused, the policy and
     * its hash, the evidence), without its reason; empty when there is none.
     */
    private Map<String, Object> pausedOn(Deploy d) {
        var json = new java.util.concurrent.atomic.AtomicReference<String>();
        ports.audit().scan(AuditQuery.all().withDeploy(Long.toString(d.id())), e -> {
            if (e.record().action().equals("canary.paused")) {
                json.set(e.record().reasoningJson());
            }
        });
        if (json.get() == null) {
            return Map.of();
        }
        try {
            var m = JSON.readValue(
                    json.get(), new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            m.remove("reason");
            return m;
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }

    private Deploy fail(Deploy d, String why) {
        return fail(d, why, List.of(), failed -> Optional.empty());
    }

    /**
     * ... whose reason names {@code people} (kept with the move, {@link Transition#people}), telling {@code first} (the
     * failed deploy's notice of the step that failed it, if any) before the failure.
     */
    private Deploy fail(
            Deploy d,
            String why,
            List<String> people,
            java.util.function.Function<Deploy, Optional<DeployNotice>> first) {
        audit(d, ENGINE, "deploy.failed", "fail", Map.of("reason", why));
        var failed = moved(d, DeployState.FAILED, d.step(), ENGINE, why, people).deploy();
        first.apply(failed).ifPresent(ports.notifier()::notify);
        ports.notifier().notify(new DeployNotice.Failed(failed, why));
        reviewDue(failed);
        return failed;
    }

    // ------------------------------------------------------------------------------------------------ review

    /**
     * A person's review of an emergency deploy, after the fact (it skipped the approval wait, and its {@code
     * deploy.routed} entry says {@code needs_review}). Only once the deploy has ended: the review vouches for what the
     * deploy did, and until it ends that is not known (a paused canary may still be promoted by hand, or rolled back).
     * Authorized as an approval is (a member of the service's approver group, neither the change's author nor the
     * deploy's requester; a refusal is audited as {@code review.refused}), whatever the front end checked. Recorded
     * once: the {@code deploy.reviewed} audit entry is written first, in one step with the review on the deploy's held
     * row ({@link DeployStore#recordReview}), so that of two clicks at once, on any replicas, one is audited and
     * recorded and the other is told who reviewed it. Then the humans are told ({@link DeployNotice.Reviewed}).
     */
    public ReviewDecision review(long deployId, String user) {
        var lock = deciding[Math.floorMod(Long.hashCode(deployId), deciding.length)];
        lock.lock();
        try {
            return reviewAlone(deployId, user);
        } finally {
            lock.unlock();
        }
    }

    private ReviewDecision reviewAlone(long deployId, String user) {
        var found = ports.deploys().find(deployId);
        if (found.isEmpty()) {
            // reached by a typed /deploy review with a wrong number: say where the right one is
            return new ReviewDecision.NotReviewable("there is no deploy #" + deployId
                    + ": /deploy status lists the emergency deploys awaiting review, with their numbers");
        }
        var d = found.get();
        if (!d.emergency()) {
            return new ReviewDecision.NotReviewable(notReviewable(d));
        }
        var earlier = ports.deploys().review(deployId);
        if (earlier.isPresent()) {
            return new ReviewDecision.AlreadyReviewed(earlier.get(), d); // not a new decision: not audited
        }
        if (!d.state().terminal()) {
            return new ReviewDecision.NotReviewable(notReviewable(d));
        }
        if (!routed(d)) {
            return new ReviewDecision.NotReviewable("deploy #" + d.id() + " stopped before it was routed ("
                    + d.state().words()
                    + " before preflight), so --emergency skipped nothing: it needs no review");
        }
        var catalog = ports.catalog().get();
        var reviewers = catalog.reviewerGroup(d.service());
        // A service no longer configured names no approvers: its emergency deploys are reviewed by the auditor group,
        // and whoever is refused is told why it is that group.
        var why = catalog.service(d.service()).isPresent()
                ? ""
                : " (" + d.service() + " is no longer in harbormaster.yml, so the auditor group, audit.auditors,"
                        + " reviews its deploys"
                        + (catalog.members(reviewers).isEmpty()
                                ? "; no group " + reviewers + " is defined under groups: define it, or put "
                                        + d.service() + " back with its approvers"
                                : "")
                        + ")";
        var refused = refusal(
                d, user, "review.refused", "review", List.of(), Instant.MAX, ApprovalPolicy.Act.REVIEW, reviewers, why);
        if (refused.isPresent()) {
            return new ReviewDecision.Refused(refused.get());
        }
        var now = ports.clock().instant();
        var review = new Review(deployId, user, now);
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("reviewer", user);
        reasoning.put("reviewer_group", reviewers);
        reasoning.put(
                "requester",
                ports.deploys()
                        .request(deployId)
                        .map(DeployRequest::requestedBy)
                        .orElse(""));
        reasoning.put("outcome", d.state().name().toLowerCase(java.util.Locale.ROOT));
        reasoning.put("requested_at", d.createdAt().toString());
        reasoning.put("ended_at", d.updatedAt().toString());
        // how long after the deploy the review came: since it ended, and since it was requested
        reasoning.put(
                "after_end_s", Math.max(0, Duration.between(d.updatedAt(), now).toSeconds()));
        reasoning.put(
                "after_request_s",
                Math.max(0, Duration.between(d.createdAt(), now).toSeconds()));
        var outcome =
                ports.deploys().recordReview(review, () -> audit(d, user, "deploy.reviewed", "reviewed", reasoning));
        return switch (outcome) {
            case ReviewOutcome.Recorded r -> {
                ports.notifier().notify(new DeployNotice.Reviewed(r.deploy(), r.review()));
                yield new ReviewDecision.Recorded(r.review(), r.deploy());
            }
            case ReviewOutcome.AlreadyReviewed a -> new ReviewDecision.AlreadyReviewed(a.first(), d);
            case ReviewOutcome.NotReviewable n -> new ReviewDecision.NotReviewable(notReviewable(n.deploy()));
        };
    }

    private static String notReviewable(Deploy d) {
        var which = "deploy #" + d.id() + " (" + d.service() + " " + d.version() + ")";
        if (!d.emergency()) {
            return which + " was not an emergency deploy: only `--emergency` deploys need a review";
        }
        return which + " has not ended yet (it is " + d.state().words()
                + "): an emergency deploy is reviewed once it has ended (its thread asks for the review then)";
    }

    /** Tells that an emergency deploy which just ended needs its review (after its outcome was told). */
    private void reviewDue(Deploy ended) {
        if (ended.emergency() && routed(ended)) {
            ports.notifier().notify(new DeployNotice.ReviewDue(ended));
        }
    }

    /**
     * Whether the deploy got past its routing (its {@code deploy.routed} entry, and a move to preflight): only from
     * there does {@code --emergency} skip anything (the approval wait, deploy windows, freezes and the open incidents
     * of dependencies), so only from there
     * does an emergency deploy need its review, as {@code /audit decision=emergency} counts them.
     */
    private boolean routed(Deploy d) {
        return ports.deploys().transitions(d.id()).stream().anyMatch(t -> t.to() == DeployState.PREFLIGHT);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Deploy move(Deploy d, DeployState to, int step, String actor, String reason) {
        return moved(d, to, step, actor, reason).deploy();
    }

    /** A deploy as a move left it, and the move as the store recorded it. */
    private record Moved(Deploy deploy, Transition transition) {}

    /** {@link #move}, with the move as recorded. */
    private Moved moved(Deploy d, DeployState to, int step, String actor, String reason) {
        return moved(d, to, step, actor, reason, List.of());
    }

    /** ... whose reason names {@code people} besides the actor. */
    private Moved moved(Deploy d, DeployState to, int step, String actor, String reason, List<String> people) {
        var now = ports.clock().instant();
        var moved = ports.deploys().transition(d.id(), d.revision(), to, step, actor, reason, people, now);
        if (to.terminal()) {
            ports.deploys().releaseRollout(d.service(), d.id());
        }
        var transitions = ports.deploys().transitions(d.id());
        publish(DeployEvent.of(moved, transitions.getLast()));
        return new Moved(moved, transitions.getLast());
    }

    /**
     * Tells other systems of a change the store has committed. With Kafka the store recorded the event in the same
     * transaction (its outbox) and the port only wakes the {@link EventRelay}, which sends it, retrying until the
     * brokers have it; the in-process bus delivers it now, and an event it cannot deliver is lost.
     */
    private void publish(DeployEvent event) {
        try {
            ports.events().publish(event);
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not publish event " + event.sequence() + " of deploy " + event.deployId(),
                    e);
        }
    }

    /** Whether the deploy's last transition was already this one (so a waiting or paused deploy says so once). */
    private boolean lastReasonStartsWith(Deploy d, String prefix) {
        var transitions = ports.deploys().transitions(d.id());
        return !transitions.isEmpty() && transitions.getLast().reason().startsWith(prefix);
    }

    private Optional<Instant> enteredAt(Deploy d, DeployState state) {
        return ports.deploys().transitions(d.id()).stream()
                .filter(t -> t.to() == state)
                .map(Transition::at)
                .findFirst();
    }

    private ServiceSpec spec(Deploy d) {
        return ports.catalog()
                .get()
                .service(d.service())
                .orElseThrow(() -> new ClusterRefused("service " + d.service()
                        + " is no longer in the catalog (harbormaster.yml); the deploy cannot go on"));
    }

    private static RolloutTarget target(ServiceSpec spec) {
        return new RolloutTarget(spec.namespace(), spec.deployment(), spec.container());
    }

    /**
     * A request that starts nothing is a decision too: written to the audit log ({@code deploy.refused}, with why and
     * where it came from), then answered. A redelivered request that is refused again is written again.
     */
    private Submission refuse(DeployRequest request, String reason) {
        return refuse(request, reason, List.of());
    }

    /** ... whose reason names {@code people} by their ids. */
    private Submission refuse(DeployRequest request, String reason, List<String> people) {
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("reason", reason);
        reasoning.put("source", request.source().name().toLowerCase(java.util.Locale.ROOT));
        reasoning.put("idempotency_key", request.idempotencyKey());
        reasoning.put("emergency", request.emergency());
        reasoning.put("environment", request.environment());
        audit(request.requestedBy(), "deploy.refused", "", request.service(), request.version(), "refused", reasoning);
        return new Submission.Refused(reason, people);
    }

    private void audit(Deploy d, String actor, String action, String decision, Map<String, ?> reasoning) {
        audit(actor, action, Long.toString(d.id()), d.service(), d.version(), decision, reasoning);
    }

    /** An entry for a deploy ({@code deployId} empty: for a request that made none), stamped now. */
    private void audit(
            String actor,
            String action,
            String deployId,
            String service,
            String version,
            String decision,
            Map<String, ?> reasoning) {
        ports.audit()
                .append(new AuditRecord(
                        ports.clock().instant(),
                        actor,
                        action,
                        deployId,
                        service,
                        version,
                        decision,
                        CanonicalJson.of(reasoning),
                        settings.engineVersion(),
                        settings.policyVersion()));
    }

    private static Map<String, Object> riskReasoning(RiskAssessment a) {
        var m = new LinkedHashMap<String, Object>();
        m.put("score", a.score());
        m.put("threshold", a.threshold().score());
        m.put("target_escalation_rate", a.threshold().targetRate());
        m.put("model", a.model().auditFields()); // which model scored it: its sha256, source and training
        m.put(
                "factors",
                a.factors().stream()
                        .map(f -> Map.of("factor", f.name(), "words", f.words(), "contribution", f.contribution()))
                        .toList());
        m.put(
                "rules",
                a.rules().stream()
                        .map(r -> switch (r) {
                            case io.harbormaster.engine.risk.RuleOutcome.Pass p ->
                                Map.of("rule", p.rule(), "result", "pass");
                            case io.harbormaster.engine.risk.RuleOutcome.Escalate e ->
                                Map.of("rule", e.rule(), "result", "escalate", "reason", e.reason());
                            case io.harbormaster.engine.risk.RuleOutcome.Note n ->
                                Map.of("rule", n.rule(), "result", "note", "reason", n.text());
                        })
                        .toList());
        m.put("assumptions", a.assumptions());
        m.put("reasoning", a.reasoning());
        return m;
    }

    /**
     * The decision's evidence with the noise history it started from, when it had one: what an auditor needs to see
     * why the same metrics could be judged differently for a service with earlier canaries, or a first canary that
     * read its stable track.
     */
    private static Map<String, Object> withHistory(
            Map<String, Object> evidence, History history, CanaryAnalysis analysis) {
        var noise = new LinkedHashMap<String, Object>(history.noise().auditFields());
        if (noise.isEmpty()) {
            return evidence;
        }
        if (history.noise().known()) {
            noise.put("latency_history_kept", analysis.usesHistory());
        }
        if (history.stableTrack().isPresent()) {
            // the stable track's window it was read from
            noise.put(
                    CanaryNoise.AUDIT_STABLE_TRACK, history.stableTrack().get().auditFields());
        } else {
            // the deploys whose promoted canaries it was pooled from, newest first
            noise.put(
                    CanaryNoise.AUDIT_SOURCES,
                    history.sources().stream()
                            .map(k -> Map.of("deploy", k.deployId(), "version", k.version()))
                            .toList());
        }
        var out = new LinkedHashMap<String, Object>(evidence);
        out.put(CanaryNoise.AUDIT_KEY, noise);
        return out;
    }

    /**
     * A decision's evidence, when it came (seconds since the canary started) and the policy that judged it:
     * {@code escalated} (the service's {@link ServiceSpec#escalatedCanary()}) or {@code standard}, and the hash of
     * exactly that policy as its canary started with it ({@link StartedPolicy#hash()}).
     */
    private static Map<String, Object> evidenceJson(Judging judging, List<Evidence> evidence, long at) {
        return Map.of(
                "at_s",
                at,
                "canary_policy",
                judging.started().variant(),
                CANARY_POLICY_HASH,
                judging.started().hash(),
                "evidence",
                evidence.stream().map(DeployPipeline::evidenceOne).toList());
    }

    private static Map<String, Object> evidenceOne(Evidence e) {
        var m = new LinkedHashMap<String, Object>();
        m.put("judge", e.judge());
        m.put("metric", e.metric());
        m.put("rule", e.rule());
        putFinite(m, "baseline", e.baseline());
        putFinite(m, "canary", e.canary());
        putFinite(m, "estimate", e.estimate());
        putFinite(m, "ci_low", e.ciLow());
        putFinite(m, "ci_high", e.ciHigh());
        putFinite(m, "p_value", e.pValue());
        putFinite(m, "e_value", e.eValue());
        m.put("reason", e.reason());
        return m;
    }

    private static void putFinite(Map<String, Object> m, String key, double v) {
        if (Double.isFinite(v)) {
            m.put(key, v);
        }
    }

    private static String summary(List<Evidence> evidence, String fallback) {
        return evidence.isEmpty()
                ? fallback
                : evidence.getFirst().metric() + ": " + evidence.getFirst().reason();
    }

    private static String metricOf(String reason) {
        int colon = reason.indexOf(':');
        return colon > 0 && colon < 40 ? reason.substring(0, colon) : "canary";
    }
}
