package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.PauseDecision;
import io.harbormaster.engine.rollout.RollbackCause;
import io.harbormaster.engine.rollout.Track;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A canary paused for a human: a member of the service's approvers promotes it anyway or rolls it back. */
class PausedCanaryDecisionTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(
                DatabaseConfig.of("jdbc:h2:mem:pause-decision" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A small change to checkout (by {@code author}, requested by U0DEV), its canary paused by a metrics outage. */
    long pausedCanary(DeployPipeline engine, String author) {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE.replace("U0DEV", author));
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        f.metrics.outage("connection refused");
        for (int i = 0; i < 30 && !f.deploys.transitions(id).getLast().reason().startsWith("paused"); i++) {
            f.clock.advance(Duration.ofSeconds(10));
            engine.advance(id);
        }
        assertThat(f.deploys.transitions(id).getLast().reason())
                .startsWith("paused: no metrics for 2 min")
                .contains("Promote anyway or Roll back");
        return id;
    }

    List<AuditRecord> audited(long deployId, String action) {
        return f.audited(deployId, action);
    }

    String stableImage() {
        return f.cluster.workloads(f.target("checkout")).get(Track.STABLE).image();
    }

    @Test
    void anApproverPromotesThePausedCanaryWithTheAuditEntryWrittenBeforeTheClusterChanges() throws Exception {
        var engine = f.engine("engine-a");
        long id = pausedCanary(engine, "U0DEV");
        var auditedWhenPromoted = new CopyOnWriteArrayList<Boolean>();
        f.cluster.onChange(() -> {
            if (f.cluster.operations().getLast().startsWith("promote")) {
                auditedWhenPromoted.add(!audited(id, "canary.promote").isEmpty());
            }
        });

        var taken = engine.decidePause(id, "U0ANN", PauseDecision.Choice.PROMOTE);

        assertThat(taken).isInstanceOf(PauseDecision.Taken.class);
        assertThat(((PauseDecision.Taken) taken).deploy().state()).isEqualTo(DeployState.PROMOTED);
        assertThat(auditedWhenPromoted).containsExactly(true);
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.1.0");
        assertThat(f.cluster.workloads(f.target("checkout"))).containsOnlyKeys(Track.STABLE);
        var entry = audited(id, "canary.promote").getFirst();
        assertThat(entry.actor()).isEqualTo("U0ANN");
        assertThat(entry.decision()).isEqualTo("promote");
        var reasoning = new ObjectMapper().readTree(entry.reasoningJson());
        assertThat(reasoning.path("by").asText()).isEqualTo("U0ANN");
        assertThat(reasoning.path("after_pause").asText())
                .startsWith("no metrics for 2 min")
                .contains("connection refused")
                .doesNotContain("a human decides");
        assertThat(reasoning.path("canary_policy_hash").asText()).isNotBlank();
        assertThat(f.deploys.transitions(id))
                .anyMatch(t -> t.to() == DeployState.PROMOTING
                        && t.actor().equals("U0ANN")
                        && t.reason().startsWith("promoted by U0ANN after the pause"));
        assertThat(f.notices).anyMatch(n -> n instanceof DeployNotice.Promoted);

        // the other approver's click, after it was decided, does nothing
        var late = engine.decidePause(id, "U0BOB", PauseDecision.Choice.ROLLBACK);
        assertThat(late).isInstanceOf(PauseDecision.NotWaiting.class);
        assertThat(((PauseDecision.NotWaiting) late).reason())
                .contains("no longer waits")
                .contains("promoted");
        assertThat(audited(id, "canary.promote")).hasSize(1);
        assertThat(audited(id, "rollback.requested")).isEmpty();
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.1.0");
    }

    @Test
    void theAuthorTheRequesterAndSomeoneOutsideTheApproversAreRefusedAndTheCanaryStaysPaused() {
        var engine = f.engine("engine-a");
        long id = pausedCanary(engine, "U0CAT"); // U0CAT wrote it and is an approver; U0DEV requested it

        var author = engine.decidePause(id, "U0CAT", PauseDecision.Choice.PROMOTE);
        var requester = engine.decidePause(id, "U0DEV", PauseDecision.Choice.PROMOTE);
        var outsider = engine.decidePause(id, "U0ZED", PauseDecision.Choice.ROLLBACK);

        assertThat(author).isInstanceOf(PauseDecision.Refused.class);
        // each refusal names what the click would have done: promote or roll back, not approve
        assertThat(((PauseDecision.Refused) author).reason())
                .contains("you wrote this change")
                .contains("so you cannot promote it")
                .doesNotContain("cannot approve");
        assertThat(((PauseDecision.Refused) requester).reason())
                .contains("you requested this deploy, so you cannot" + " promote it");
        assertThat(((PauseDecision.Refused) outsider).reason())
                .contains("only members of shop-approvers may promote or roll back this deploy");
        assertThat(((PauseDecision.Refused) engine.decidePause(id, "U0CAT", PauseDecision.Choice.ROLLBACK)).reason())
                .contains("so you cannot roll it back");
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        assertThat(f.deploys.transitions(id).getLast().reason()).startsWith("paused");
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");
        assertThat(audited(id, "canary.promote")).isEmpty();
        assertThat(audited(id, "pause.refused"))
                .extracting(AuditRecord::actor)
                .containsExactly("U0CAT", "U0DEV", "U0ZED", "U0CAT");
    }

    @Test
    void rollBackIsTheRequestedRollbackByTheClicker() {
        var engine = f.engine("engine-a");
        long id = pausedCanary(engine, "U0DEV");

        var taken = engine.decidePause(id, "U0BOB", PauseDecision.Choice.ROLLBACK);

        assertThat(((PauseDecision.Taken) taken).deploy().state()).isEqualTo(DeployState.ROLLED_BACK);
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");
        assertThat(f.cluster.workloads(f.target("checkout"))).containsOnlyKeys(Track.STABLE);
        assertThat(audited(id, "rollback.requested"))
                .extracting(AuditRecord::actor)
                .containsExactly("U0BOB");
        assertThat(f.notices)
                .filteredOn(n -> n instanceof DeployNotice.RolledBack)
                .extracting(n -> ((DeployNotice.RolledBack) n).cause())
                .containsExactly(new RollbackCause.Requested("U0BOB", RollbackCause.Requested.Via.PAUSE_BUTTON));
        assertThat(f.deploys.transitions(id)).anyMatch(t -> t.reason()
                .equals("rollback requested by U0BOB with the paused canary's Roll back" + " button"));
    }

    @Test
    void aClickAfterTheDeployWasRolledBackOrResumedDoesNothing() {
        var engine = f.engine("engine-a");
        long id = pausedCanary(engine, "U0DEV");
        f.metrics.outage(null);
        f.clock.advance(Duration.ofSeconds(10));
        engine.advance(id); // the metrics are back: the canary goes on by itself
        assertThat(f.deploys.transitions(id)).anyMatch(t -> t.reason().startsWith("resumed"));
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);

        var afterResume = engine.decidePause(id, "U0ANN", PauseDecision.Choice.PROMOTE);
        assertThat(((PauseDecision.NotWaiting) afterResume).reason()).contains("running its canary again");

        engine.rollbackRequested("checkout", "U0BOB");
        var afterRollback = engine.decidePause(id, "U0ANN", PauseDecision.Choice.PROMOTE);
        assertThat(((PauseDecision.NotWaiting) afterRollback).reason()).contains("rolled back");
        assertThat(audited(id, "canary.promote")).isEmpty();
        assertThat(stableImage()).isEqualTo("registry.example/checkout:1.0.0");
    }

    @Test
    void twoApproversClickingAtOnceOnTwoReplicasActOnce() throws Exception {
        var a = f.engine("engine-a");
        var b = f.engine("engine-b");
        long id = pausedCanary(a, "U0DEV");
        var go = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(2)) {
            Future<PauseDecision> promote = pool.submit(() -> {
                go.await();
                return a.decidePause(id, "U0ANN", PauseDecision.Choice.PROMOTE);
            });
            Future<PauseDecision> rollback = pool.submit(() -> {
                go.await();
                return b.decidePause(id, "U0BOB", PauseDecision.Choice.ROLLBACK);
            });
            go.countDown();
            var outcomes = List.of(promote.get(), rollback.get());
            assertThat(outcomes)
                    .filteredOn(o -> o instanceof PauseDecision.Taken)
                    .hasSize(1);
            assertThat(outcomes)
                    .filteredOn(o -> o instanceof PauseDecision.NotWaiting)
                    .hasSize(1);
        }
        assertThat(audited(id, "canary.promote").size()
                        + audited(id, "rollback.requested").size())
                .as("only the decision taken is audited")
                .isEqualTo(1);
    }
}
