package io.harbormaster.bot.pipeline;

import static io.harbormaster.bot.pipeline.SlackBot.BOT_TOKEN;
import static io.harbormaster.bot.pipeline.SlackBot.CHANNEL;
import static io.harbormaster.bot.pipeline.SlackBot.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.SlackNotifier;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Slack shows of a service's incidents, through the pipeline, the notifier and the Slack stand-in. A promotion
 * that resolves an incident is told in its own thread, the incident's resolution in the thread of the rollback that
 * opened it: two threads, whose notices the notifier delivers side by side, and the channel must still read the
 * promotion first, also when its message is the slower one to make. An approval request lists the service's past
 * incidents as a person reads them.
 */
class IncidentSlackMessagesTest {
    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    Slack client;
    SlackWebApi web;
    SlackNotifier notifier;

    @BeforeEach
    void start() {
        db = SlackBot.database("incidentmessages");
        f = new PipelineFixture(db);
        slack = SlackBot.slack(new SlackStandIn.User("U0DEV", "dev", "Dev"));
        var config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(slack.methodsUrlPrefix());
        client = Slack.getInstance(config);
        web = new SlackWebApi(
                client.methods(BOT_TOKEN),
                new BotMetrics(),
                new SlackWebApi.Settings(Duration.ofMillis(20), 2, Duration.ofSeconds(2)));
        notifier = new SlackNotifier(
                web,
                new DeployThreads(new JooqSlackThreads(db)),
                slowOncePromoted(f.deploys),
                f.builds,
                () -> f.catalog,
                Duration.ofSeconds(10));
        f.alsoNotify = notifier;
    }

    @AfterEach
    void stop() throws Exception {
        f.alsoNotify = io.harbormaster.engine.rollout.Notifier.NONE;
        notifier.close();
        web.close();
        client.close();
        slack.close();
        db.close();
    }

    @Test
    void theIncidentIsToldResolvedOnlyAfterThePromotionThatResolvedItEvenWhenThePromotionIsSlowerToTell() {
        var engine = f.engine("engine-a");
        f.metrics.inject("payments", "1.1.0", Fault.errors(0.10));
        f.announce("payments", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var faulty = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p1", RequestSource.HTTP, "payments", "1.1.0", "ci"));
        assertThat(f.runUntilDone(engine, faulty, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.ROLLED_BACK);
        await("the rollback notice", () -> message("Rolled back"));

        f.clock.advance(Duration.ofMinutes(61)); // CI's deploys of payments are blocked for an hour after it
        f.announce("payments", "1.2.0", PipelineFixture.SMALL_CHANGE);
        var fixed = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p2", RequestSource.HTTP, "payments", "1.2.0", "ci"));
        assertThat(f.runUntilDone(engine, fixed, Duration.ofMinutes(20)).state())
                .isEqualTo(DeployState.PROMOTED);

        var resolved = await("the incident resolved", () -> message("is resolved"));
        var promoted = await("the promotion", () -> message("Promoted"));
        assertThat(resolved.allText()).contains("resolved by the promotion of payments 1.2.0 (deploy #" + fixed + ")");
        var all = slack.allMessages();
        assertThat(all.indexOf(promoted))
                .as("the promotion is in the channel before the incident it resolved is told resolved")
                .isLessThan(all.indexOf(resolved));
    }

    @Test
    void anApprovalRequestListsThePastIncidentsOfTheServiceAsAPersonReadsThem() {
        var engine = f.engine("engine-a");
        f.announce("payments", "1.1.0", PipelineFixture.SMALL_CHANGE);
        var stopped = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p1", RequestSource.HTTP, "payments", "1.1.0", "ci"));
        assertThat(engine.advance(stopped).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        engine.rollbackRequested("payments", "U0ANN");
        assertThat(f.runUntilDone(engine, stopped, Duration.ofMinutes(5)).state())
                .isEqualTo(DeployState.ROLLED_BACK);

        f.clock.advance(Duration.ofMinutes(5));
        f.announce("payments", "1.3.0", PipelineFixture.MIGRATION);
        var risky = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p2", RequestSource.HTTP, "payments", "1.3.0", "ci"));
        assertThat(engine.advance(risky).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        // 1.1.0 changed nothing 1.3.0 changes: it is shown as one of the latest, and said to be
        var card = await("the approval request", () -> message("Latest past incidents"));
        assertThat(card.allText())
                .contains("*Latest past incidents* (none changed the same files, directories or dependencies as this"
                        + " change)")
                .contains("• *payments* `1.1.0` rolled back 2026-11-24 10:00 UTC (deploy #" + stopped + ", incident #")
                .contains(", still open): rollback requested by <@U0ANN>")
                .doesNotContain("requested by U0ANN", "• 1.1.0:");
    }

    @Test
    void anApprovalRequestSaysWhatTheChangeSharesWithEachSimilarPastIncident() {
        var engine = f.engine("engine-a");
        // a small change to _Order_.java (a name with Slack's italic marks at its ends, as CI announced it), rolled
        // back
        f.announce(
                "payments",
                "1.1.0",
                PipelineFixture.SMALL_CHANGE.replace("src/main/java/Cart.java", "src/_Order_.java"));
        var stopped = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p1", RequestSource.HTTP, "payments", "1.1.0", "ci"));
        assertThat(engine.advance(stopped).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        engine.rollbackRequested("payments", "U0ANN");
        assertThat(f.runUntilDone(engine, stopped, Duration.ofMinutes(5)).state())
                .isEqualTo(DeployState.ROLLED_BACK);

        f.clock.advance(Duration.ofMinutes(5));
        // a migration, and _Order_.java again
        f.announce("payments", "1.3.0", PipelineFixture.MIGRATION.replace("src/Order.java", "src/_Order_.java"));
        var risky = PipelineFixture.acceptedId(
                engine, PipelineFixture.request("ci:p2", RequestSource.HTTP, "payments", "1.3.0", "ci"));
        assertThat(engine.advance(risky).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

        var card = await("the approval request", () -> message("Similar past incidents"));
        assertThat(card.allText())
                .contains("• *payments* `1.1.0` rolled back 2026-11-24 10:00 UTC (deploy #" + stopped + ", incident #")
                // the name as written, in a code span: not in an italic span its own _ would have ended
                .contains("incident #1, still open): rollback requested by <@U0ANN> (also changed `_Order_.java`)")
                .doesNotContain("Latest past incidents", "_(", ")_");
    }

    /** The first message in the channel (parent or reply) whose text contains {@code text}, or null. */
    private SlackStandIn.Message message(String text) {
        return slack.allMessages().stream()
                .filter(m -> m.channel().equals(CHANNEL) && m.allText().contains(text))
                .findFirst()
                .orElse(null);
    }

    /**
     * {@code store}, whose transitions of a promoted deploy take half a second to read: the notifier's promotion
     * message is then slower to make than anything told of another deploy meanwhile.
     */
    private DeployStore slowOncePromoted(DeployStore store) {
        return (DeployStore) Proxy.newProxyInstance(
                DeployStore.class.getClassLoader(), new Class<?>[] {DeployStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("transitions")
                            && args != null
                            && args.length == 1
                            && args[0] instanceof Long id
                            && store.find(id)
                                    .map(d -> d.state() == DeployState.PROMOTED)
                                    .orElse(false)) {
                        Thread.sleep(500);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
