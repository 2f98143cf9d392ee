package io.harbormaster.engine.intake;

import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Submission;
import java.time.Clock;
import java.util.OptionalLong;

/**
 * The engine's handler for CI deploy requests (Kafka, the in-process queue, the HTTP API): announces the build, and
 * when CI asks for an automatic deploy, submits it to the pipeline; idempotent by key because the pipeline's intake is.
 * A request for another environment than the pipeline's is refused whole: its build is not announced here either.
 */
public final class PipelineIntake implements DeployRequestHandler {
    private final BuildCatalog builds;
    private final DeployPipeline pipeline;
    private final RequestSource source;
    private final Clock clock;

    public PipelineIntake(BuildCatalog builds, DeployPipeline pipeline, RequestSource source, Clock clock) {
        this.builds = builds;
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
        var now = clock.instant();
        var announced = builds.announce(request.toAnnouncedBuild(now));
        if (!announced.image().equals(request.image()) || !announced.commitSha().equals(request.commitSha())) {
            return new Outcome.Refused(
                    "build " + request.service() + " " + request.version() + " was announced before with"
                            + " image " + announced.image() + " and commit " + announced.commitSha()
                            + "; a version names one build: publish the new build under a new version");
        }
        if (!request.autoDeploy()) {
            return new Outcome.Accepted(OptionalLong.empty());
        }
        return switch (pipeline.submit(request.toDeployRequest(source, idempotencyKey, now))) {
            case Submission.Accepted a
            when a.duplicate() ->
                new Outcome.Duplicate(OptionalLong.of(a.deploy().id()));
            case Submission.Accepted a ->
                new Outcome.Accepted(OptionalLong.of(a.deploy().id()));
            case Submission.Refused r -> new Outcome.Refused(r.reason());
        };
    }
}
