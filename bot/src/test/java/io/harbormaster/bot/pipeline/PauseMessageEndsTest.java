package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.slack.JooqSlackThreads;
import io.harbormaster.storage.slack.SlackPauseMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A paused canary's message loses its Promote anyway / Roll back buttons whenever the pause ends, however it ends and
 * whichever bot sees it end: they are replaced by how it ended and who or what ended it, and a late click on them is
 * told so. The real pipeline, desk, front end and notifier against the Slack stand-in; the test moves the clock and the
 * pipeline itself.
 */
class PauseMessageEndsTest {
    static final SlackRequests.Origin DEV = new SlackRequests.Origin("U0DEV", "dev", CHANNEL, "deploys");
    static final SlackRequests.Origin BOB = new SlackRequests.Origin("U0BOB", "bob", CHANNEL, "deploys");

    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    SlackBot bot;

    @BeforeEach
    void start() {
        db = SlackBot.database("pause-ends");
        f = new PipelineFixture(db);
        slack = SlackBot.slack(
                new SlackStandIn.User("U0DEV", "dev", "Dev Requester"),
                new SlackStandIn.User("U0BOB", "bob", "Bob Approver"));
        bot = new SlackBot(f, slack, "engine-a");
    }

    @AfterEach
    void stop() {
        bot.close();
        slack.close();
        db.close();
    }

