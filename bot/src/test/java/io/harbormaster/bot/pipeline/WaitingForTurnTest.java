package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deploy that waits its turn in preflight says so in its thread, and its parent message keeps naming what it waits
 * for as that changes. The real pipeline, desk, front end and notifier against the Slack stand-in; the test moves the
 * clock and the pipeline itself.
 */
class WaitingForTurnTest {
    static final SlackRequests.Origin DEV = new SlackRequests.Origin("U0DEV", "dev", CHANNEL, "deploys");

    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    SlackBot bot;
    /** While set, the cluster does not answer a rollback: the deploy stays rolling back. */
    volatile boolean rollbacksHang;

    @BeforeEach
    void start() {
        db = SlackBot.database("waiting");
        f = new PipelineFixture(db); // checkout depends on payments
        f.clusterPort = PipelineFixture.around(f.cluster, (method, args) -> {
            if (method.equals("rollback") && rollbacksHang) {
                throw new IllegalStateException("the API server did not answer");
            }
        });
        slack = SlackBot.slack(new SlackStandIn.User("U0DEV", "dev", "Dev Requester"));
        bot = new SlackBot(f, slack, "engine-a");
    }

    @AfterEach
    void stop() {
        bot.close();
        slack.close();
        db.close();
    }

    @Test
    void aQueuedDeploySaysItWaitsAndItsParentFollowsWhatItWaitsFor() {
        long payments = bot.deployed(DEV, "payments", "2.0.0");
        bot.advanceUntil(payments, "payments in its canary", DeployState.CANARY);

        // checkout depends on payments: both of its deploys wait for payments' canary, and say so
        long first = bot.deployed(DEV, "checkout", "1.4.1");
        long second = bot.deployed(DEV, "checkout", "1.5.0");
        bot.engine.advance(first);
        bot.engine.advance(second);
        for (var version : List.of("1.4.1", "1.5.0")) {
            await("checkout " + version + " waiting in its parent", () -> bot.parent("checkout " + version)
                    .filter(m -> m.text().endsWith("waiting for its turn: in flight: payments 2.0.0 (canary)"))
                    .orElse(null));
            await("checkout " + version + " waiting in its thread", () -> bot.replies("checkout " + version).stream()
                    .filter(m -> m.text()
                            .startsWith(":hourglass_flowing_sand: *Waiting for its turn*: in flight:"
                                    + " payments 2.0.0 (canary). It starts by itself"))
                    .findFirst()
                    .orElse(null));
        }

        // payments is promoted; 1.4.1 takes checkout's rollout, and 1.5.0 now waits for it
        bot.advanceUntil(payments, "payments promoted", DeployState.PROMOTED);
        assertThat(bot.engine.advance(first).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        bot.engine.advance(second);
        bot.engine.advance(second); // nothing changed since: it says nothing more

        await("1.5.0's parent naming what it waits for now", () -> bot.parent("checkout 1.5.0")
                .filter(m -> m.text().endsWith("waiting for its turn: in flight: checkout 1.4.1 (canary)"))
                .orElse(null));
        assertThat(f.deploys.transitions(second))
                .extracting(t -> t.reason())
                .filteredOn(r -> r.startsWith("waiting for its turn"))
                .containsExactly(
                        "waiting for its turn: in flight: payments 2.0.0 (canary)",
                        "waiting for its turn: in flight: checkout 1.4.1 (canary)");
        assertThat(f.notices)
                .filteredOn(
                        n -> n instanceof DeployNotice.Waiting w && w.deploy().id() == second)
                .extracting(n -> ((DeployNotice.Waiting) n).started())
                .containsExactly(true, false);
        // the thread was told once that it waits; the parent says what for
        assertThat(bot.replies("checkout 1.5.0"))
                .filteredOn(m -> m.text().contains("Waiting for its turn"))
                .hasSize(1);
    }

    @Test
    void whatADeployWaitsForIsNamedWithItsStateInWordsNotAsTheEnumIsSpelled() {
        long first = bot.deployed(DEV, "checkout", "1.4.1");
        bot.advanceUntil(first, "1.4.1 in its canary", DeployState.CANARY);
        rollbacksHang = true;
        try {
            bot.engine.rollbackRequested("checkout", "U0DEV");
        } catch (IllegalStateException e) {
            // the cluster did not answer: the deploy stays rolling back, as it would while a slow rollback runs
        }
        assertThat(f.deploys.find(first).orElseThrow().state()).isEqualTo(DeployState.ROLLING_BACK);

        long second = bot.deployed(DEV, "checkout", "1.5.0");
        bot.engine.advance(second);
        await("1.5.0 waiting in its thread", () -> bot.replies("checkout 1.5.0").stream()
                .filter(m -> m.text().contains("*Waiting for its turn*"))
                .findFirst()
                .orElse(null));
        assertThat(bot.replies("checkout 1.5.0"))
                .filteredOn(m -> m.text().contains("*Waiting for its turn*"))
                .singleElement()
                .satisfies(m -> assertThat(m.text())
                        .contains("in flight: checkout 1.4.1 (rolling back)")
                        .doesNotContain("rolling_back"));
        await("1.5.0's parent naming it", () -> bot.parent("checkout 1.5.0")
                .filter(m -> m.text().endsWith("waiting for its turn: in flight: checkout 1.4.1 (rolling back)"))
                .orElse(null));
    }
}
