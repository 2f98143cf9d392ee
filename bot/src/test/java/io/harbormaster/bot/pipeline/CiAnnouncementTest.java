package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.DeployRequestHandler.Outcome;
import io.harbormaster.engine.intake.DeployRequestHandler.Standing;
import io.harbormaster.engine.intake.ParseResult;
import io.harbormaster.engine.intake.PipelineIntake;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CI's announcements of one build, as CI sends them (at the build's start and again when it passed), through the
 * engine's intake into the pipeline on H2: which one a deploy is scored on, and what a repeated request is told.
 */
class CiAnnouncementTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;
    DeployPipeline engine;
    PipelineIntake intake;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:ci-announce" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
        engine = f.engine("engine-a");
        intake = new PipelineIntake(f.builds, f.deploys, engine, RequestSource.HTTP, f.clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** CI's announcement of checkout 1.1.0 (one image, one commit) under {@code buildId}. */
    static CiDeployRequest announcement(String buildId, String ciStatus, boolean autoDeploy, String change) {
        var parsed = CiDeployRequest.parse("""
                {"service":"checkout","version":"1.1.0","image":"registry.example/checkout:1.1.0",
                 "commit_sha":"abcdef1234567","build_id":"%s","ci_status":"%s","auto_deploy":%s,
                 "change":%s}""".formatted(buildId, ciStatus, autoDeploy, change));
        return ((ParseResult.Parsed) parsed).request();
    }

    Outcome send(CiDeployRequest request) {
        return intake.handle(request, request.idempotencyKey());
    }

    @Test
    void theAnnouncementThatCiSendsWhenTheBuildPassedReplacesTheOneItSentAtItsStart() {
        var started = send(announcement("gha-1", "running", false, PipelineFixture.SMALL_CHANGE));
        assertThat(started).isInstanceOf(Outcome.Accepted.class);

        var passed = send(announcement("gha-2", "success", true, PipelineFixture.SMALL_CHANGE));

        assertThat(passed).isInstanceOf(Outcome.Accepted.class);
        assertThat(passed.warnings()).isEmpty();
        var stored = f.builds.find("checkout", "1.1.0").orElseThrow();
        assertThat(stored.ciStatus()).isEqualTo("success");
        assertThat(stored.buildId()).isEqualTo("gha-2");
        // the deploy is scored on CI's latest word: green, a small change, so no approver
        long id = ((Outcome.Accepted) passed).deployId().orElseThrow();
        var scored = engine.advance(id).orElseThrow();
        assertThat(scored.escalated()).contains(false);
        assertThat(f.notices.stream()
                        .filter(io.harbormaster.engine.rollout.DeployNotice.Scored.class::isInstance)
                        .map(n -> ((io.harbormaster.engine.rollout.DeployNotice.Scored) n).assessment())
                        .flatMap(a -> a.rules().stream()))
                .isNotEmpty()
                .noneMatch(io.harbormaster.engine.risk.RuleOutcome.Escalate.class::isInstance);
    }

    @Test
    void anAnnouncementOfAServiceTheCatalogLacksIsRefusedNamingTheClosestAndNothingIsRecorded() {
        var request = announcement("gha-1", "success", false, PipelineFixture.SMALL_CHANGE);
        var typo = CiDeployRequest.parse(("""
                {"service":"checkot","version":"1.1.0","image":"registry.example/checkout:1.1.0",
                 "commit_sha":"abcdef1234567","build_id":"gha-1","ci_status":"success","change":%s}""").formatted(PipelineFixture.SMALL_CHANGE));

        var refused = send(((ParseResult.Parsed) typo).request());

        assertThat(refused).isInstanceOfSatisfying(Outcome.Refused.class, r -> assertThat(r.reason())
                .contains(
                        "unknown service 'checkot'", "did you mean checkout", "was not recorded", "harbormaster.yml"));
        assertThat(f.builds.find("checkot", "1.1.0")).isEmpty();
        // the same build under its right name is taken as before
        assertThat(send(request)).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void theSameAnnouncementAgainIsADuplicateAndChangesNothing() {
        var first = announcement("gha-1", "running", false, PipelineFixture.SMALL_CHANGE);
        send(first);
        var before = f.builds.find("checkout", "1.1.0").orElseThrow();
        f.clock.advance(java.time.Duration.ofMinutes(1));

        var again = send(first);

        assertThat(again).isEqualTo(new Outcome.Duplicate(java.util.OptionalLong.empty()));
        assertThat(f.builds.find("checkout", "1.1.0")).contains(before);
    }

    @Test
    void aLaterAnnouncementWhileADeployOfTheVersionIsInFlightIsNotAppliedAndTheAnswerSaysWhy() {
        send(announcement("gha-1", "running", false, PipelineFixture.SMALL_CHANGE));
        var asked = send(announcement("gha-1b", "running", true, PipelineFixture.SMALL_CHANGE));
        long id = ((Outcome.Accepted) asked).deployId().orElseThrow();
        engine.advance(id);
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        var passed = send(announcement("gha-2", "success", false, PipelineFixture.MIGRATION));

        assertThat(passed).isInstanceOf(Outcome.Accepted.class);
        assertThat(passed.warnings())
                .singleElement()
                .asString()
                .contains("deploy #" + id + " of checkout 1.1.0 is in flight (awaiting approval)")
                .contains("build gha-1b, ci_status running")
                .contains("(build gha-2, ci_status success) was not applied")
                .contains("/deploy rollback checkout");
        // its approvers decide on what it was scored with, author included
        var stored = f.builds.find("checkout", "1.1.0").orElseThrow();
        assertThat(stored.ciStatus()).isEqualTo("running");
        assertThat(stored.changeJson())
                .isEqualTo(announcement("x", "running", false, PipelineFixture.SMALL_CHANGE)
                        .change()
                        .json());

        // once it has ended, CI's next word is taken
        engine.rollbackRequested("checkout", "U0ANN");
        assertThat(f.deploys.find(id).orElseThrow().state().terminal()).isTrue();
        send(announcement("gha-3", "success", false, PipelineFixture.SMALL_CHANGE));
        assertThat(f.builds.find("checkout", "1.1.0").orElseThrow().buildId()).isEqualTo("gha-3");
    }

    @Test
    void aRetryOfARequestTakenBeforeDoesNotPutItsOlderAnnouncementBack() {
        var first = announcement("gha-1", "success", true, PipelineFixture.SMALL_CHANGE);
        long id = ((Outcome.Accepted) send(first)).deployId().orElseThrow();
        f.runUntilDone(engine, id, java.time.Duration.ofMinutes(20));
        send(announcement("gha-2", "failed", false, PipelineFixture.SMALL_CHANGE));

        var retry = send(first);

        assertThat(retry).isInstanceOf(Outcome.Duplicate.class);
        assertThat(f.builds.find("checkout", "1.1.0").orElseThrow().buildId()).isEqualTo("gha-2");
    }

    @Test
    void aRetryOfADeployThatFailedSaysItFailedAndWhy() {
        f.policies.lock(new ServiceLock("checkout", "database maintenance", "U0ANN", f.clock.instant()));
        var request = announcement("gha-7", "success", true, PipelineFixture.SMALL_CHANGE);
        long id = ((Outcome.Accepted) send(request)).deployId().orElseThrow();
        f.runUntilDone(engine, id, java.time.Duration.ofMinutes(5));
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.FAILED);

        var retry = (Outcome.Duplicate) send(request);

        assertThat(retry.deployId()).hasValue(id);
        assertThat(retry.deploy()).hasValueSatisfying(standing -> {
            assertThat(standing.state()).isEqualTo(DeployState.FAILED);
            assertThat(standing.ended()).isTrue();
            assertThat(standing.reason()).contains("blocked by preflight", "database maintenance");
        });
    }

    @Test
    void aRetryOfADeployInFlightSaysWhereItIs() {
        var request = announcement("gha-8", "success", true, PipelineFixture.MIGRATION);
        long id = ((Outcome.Accepted) send(request)).deployId().orElseThrow();
        engine.advance(id);

        var retry = (Outcome.Duplicate) send(request);

        assertThat(retry.deploy()).map(Standing::state).hasValue(DeployState.AWAITING_APPROVAL);
        assertThat(retry.deploy().orElseThrow().ended()).isFalse();
    }
}
