package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.http.HttpServer;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.bot.slack.SlackFrontEnd;
import io.harbormaster.bot.slack.SlackNotifier;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deploy that waits its turn in preflight says so in its thread, and its parent message keeps naming what it waits
 * for as that changes. The real pipeline, desk, front end and notifier against the Slack stand-in; the test moves the
 * clock and the pipeline itself.
 */
class WaitingForTurnTest {
    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    static final String CHANNEL = "C0DEPLOYS";
    static final SlackRequests.Origin DEV = new SlackRequests.Origin("U0DEV", "dev", CHANNEL, "deploys");
    static final AtomicInteger DB = new AtomicInteger();

    Database db;
    PipelineFixture f;
    SlackStandIn slack;
    DeployPipeline engine;
    SlackNotifier notifier;
    SlackFrontEnd frontEnd;
    HttpServer server;
    SlackRequests requests;

    @BeforeEach
    void start() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:waiting" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db); // checkout depends on payments
        slack = SlackStandIn.start(
                BOT_TOKEN,
                List.of(new SlackStandIn.User("U0DEV", "dev", "Dev Requester")),
                List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
        engine = f.engine("engine-a");
        var threads = new DeployThreads(new JooqSlackThreads(db));
        var desk = new PipelineDesk(
                engine,
                f.deploys,
                f.policies,
                f.audit,
                threads,
                PipelineSettings.defaults("engine-a"),
                deployId -> {}, // the test moves the pipeline
                f.clock);
        var metrics = new BotMetrics();
        frontEnd = new SlackFrontEnd(
                new SlackSettings(SIGNING_SECRET, BOT_TOKEN, Optional.of(slack.methodsUrlPrefix())),
                desk,
                new SlackApprovalThreadTest.NoAudit(),
                new DeployCommandParser(f.catalog, Set.of()),
                metrics,
                Clock.systemUTC(),
                new SlackWebApi.Settings(Duration.ofMillis(20), 2, Duration.ofSeconds(2)));
        notifier = new SlackNotifier(
                frontEnd.web(), threads, f.deploys, f.builds, () -> f.catalog, Duration.ofSeconds(10));
        f.alsoNotify = notifier;
        server = new HttpServer(frontEnd.app(), List.of(), metrics).start("127.0.0.1", 0);
        requests = new SlackRequests(
                URI.create("http://127.0.0.1:" + server.port() + "/slack/events"), SIGNING_SECRET, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        f.alsoNotify = io.harbormaster.engine.rollout.Notifier.NONE;
        server.close();
        notifier.close();
        frontEnd.close(Duration.ofSeconds(2));
        slack.close();
        db.close();
    }

    @Test
    void aQueuedDeploySaysItWaitsAndItsParentFollowsWhatItWaitsFor() {
        long payments = deployed("payments", "2.0.0");
        advanceUntil(payments, "payments in its canary", DeployState.CANARY);

        // checkout depends on payments: both of its deploys wait for payments' canary, and say so
        long first = deployed("checkout", "1.4.1");
        long second = deployed("checkout", "1.5.0");
        engine.advance(first);
        engine.advance(second);
        for (var version : List.of("1.4.1", "1.5.0")) {
            await("checkout " + version + " waiting in its parent", () -> parent("checkout " + version)
                    .filter(m -> m.text().endsWith("waiting for its turn: in flight: payments 2.0.0 (canary)"))
                    .orElse(null));
            await("checkout " + version + " waiting in its thread", () -> replies("checkout " + version).stream()
                    .filter(m -> m.text()
                            .startsWith(":hourglass_flowing_sand: *Waiting for its turn*: in flight:"
                                    + " payments 2.0.0 (canary). It starts by itself"))
                    .findFirst()
                    .orElse(null));
        }

        // payments is promoted; 1.4.1 takes checkout's rollout, and 1.5.0 now waits for it
        advanceUntil(payments, "payments promoted", DeployState.PROMOTED);
        assertThat(engine.advance(first).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        engine.advance(second);
        engine.advance(second); // nothing changed since: it says nothing more

        await("1.5.0's parent naming what it waits for now", () -> parent("checkout 1.5.0")
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
        assertThat(replies("checkout 1.5.0"))
                .filteredOn(m -> m.text().contains("Waiting for its turn"))
                .hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A small change of {@code service} deployed by Dev from Slack; its id, once its parent message is posted. */
    long deployed(String service, String version) {
        f.announce(service, version, PipelineFixture.SMALL_CHANGE);
        requests.slashCommand(DEV, "/deploy", service + " " + version);
        long id = await(service + " " + version, () -> f.deploys.inFlight().stream()
                        .filter(d -> d.service().equals(service) && d.version().equals(version))
                        .map(Deploy::id)
                        .findFirst()
                        .orElse(null))
                .longValue();
        await("its parent message", () -> parent(service + " " + version).orElse(null));
        return id;
    }

    /** Moves the clock and the deploy on until it is in {@code state}. */
    void advanceUntil(long id, String what, DeployState state) {
        for (int i = 0; i < 120 && f.deploys.find(id).orElseThrow().state() != state; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            engine.advance(id);
        }
        assertThat(f.deploys.find(id).orElseThrow().state()).as(what).isEqualTo(state);
    }

    Optional<SlackStandIn.Message> parent(String title) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(title))
                .findFirst();
    }

    List<SlackStandIn.Message> replies(String title) {
        return parent(title).map(p -> slack.replies(CHANNEL, p.ts())).orElse(List.of());
    }

    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(15), probe);
    }
}