    @Test
    void metricsComingBackReplaceThePausesButtonsByTheResumeAndALateClickIsToldItCameTooLate() {
        long id = canaryInSlack();
        var paused = pauseFor(id, 1);

        f.metrics.outage(null);
        advanceUntil(id, "the canary resumed", () -> noticed(id, DeployNotice.Resumed.class));

        var closed = closedShowing(paused, "Resumed by Harbormaster: metrics are back; the analysis goes on");
        assertThat(closed.allText()).contains("*Paused*: no metrics for").doesNotContain("Only members of");
        assertThat(BlockKitLimits.violations(closed.blocksJson())).isEmpty();
        assertThat(await(
                        "the end recorded",
                        () -> pauseRows(id).getFirst().ended().orElse(null)))
                .isEqualTo("Resumed by Harbormaster: metrics are back; the analysis goes on");
        assertThat(pauseRows(id)).hasSize(1);

        // Bob had the message open with its buttons: his click does nothing, and he is told why and how it ended
        bot.requests.blockAction(
                BOB, PauseMessages.PROMOTE_ACTION, "pause-" + id, Long.toString(id), SlackStandIn.asSlackJson(paused));
        var answer = await("the answer to Bob", () -> slack.ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of("U0BOB")))
                .findFirst()
                .orElse(null));
        assertThat(answer.text())
                .isEqualTo(":information_source: Nothing was done: this deploy no longer waits for a decision on its"
                        + " pause (it is running its canary again). Resumed by Harbormaster: metrics are back; the"
                        + " analysis goes on.");
        assertThat(f.deploys.find(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        assertThat(f.audited(id, "canary.promote")).isEmpty();
        assertThat(slack.message(CHANNEL, paused.ts()).orElseThrow().allText())
                .doesNotContain(PauseMessages.PROMOTE_ACTION)
                .contains("Resumed by Harbormaster");
    }

    @Test
    void aRollbackTypedOnAnotherReplicaAfterARestartReplacesTheButtonsTheFirstOnePosted() {
        long id = canaryInSlack();
        var paused = pauseFor(id, 1);
        await("the pause recorded", () -> pauseRows(id).isEmpty() ? null : true);

        // the bot that posted the pause stops; another one, which never saw it, takes Bob's /deploy rollback
        bot.close();
        bot = new SlackBot(f, slack, "engine-b");
        bot.requests.slashCommand(BOB, "/deploy", "rollback checkout");
        rolledBack(id);

        var closed = closedShowing(paused, "Rolled back by <@U0BOB>");
        assertThat(closed.allText()).doesNotContain(PauseMessages.ROLLBACK_ACTION);
        await("the end recorded", () -> pauseRows(id).getFirst().ended().orElse(null));
        assertThat(pauseRows(id)).hasSize(1);
        // the parent names who asked as Slack shows a person, in its blocks and in its notification text
        var parent = await("the parent rolled back", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith("checkout 1.1.0"))
                .filter(m -> m.blocksJson().contains("*rolled back*"))
                .findFirst()
                .orElse(null));
        assertThat(parent.blocksJson()).contains("rollback requested by <@U0BOB>");
        assertThat(parent.text()).endsWith("rollback requested by <@U0BOB>");
    }

    @Test
    void aCanaryPausedTwiceClosesEachPauseWithItsOwnEnd() {
        long id = canaryInSlack();
        var first = pauseFor(id, 1);
        f.metrics.outage(null);
        advanceUntil(id, "the canary resumed", () -> noticed(id, DeployNotice.Resumed.class));
        var second = pauseFor(id, 2);
        assertThat(second.ts()).isNotEqualTo(first.ts());
        closedShowing(first, "Resumed by Harbormaster");
        assertThat(slack.message(CHANNEL, second.ts()).orElseThrow().allText())
                .as("the second pause waits for a human")
                .contains(PauseMessages.PROMOTE_ACTION);

        bot.requests.blockAction(
                BOB, PauseMessages.ROLLBACK_ACTION, "pause-" + id, Long.toString(id), SlackStandIn.asSlackJson(second));
        rolledBack(id);

        closedShowing(second, "Rolled back by <@U0BOB>");
        assertThat(slack.message(CHANNEL, first.ts()).orElseThrow().allText())
                .contains("Resumed by Harbormaster")
                .doesNotContain("Rolled back by");
        await(
                "both ends recorded",
                () -> pauseRows(id).stream().allMatch(r -> r.ended().isPresent()) ? true : null);
        assertThat(pauseRows(id)).hasSize(2);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A small change to checkout deployed by Dev from Slack, moved to its canary; its id. */
    long canaryInSlack() {
        f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
        bot.requests.slashCommand(DEV, "/deploy", "checkout 1.1.0");
        long id = await("the deploy", () -> f.deploys.inFlight().stream()
                        .map(Deploy::id)
                        .findFirst()
                        .orElse(null))
                .longValue();
        await("its thread", () -> slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith("checkout 1.1.0"))
                .findFirst()
                .orElse(null));
        advanceUntil(id, "the canary", () -> f.deploys.find(id).orElseThrow().state() == DeployState.CANARY);
        return id;
    }

    /** Takes the metrics down until the canary pauses for the {@code nth} time; its message, with its buttons. */
    SlackStandIn.Message pauseFor(long id, int nth) {
        f.metrics.outage("connection refused");
        advanceUntil(
                id,
                "pause " + nth,
                () -> f.notices.stream()
                                .filter(n -> n instanceof DeployNotice.Paused
                                        && n.deploy().id() == id)
                                .count()
                        == nth);
        return await("pause message " + nth, () -> {
            var pauses = threadReplies().stream()
                    .filter(m -> m.text().startsWith("Paused: ") || m.text().startsWith("Pause ended: "))
                    .toList();
            return pauses.size() == nth && pauses.getLast().allText().contains(PauseMessages.PROMOTE_ACTION)
                    ? pauses.getLast()
                    : null;
        });
    }

    /** Moves the clock and the pipeline on until {@code done}. */
    void advanceUntil(long id, String what, Supplier<Boolean> done) {
        for (int i = 0; i < 60 && !done.get(); i++) {
            f.clock.advance(Duration.ofSeconds(10));
            bot.engine.advance(id);
        }
        assertThat(done.get()).as(what).isTrue();
    }

    /** Waits for the rollback just asked for to be taken, then moves the pipeline on until the deploy rolled back. */
    void rolledBack(long id) {
        await(
                "the rollback requested",
                () -> f.deploys.find(id).orElseThrow().state() != DeployState.CANARY ? true : null);
        advanceUntil(
                id,
                "the deploy rolled back",
                () -> f.deploys.find(id).orElseThrow().state() == DeployState.ROLLED_BACK);
    }

    boolean noticed(long id, Class<? extends DeployNotice> kind) {
        return f.notices.stream().anyMatch(n -> kind.isInstance(n) && n.deploy().id() == id);
    }

    /** The pause message once it shows {@code outcome} in place of its buttons. */
    SlackStandIn.Message closedShowing(SlackStandIn.Message pause, String outcome) {
        return await("the pause closed with " + outcome, () -> slack.message(CHANNEL, pause.ts())
                .filter(m -> !m.allText().contains(PauseMessages.PROMOTE_ACTION))
                .filter(m -> m.allText().contains(":lock: " + outcome))
                .orElse(null));
    }

    List<SlackPauseMessage> pauseRows(long id) {
        return new JooqSlackThreads(db).pauseMessages(id);
    }

    List<SlackStandIn.Message> threadReplies() {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith("checkout 1.1.0"))
                .findFirst()
                .map(p -> slack.replies(CHANNEL, p.ts()))
                .orElse(List.of());
    }
}
