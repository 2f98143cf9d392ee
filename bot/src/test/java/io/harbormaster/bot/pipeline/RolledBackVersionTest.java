package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.DeployMessages;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RuleOutcome;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A version rolled back on what it did, asked for again: by CI once the block on automatic deploys has ended (an
 * approver decides, told which rollback it was), or by a person (scored as usual, and the thread says so).
 */
class RolledBackVersionTest {
    static final AtomicInteger DB = new AtomicInteger();
    Database db;
    PipelineFixture f;
    DeployPipeline engine;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:rolled-back" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
        engine = f.engine("engine-a");
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** checkout 1.2.0 fails 10% of its requests: a person deploys it, and the canary is rolled back on its errors. */
    long rolledBackOnItsErrors() {
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        f.metrics.inject("checkout", "1.2.0", Fault.errors(0.10));
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.2.0", "U0DEV"));
        assertThat(f.runUntilDone(engine, id, Duration.ofMinutes(20)).state()).isEqualTo(DeployState.ROLLED_BACK);
        f.clock.advance(Duration.ofHours(2)); // the block on automatic deploys has ended
        return id;
    }

    /** The assessment the deploy's Scored notice carried. */
    RiskAssessment scored(long deployId) {
        return f.notices.stream()
                .filter(n -> n instanceof DeployNotice.Scored s && s.deploy().id() == deployId)
                .map(n -> ((DeployNotice.Scored) n).assessment())
                .findFirst()
                .orElseThrow();
    }

    String earlierRollback(long deployId) {
        var incident = f.incidents.ofVersion("checkout", "1.2.0").getFirst();
        assertThat(incident.summary()).contains("error");
        return "checkout 1.2.0 was rolled back at " + io.harbormaster.engine.text.Times.words(incident.openedAt())
                + " (deploy #" + deployId + ", incident #" + incident.id() + ": " + incident.summary() + ")";
    }

    @Test
    void ciDeployingAgainAVersionRolledBackOnItsMetricsWaitsForAnApproverToldWhichRollbackItWas() {
        long first = rolledBackOnItsErrors();

        var id = PipelineFixture.acceptedId(
                engine,
                PipelineFixture.request(
                        "ci:checkout/production/gha-9", RequestSource.KAFKA, "checkout", "1.2.0", "ci"));
        engine.advance(id);

        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);
        assertThat(scored(id).rules())
                .filteredOn(RuleOutcome.Escalate.class::isInstance)
                .map(r -> (RuleOutcome.Escalate) r)
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.rule()).isEqualTo("version-rolled-back");
                    assertThat(r.reason()).startsWith(earlierRollback(first) + "; CI asks to deploy it again");
                });
        // the approver reads it in the thread
        assertThat(DeployMessages.risk(scored(id)).blocks().toString())
                .contains("Always escalate", "version-rolled-back", "incident #");
        assertThat(f.audited(id, "risk.scored").getFirst().reasoningJson()).contains("version-rolled-back");
    }

    @Test
    void aPersonDeployingAgainAVersionRolledBackIsScoredAsUsualAndItsThreadSaysWhatHappenedToIt() {
        long first = rolledBackOnItsErrors();

        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:2", "checkout", "1.2.0", "U0DEV"));
        engine.advance(id);

        var assessment = scored(id);
        assertThat(assessment.rules())
                .noneMatch(RuleOutcome.Escalate.class::isInstance)
                .filteredOn(RuleOutcome.Note.class::isInstance)
                .map(r -> ((RuleOutcome.Note) r).text())
                .singleElement()
                .asString()
                .startsWith(earlierRollback(first) + "; deployed again at a person's request");
        assertThat(assessment.escalated()).isFalse();
        var message = DeployMessages.risk(assessment);
        assertThat(message.blocks().toString()).contains("Note", "version-rolled-back", "was rolled back at");
    }

    @Test
    void aVersionAPersonStoppedIsNotHeldAgainstIt() {
        f.announce("checkout", "1.2.0", PipelineFixture.SMALL_CHANGE);
        f.cluster.crash("registry.example/checkout:1.2.0", true); // its canary waits in its step
        var id = PipelineFixture.acceptedId(
                engine, PipelineFixture.slackRequest("slack:3", "checkout", "1.2.0", "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        engine.advance(id);
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        engine.rollbackRequested("checkout", "U0ANN");
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.ROLLED_BACK);
        f.cluster.crash("registry.example/checkout:1.2.0", false);
        f.clock.advance(Duration.ofHours(2));

        var again = PipelineFixture.acceptedId(
                engine,
                PipelineFixture.request(
                        "ci:checkout/production/gha-10", RequestSource.HTTP, "checkout", "1.2.0", "ci"));
        engine.advance(again);

        assertThat(scored(again).rules()).allMatch(RuleOutcome.Pass.class::isInstance);
    }
}
