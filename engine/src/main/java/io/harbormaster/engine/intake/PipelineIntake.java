package io.harbormaster.engine.intake;

import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Submission;
import io.harbormaster.engine.rollout.Transition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The engine's handler for CI deploy requests (Kafka, the in-process queue, the HTTP API): announces the build, and
 * when CI asks for an automatic deploy, submits it to the pipeline; idempotent by key because the pipeline's intake is.
 * A request for another environment than the pipeline's, or for a service its catalog lacks, is refused whole: its build is
 * not announced here either.
 *
 * <p>CI announces a build more than once: when it starts ({@code ci_status: running}) and again when it has passed,
 * often under a new build id. A later announcement of the same build (same image and commit) takes the place of the
 * stored one, so that the deploy it asks for is scored on CI's latest word, except while a deploy of that version is
 * in flight: that deploy was scored, and is decided on, with the announcement it read (its approvers see that one, and
 * its author is that one's), so the later one is not applied and the answer's warnings say so. The same announcement
 * again (a retry) changes nothing and is answered as a duplicate.
 */
public final class PipelineIntake implements DeployRequestHandler {
    private static final System.Logger LOG = System.getLogger(PipelineIntake.class.getName());

    private final BuildCatalog builds;
    private final DeployStore deploys;
    private final DeployPipeline pipeline;
    private final RequestSource source;
    private final Clock clock;

    public PipelineIntake(
            BuildCatalog builds, DeployStore deploys, DeployPipeline pipeline, RequestSource source, Clock clock) {
        this.builds = builds;
        this.deploys = deploys;
        this.pipeline = pipeline;
        this.source = source;
        this.clock = clock;
    }

    @Override
    public Outcome handle(CiDeployRequest request, String idempotencyKey) {
        var elsewhere = pipeline.wrongEnvironment(request.environment());
        if (elsewhere.isPresent()) {
            // CI that leaves the environment out asks for production: say so, since its request does not show it.
            return new Outcome.Refused(elsewhere.get()
                    + (request.environment().equals(CiDeployRequestParser.DEFAULT_ENVIRONMENT)
                            ? "; a request without \"environment\" names " + CiDeployRequestParser.DEFAULT_ENVIRONMENT
                                    + ", so CI of this instance sets \"environment\": \"" + pipeline.environment()
                                    + "\""
                            : ""));
        }
        var unknown = pipeline.unannounceable(request.service());
        if (unknown.isPresent() && !request.autoDeploy()) {
            return new Outcome.Refused(unknown.get());
        }
        var now = clock.instant();
        if (unknown.isPresent()) {
            // the pipeline refuses the deploy, and its refusal is audited as a request's
            return submitted(request, idempotencyKey, now, List.of());
        }
        var offered = request.toAnnouncedBuild(now);
        var before = builds.find(request.service(), request.version());
        var announced = before.orElseGet(() -> builds.announce(offered));
        if (!announced.image().equals(request.image()) || !announced.commitSha().equals(request.commitSha())) {
            return new Outcome.Refused(
                    "build " + request.service() + " " + request.version() + " was announced before with"
                            + " image " + announced.image() + " and commit " + announced.commitSha()
                            + "; a version names one build: publish the new build under a new version");
        }
        boolean repeated = before.isPresent() && sameAnnouncement(announced, offered);
        var warnings = new ArrayList<String>();
        if (before.isPresent() && !repeated) {
            laterAnnouncement(request, idempotencyKey, announced, offered).ifPresent(warnings::add);
        }
        if (!request.autoDeploy()) {
            return repeated
                    ? new Outcome.Duplicate(OptionalLong.empty(), Optional.empty(), warnings)
                    : new Outcome.Accepted(OptionalLong.empty(), warnings);
        }
        return submitted(request, idempotencyKey, now, warnings);
    }

    /** What became of the deploy {@code request} asks for, submitted to the pipeline now. */
    private Outcome submitted(CiDeployRequest request, String idempotencyKey, Instant now, List<String> warnings) {
        return switch (pipeline.submit(request.toDeployRequest(source, idempotencyKey, now))) {
            case Submission.Accepted a
            when a.duplicate() ->
                new Outcome.Duplicate(OptionalLong.of(a.deploy().id()), Optional.of(standing(a.deploy())), warnings);
            case Submission.Accepted a ->
                new Outcome.Accepted(OptionalLong.of(a.deploy().id()), warnings);
            case Submission.Refused r -> new Outcome.Refused(r.reason());
        };
    }

    /**
     * A different announcement of a build announced before: it replaces the stored one, unless it is a retry of a
     * request taken before (which must not put an older announcement back) or a deploy of the version is in flight
     * (found in the same step as the replacement, {@link BuildCatalog#replace}). Returns the warning for the sender
     * when it was not applied for the latter.
     */
    private Optional<String> laterAnnouncement(
            CiDeployRequest request, String idempotencyKey, AnnouncedBuild stored, AnnouncedBuild offered) {
        if (deploys.forKey(idempotencyKey).isPresent()) {
            return Optional.empty();
        }
        return switch (builds.replace(offered)) {
            case BuildCatalog.Replacement.KeptFor kept -> {
                var d = kept.inFlight();
                var warning = "deploy #" + d.id() + " of " + d.service() + " " + d.version() + " is in flight ("
                        + d.state().words() + ") and keeps the announcement it was scored with (build "
                        + stored.buildId() + ", ci_status " + stored.ciStatus() + "): this announcement (build "
                        + offered.buildId() + ", ci_status " + offered.ciStatus() + ") was not applied. Its approvers"
                        + " decide on what it was scored with; to have it scored on this announcement, stop it"
                        + " (/deploy rollback " + d.service() + ") and send this announcement again";
                LOG.log(System.Logger.Level.WARNING, warning);
                yield Optional.of(warning);
            }
            case BuildCatalog.Replacement.Replaced replaced -> {
                LOG.log(
                        System.Logger.Level.INFO,
                        "Build {0} {1} announced again: build {2}, ci_status {3} replace build {4}, ci_status {5}",
                        request.service(),
                        request.version(),
                        offered.buildId(),
                        offered.ciStatus(),
                        stored.buildId(),
                        stored.ciStatus());
                yield Optional.empty();
            }
            case BuildCatalog.Replacement.NoSuchBuild none -> Optional.empty();
        };
    }

    /** Whether two announcements of one build say the same (when they were received aside). */
    private static boolean sameAnnouncement(AnnouncedBuild a, AnnouncedBuild b) {
        return a.buildId().equals(b.buildId())
                && a.ciStatus().equals(b.ciStatus())
                && a.changeJson().equals(b.changeJson());
    }

    /** Where the deploy a repeated request names stands, with the reason of its latest move. */
    private Standing standing(Deploy d) {
        var now = deploys.find(d.id()).orElse(d);
        var reason = deploys.transitions(now.id()).stream()
                .reduce((a, b) -> b)
                .map(Transition::reason)
                .orElse(now.state().words());
        return new Standing(now.state(), reason);
    }
}
