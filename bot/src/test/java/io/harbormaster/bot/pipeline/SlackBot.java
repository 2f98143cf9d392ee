package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.Await;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.http.HttpServer;
import io.harbormaster.bot.slack.AuditDesk;
import io.harbormaster.bot.slack.DeployDesk;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.bot.slack.SlackFrontEnd;
import io.harbormaster.bot.slack.SlackNotifier;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.SlackUser;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Notifier;
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
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * One replica of the bot's Slack side over a {@link PipelineFixture}: its pipeline, the pipeline desk, the front end on
 * an HTTP server of its own and the notifier, against the Slack stand-in, for tests that move the clock (and, unless
 * they say otherwise, the pipeline) themselves. Closing one and starting another is a restart, or another replica:
 * nothing in memory survives, the database and Slack do.
 *
 * <p>With it, what such tests share: the workspace's one channel, a stand-in with the test's members in it, a database
 * of the test's own, and waiting for what Slack shows.
 */
final class SlackBot implements AutoCloseable {
    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    static final String CHANNEL = "C0DEPLOYS";

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final PipelineFixture f;
    private final SlackStandIn slack;
    final DeployPipeline engine;
    final SlackNotifier notifier;
    final SlackFrontEnd frontEnd;
    final HttpServer server;
    final SlackRequests requests;

    /** The bot {@code name} (its pipeline's owner), whose desk leaves moving the pipeline to the test. */
    SlackBot(PipelineFixture f, SlackStandIn slack, String name) {
        this(f, slack, name, engine -> deployId -> {}, desk -> desk);
    }

    /**
     * ... whose desk nudges the pipeline with what {@code nudge} makes of it, and which answers Slack with what
     * {@code desk} makes of the pipeline desk (a wrapper that holds a timing still, say).
     */
    SlackBot(
            PipelineFixture f,
            SlackStandIn slack,
            String name,
            Function<DeployPipeline, LongConsumer> nudge,
            Function<PipelineDesk, DeployDesk> desk) {
        this.f = f;
        this.slack = slack;
        engine = f.engine(name);
        var threads = new DeployThreads(new JooqSlackThreads(f.db));
        var pipelineDesk = new PipelineDesk(
                engine,
                f.deploys,
                f.policies,
                f.audit,
                threads,
                PipelineSettings.defaults(name),
                nudge.apply(engine),
                f.clock);
        var metrics = new BotMetrics();
        frontEnd = new SlackFrontEnd(
                new SlackSettings(SIGNING_SECRET, BOT_TOKEN, Optional.of(slack.methodsUrlPrefix())),
                desk.apply(pipelineDesk),
                new NoAudit(),
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

    /** A small change of {@code service} deployed by {@code who} from Slack; its id, once its parent message is posted. */
    long deployed(SlackRequests.Origin who, String service, String version) {
        f.announce(service, version, PipelineFixture.SMALL_CHANGE);
        requests.slashCommand(who, "/deploy", service + " " + version);
        long id = await(service + " " + version, () -> f.deploys.inFlight().stream()
                        .filter(d -> d.service().equals(service) && d.version().equals(version))
                        .map(Deploy::id)
                        .findFirst()
                        .orElse(null))
                .longValue();
        await("its parent message", () -> parent(service + " " + version).orElse(null));
        return id;
    }

    /** Moves the clock and deploy {@code id} on until it is in {@code state} ({@code what} names it if it is not). */
    void advanceUntil(long id, String what, DeployState state) {
        for (int i = 0; i < 120 && f.deploys.find(id).orElseThrow().state() != state; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            engine.advance(id);
        }
        assertThat(f.deploys.find(id).orElseThrow().state()).as(what).isEqualTo(state);
    }

    /** The channel's first message whose text starts with {@code title}. */
    Optional<SlackStandIn.Message> parent(String title) {
        return slack.messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(title))
                .findFirst();
    }

    /** The thread under {@link #parent}, empty without one. */
    List<SlackStandIn.Message> replies(String title) {
        return parent(title).map(p -> slack.replies(CHANNEL, p.ts())).orElse(List.of());
    }

    /** Stops telling this bot the pipeline's notices, then stops it. */
    @Override
    public void close() {
        f.alsoNotify = Notifier.NONE;
        server.close();
        notifier.close();
        frontEnd.close(Duration.ofSeconds(2));
    }

    /** The Slack stand-in with the channel and {@code members}. */
    static SlackStandIn slack(SlackStandIn.User... members) {
        return SlackStandIn.start(BOT_TOKEN, List.of(members), List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
    }

    /** A fresh in-memory H2 database named after {@code test}, kept until it is closed. */
    static Database database(String test) {
        return Database.open(
                DatabaseConfig.of("jdbc:h2:mem:" + test + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
    }

    /** Waits up to 15 s for {@code probe} to give something other than null, and returns it. */
    static <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, Duration.ofSeconds(15), probe);
    }

    /** The audit desk: not what these tests are about. */
    static final class NoAudit implements AuditDesk {
        @Override
        public AuditOutcome query(AuditQuery query, SlackUser who, String typed) {
            return new AuditOutcome.Refused("no audit here");
        }

        @Override
        public AuditOutcome verify(SlackUser who) {
            return new AuditOutcome.Refused("no audit here");
        }
    }
}
