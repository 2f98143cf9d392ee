package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each move of a deploy is told once: an approver's click advances the deploy on the click's thread while the runner
 * advances it on its own, and a move that did not happen (someone else moved the deploy first) is told nothing.
 */
class OneNoticePerTransitionTest {
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:one-notice" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /**
     * An escalated deploy of checkout waiting for its approval, on an engine whose cluster runs {@code
     * atFirstStableRead} when it is first asked for the stable Deployment.
     */
    private long awaitingApproval(AtomicReference<DeployPipeline> engine, Runnable atFirstStableRead) {
        var seen = new AtomicBoolean();
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("stable") && seen.compareAndSet(false, true)) {
                atFirstStableRead.run(); // the preflight reads the stable Deployment before it audits and tells
            }
        });
        engine.set(f.engine("engine-a"));
        f.announce("checkout", "1.3.0", PipelineFixture.MIGRATION);
        var id = PipelineFixture.acceptedId(
                engine.get(), PipelineFixture.slackRequest("slack:one", "checkout", "1.3.0", "U0BOB"));
        assertThat(engine.get().advance(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        return id;
    }

    @Test
    void anApprovalAdvancedByTheClickAndByTheRunnerAtOnceIsPreflightedAuditedAndToldOnce() throws Exception {
        var engine = new AtomicReference<DeployPipeline>();
        var deployId = new AtomicReference<Long>();
        var runner = new AtomicReference<CompletableFuture<?>>();
        try (var runnerThread = Executors.newSingleThreadExecutor()) {
            // while the click's thread is in the preflight, the runner's tick advances the same deploy
            var id = awaitingApproval(engine, () -> {
                runner.set(CompletableFuture.runAsync(() -> engine.get().advance(deployId.get()), runnerThread));
                try {
                    runner.get().get(1, TimeUnit.SECONDS); // done at once on its own, or it waits its turn
                } catch (TimeoutException e) {
                    // it waits for the click's thread to finish its move: as it should
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            deployId.set(id);

            engine.get().decide(id, "U0ANN", Approval.Decision.APPROVE, "");
            runner.get().get(30, TimeUnit.SECONDS);

            assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
            assertThat(f.notices)
                    .filteredOn(n -> n instanceof DeployNotice.PreflightChecked)
                    .hasSize(1);
            assertThat(f.notices)
                    .filteredOn(n -> n instanceof DeployNotice.CanaryProgress)
                    .hasSize(1);
            assertThat(f.audited(id, "preflight")).hasSize(1);
        }
    }

    @Test
    void aPreflightWhoseDeployWasStoppedMeanwhileTellsNothingOfItself() {
        var engine = new AtomicReference<DeployPipeline>();
        // a person stops the deploy while its preflight runs: the preflight's move to the canary is refused as stale
        var id = awaitingApproval(engine, () -> engine.get().rollbackRequested("checkout", "U0ANN"));

        engine.get().decide(id, "U0ANN", Approval.Decision.APPROVE, "");

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.FAILED);
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.PreflightChecked || n instanceof DeployNotice.CanaryProgress)
                .isEmpty();
        assertThat(f.cluster.inspect(f.target("checkout")).canary()).isEmpty();
    }
}
