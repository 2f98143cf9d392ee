package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.harbormaster.bot.Await;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.http.DeployRequestsApi;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.messages.BlockKitLimits;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole bot in process, for end-to-end tests that drive it as Slack and CI do. It starts the Slack stand-in with
 * one channel (#deploys) and the members {@link Options#users()}, a fresh H2 database, the sandbox's cluster (each of
 * {@link Options#services()} at 1.0.0, 4 replicas, in namespace shop) and its metrics, and {@link Harbormaster} on a
 * free port of 127.0.0.1, signing Slack's and CI's requests to it with its secrets. Closing it closes the bot, the
 * database and the stand-in.
 *
 * <p>As a JUnit extension it runs for a whole class when it is registered in a static field, and afresh for each test
 * in an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final InProcessBot bot = new InProcessBot(Options.of("revert", CONFIG, users(DANA, BOB), List.of("checkout")));
 * }</pre>
 *
 * A test that can only say its options once it runs starts one itself with {@link #start(Options)} and closes it.
 *
 * <p>What the tests share besides the running bot: the people of the workspace ({@link #ALICE} and the others), a
 * harbormaster.yml with a canary fast enough to finish in seconds ({@link #harbormasterYml(String)}), CI's
 * announcements of builds ({@link #announce}), what the channel shows (parent messages, thread replies, answers only
 * one person sees) and waiting for it ({@link #await}).
 */
final class InProcessBot
        implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    static final String CHANNEL = "C0DEPLOYS";
    /** The app-level token Socket Mode connects with, when {@link Options#socketMode()} is on. */
    static final String APP_TOKEN = "xapp-1-A0HARBORMASTER-1234567890-e2e0123456789abcdef";

    private static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    private static final String CI_SECRET = "ci-secret-for-in-process-bot";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    // ------------------------------------------------------------------------------------------------ the people

    /** Requests deploys; the configs that make her an approver do so to show that she cannot approve her own. */
    static final SlackRequests.Origin ALICE = inDeploys("U0REQUESTER", "alice");
    /** Approves (and, where the test says so, rolls back). */
    static final SlackRequests.Origin BOB = inDeploys("U0APPROVER", "bob");
    /** Reads the audit log, where a config makes {@code auditors} its auditors. */
    static final SlackRequests.Origin AUDREY = inDeploys("U0AUDITOR", "audrey");
    /** Deploys services that name {@code deployers}. */
    static final SlackRequests.Origin DANA = inDeploys("U0DEPLOYER", "dana");
    /** In no group: whatever a group is needed for is refused to her. */
    static final SlackRequests.Origin MALLORY = inDeploys("U0MALLORY", "mallory");

    private static final Map<String, String> REAL_NAMES = Map.of(
            ALICE.userId(), "Alice Requester",
            BOB.userId(), "Bob Approver",
            AUDREY.userId(), "Audrey Auditor",
            DANA.userId(), "Dana Deployer",
            MALLORY.userId(), "Mallory");

    /** Someone writing in #deploys, as Slack tells the bot who sent a command or a click. */
    static SlackRequests.Origin inDeploys(String userId, String userName) {
        return new SlackRequests.Origin(userId, userName, CHANNEL, "deploys");
    }

    /**
     * The workspace's members for {@link Options#users()}: {@code people}, each one of the above, with their real
     * names and no email address. Someone else (or someone with an address) is a {@link SlackStandIn.User} the test
     * makes itself.
     */
    static List<SlackStandIn.User> users(SlackRequests.Origin... people) {
        return Arrays.stream(people)
                .map(p -> {
                    var realName = REAL_NAMES.get(p.userId());
                    if (realName == null) {
                        throw new IllegalArgumentException(p.userId() + " is none of InProcessBot's people: make its"
                                + " SlackStandIn.User in the test and pass the list to Options.of");
                    }
                    return new SlackStandIn.User(p.userId(), p.userName(), realName);
                })
                .toList();
    }

    // ------------------------------------------------------------------------------------------------ harbormaster.yml

    /**
     * What every end-to-end test's harbormaster.yml has unless it says otherwise: deploys are told in #deploys, and a
     * canary takes one 50% step of six 1 s intervals, stays at least 3 s in its step and before its promotion, and
     * pauses when it has had no metrics for 30 s. So a deploy that nothing holds back is promoted within seconds.
     */
    static final String SHARED_YML = """
            defaults:
              channel: "#deploys"
              canary:
                interval_seconds: 1
                min_step_seconds: 3
                min_promote_seconds: 3
                max_no_data_seconds: 30
                steps: [{weight: 50, intervals: 6}]
            """;

    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * A harbormaster.yml: {@code particular} (a test's groups, services and whatever else it needs) laid over {@link
     * #SHARED_YML} as a JSON merge patch (RFC 7386): a map merges key by key, {@code null} removes the key, and any
     * other value (a list too) replaces the shared one. So {@code defaults: {canary: {max_no_data_seconds: 2}}}
     * changes that one number and keeps the rest.
     */
    static String harbormasterYml(String particular) {
        try {
            var merged = mergePatch(YAML.readTree(SHARED_YML), YAML.readTree(particular));
            return YAML.writeValueAsString(merged);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not YAML: " + particular, e);
        }
    }

    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        var merged = target.isObject() ? ((ObjectNode) target).deepCopy() : YAML.createObjectNode();
        patch.properties().forEach(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), mergePatch(merged.path(e.getKey()), e.getValue()));
            }
        });
        return merged;
    }

    // ------------------------------------------------------------------------------------------------ the knobs

    /**
     * What the tests vary.
     *
     * @param name the config file's name (without .yml), the bot's owner and the database's name
     * @param config harbormaster.yml's text, as it is (see {@link #harbormasterYml(String)} for the shared one)
     * @param users the Slack workspace's members (see {@link #users(SlackRequests.Origin...)})
     * @param services what the cluster runs at 1.0.0
     * @param metricsSeed the seed of the simulated metrics' noise
     * @param tick how often the bot advances unfinished deploys
     * @param slackPacing how the bot's Slack Web API client paces and retries
     * @param socketMode whether the stand-in accepts Socket Mode connections with {@link #APP_TOKEN}
     * @param events where deploy events go: the in-process bus, or a transport the bot reaches through its outbox
     * @param patience how long {@link #await} and the helpers that wait give the bot before the test fails
     */
    record Options(
            String name,
            String config,
            List<SlackStandIn.User> users,
            List<String> services,
            long metricsSeed,
            Duration tick,
            SlackWebApi.Settings slackPacing,
            boolean socketMode,
            Supplier<DeployEvents> events,
            Duration patience) {
        /**
         * Metrics seed 7, a 500 ms tick, Slack calls retried twice, no Socket Mode, the in-process event bus, and 30 s
         * of patience.
         */
        static Options of(String name, String config, List<SlackStandIn.User> users, List<String> services) {
            return new Options(
                    name,
                    config,
                    users,
                    services,
                    7,
                    Duration.ofMillis(500),
                    new SlackWebApi.Settings(Duration.ofMillis(20), 2, Duration.ofSeconds(2)),
                    false,
                    InProcessEventBus::new,
                    Duration.ofSeconds(30));
        }

        Options withMetricsSeed(long seed) {
            return new Options(name, config, users, services, seed, tick, slackPacing, socketMode, events, patience);
        }

        Options withTick(Duration every) {
            return new Options(
                    name, config, users, services, metricsSeed, every, slackPacing, socketMode, events, patience);
        }

        Options withSlackPacing(SlackWebApi.Settings pacing) {
            return new Options(name, config, users, services, metricsSeed, tick, pacing, socketMode, events, patience);
        }

        Options withSocketMode() {
            return new Options(name, config, users, services, metricsSeed, tick, slackPacing, true, events, patience);
        }

        /** Deploy events go to {@code transport} (Kafka's place), through the bot's outbox. */
        Options withEvents(DeployEvents transport) {
            return new Options(
                    name,
                    config,
                    users,
                    services,
                    metricsSeed,
                    tick,
                    slackPacing,
                    socketMode,
                    () -> transport,
                    patience);
        }

        Options withPatience(Duration wait) {
            return new Options(name, config, users, services, metricsSeed, tick, slackPacing, socketMode, events, wait);
        }
    }

    // ------------------------------------------------------------------------------------------------ running it

    /** Real time, shifted to a Tuesday morning so that time-of-day risk does not depend on when the build runs. */
    final Clock clock =
            Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-11-24T10:00:00Z")));

    private final Options options;
    private Running running;
    /** Whether it was started for a whole class, so that the end of one test leaves it running. */
    private boolean forTheClass;

    /** A bot that starts when JUnit says (see the class's comment), or by {@link #start(Options)}. */
    InProcessBot(Options options) {
        this.options = options;
    }

    /** A bot running now with {@code options}; the caller closes it. */
    static InProcessBot start(Options options) {
        var bot = new InProcessBot(options);
        bot.running = bot.new Running();
        return bot;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        forTheClass = true;
        running = new Running();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (running == null) {
            running = new Running();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!forTheClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    /** The parts of a started bot. */
    private final class Running implements AutoCloseable {
        final SlackStandIn slack;
        final Database db;
        final SimulatedCluster cluster;
        final SimulatedMetrics metrics;
        final Harbormaster harbormaster;
        final String base;
        final SlackRequests requests;
        /** harbormaster.yml as a file, holding {@link Options#config()} until a test rewrites it. */
        final java.nio.file.Path configFile;
        /** What the bot says of its reloads of {@link #configFile}. */
        final java.io.StringWriter reloadLog = new java.io.StringWriter();
        /** CI's and the scrapes' client. */
        final HttpClient http = HttpClient.newHttpClient();

        Running() {
            slack = SlackStandIn.start(
                    BOT_TOKEN, options.users(), List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
            if (options.socketMode()) {
                slack.socketMode().enable(APP_TOKEN);
            }
            // a prefix of its own: an in-memory database outlives its test (DB_CLOSE_DELAY=-1), and a test class that
            // named its own "revert" + a counter was handed the end-to-end test's database, entries and all
            db = Database.open(DatabaseConfig.of("jdbc:h2:mem:inprocess-" + options.name() + "-"
                    + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
            cluster = new SimulatedCluster();
            for (var s : options.services()) {
                cluster.install(target(s), "registry.example/" + s + ":1.0.0", 4);
            }
            metrics = new SimulatedMetrics(cluster, InProcessBot::target, 2_000, options.metricsSeed());
            try {
                configFile = java.nio.file.Files.createTempFile(options.name(), ".yml");
                java.nio.file.Files.writeString(configFile, options.config());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            harbormaster = new Harbormaster(
                    ConfigLoader.parse(options.name() + ".yml", options.config()),
                    db,
                    CheckpointSigner.generate(),
                    new SlackSettings(SIGNING_SECRET, BOT_TOKEN, Optional.of(slack.methodsUrlPrefix())),
                    new Harbormaster.Ports(cluster, metrics, options.events().get(), clock),
                    new Harbormaster.Options(
                            options.name(),
                            options.tick(),
                            Optional.of(CI_SECRET),
                            Optional.empty(),
                            options.slackPacing(),
                            Duration.ofSeconds(10)));
            base = "http://127.0.0.1:" + harbormaster.start("127.0.0.1", 0, List.of());
            // Slack's part in a command: its response_url on the stand-in, and its first answer shown there
            requests = new SlackRequests(URI.create(base + "/slack/events"), SIGNING_SECRET, Clock.systemUTC(), slack);
        }

        @Override
        public void close() {
            http.close();
            harbormaster.close();
            db.close();
            slack.close();
            try {
                java.nio.file.Files.deleteIfExists(configFile);
            } catch (IOException e) {
                // a temporary file: the system cleans up after us
            }
        }
    }

    private Running running() {
        if (running == null) {
            throw new IllegalStateException("the bot is not running: register it with @RegisterExtension, or start it"
                    + " with InProcessBot.start(options)");
        }
        return running;
    }

    /** The Slack stand-in: the workspace the bot posts to. */
    SlackStandIn slack() {
        return running().slack;
    }

    Database db() {
        return running().db;
    }

    SimulatedCluster cluster() {
        return running().cluster;
    }

    SimulatedMetrics metrics() {
        return running().metrics;
    }

    Harbormaster harbormaster() {
        return running().harbormaster;
    }

    /**
     * Rewrites the bot's harbormaster.yml with {@code text} and has the bot look at the file now, as {@code serve}'s
     * timer does every interval; what it came to.
     */
    ConfigReload.Outcome rewriteConfig(String text) {
        try {
            java.nio.file.Files.writeString(running().configFile, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return harbormaster()
                .reloadFrom(running().configFile, new java.io.PrintWriter(running().reloadLog, true))
                .check();
    }

    /** What the bot has said of its reloads of harbormaster.yml (see {@link #rewriteConfig}). */
    String reloadLog() {
        return running().reloadLog.toString();
    }

    /** Signed Slack requests to the bot's /slack/events: slash commands and clicks. */
    SlackRequests requests() {
        return running().requests;
    }

    /** The bot's address, {@code http://127.0.0.1:port}. */
    String base() {
        return running().base;
    }

    /** Where the cluster runs {@code service}: namespace shop, deployment and container named after it. */
    static RolloutTarget target(String service) {
        return new RolloutTarget("shop", service, service);
    }

    // ------------------------------------------------------------------------------------------------ CI

    /** A small change by U0DEV, as CI announces it: the risk model lets it through without an approver. */
    static final String SMALL_CHANGE = """
            {"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],"author":"U0DEV"}""";
    /** A change by U0DEV that touches a schema migration (V7__orders.sql): it waits for an approver. */
    static final String MIGRATION = """
            {"ns":1,"nd":2,"nf":2,"entropy":0.9,"la":40,"ld":0,"lt":50,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/resources/db/migration/V7__orders.sql","src/Order.java"],
             "author":"U0DEV"}""";

    /**
     * CI announces build {@code version} of {@code service} with {@code change} (its image
     * registry.example/service:version), asking for a deploy when {@code autoDeploy}; {@code extraFields}
     * ({@code ",\"key\":value..."}, or empty) are added to the request. The bot's answer; a server error fails the test.
     */
    HttpResponse<String> announce(
            String service, String version, String change, boolean autoDeploy, String extraFields) {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":%s,"requested_by":"ci-bot",
                 "change":%s%s}""".formatted(service, version, service, version, service, version, autoDeploy, change, extraFields);
        var response = send(deployRequest(body));
        assertThat(response.statusCode()).as(response.body()).isLessThan(500);
        return response;
    }

    /** {@link #announce(String, String, String, boolean, String)} with no extra fields. */
    HttpResponse<String> announce(String service, String version, String change, boolean autoDeploy) {
        return announce(service, version, change, autoDeploy, "");
    }

    /** CI announces a new build without asking for a deploy, and the bot accepts it (202), or the test fails. */
    void announceNewBuild(String service, String version, String change) {
        var response = announce(service, version, change, false);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /** {@code body} as CI announces a build to the bot: signed with the bot's CI secret, now by {@link #clock}. */
    HttpRequest deployRequest(String body) {
        long ts = clock.instant().getEpochSecond();
        return HttpRequest.newBuilder(URI.create(base() + DeployRequestsApi.PATH))
                .header("Content-Type", "application/json")
                .header(DeployRequestsApi.TIMESTAMP_HEADER, Long.toString(ts))
                .header(
                        DeployRequestsApi.SIGNATURE_HEADER,
                        DeployRequestsApi.signature(CI_SECRET, ts, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** What the bot's {@code /metrics} answers now. */
    String scrape() {
        return send(HttpRequest.newBuilder(URI.create(base() + "/metrics")).build())
                .body();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return running().http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + request.uri(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ Slack

    /**
     * The first message in #deploys whose text starts with {@code titleStart} (a deploy's parent message starts with
     * "service version"), or null while there is none.
     */
    SlackStandIn.Message parent(String titleStart) {
        return slack().messages(CHANNEL).stream()
                .filter(m -> m.text().startsWith(titleStart))
                .findFirst()
                .orElse(null);
    }

    /** The first message in #deploys (not in a thread) that says {@code text}, or null while there is none. */
    SlackStandIn.Message posted(String text) {
        return slack().messages(CHANNEL).stream()
                .filter(m -> m.allText().contains(text))
                .findFirst()
                .orElse(null);
    }

    /** The replies in {@code parent}'s thread, oldest first. */
    List<SlackStandIn.Message> thread(SlackStandIn.Message parent) {
        return slack().replies(CHANNEL, parent.ts());
    }

    /** The first reply in {@code parent}'s thread that says {@code text} (blocks too), or null while there is none. */
    SlackStandIn.Message reply(SlackStandIn.Message parent, String text) {
        return thread(parent).stream()
                .filter(m -> m.allText().contains(text))
                .findFirst()
                .orElse(null);
    }

    /** {@code m} as #deploys shows it now (the bot updates messages in place). */
    Optional<SlackStandIn.Message> current(SlackStandIn.Message m) {
        return slack().message(CHANNEL, m.ts());
    }

    /** {@code m} as #deploys shows it now, once it says {@code text}; null until then. */
    SlackStandIn.Message updated(SlackStandIn.Message m, String text) {
        return current(m).filter(now -> now.allText().contains(text)).orElse(null);
    }

    /** The messages in #deploys that only {@code who} sees (the bot's answers to them) that say {@code text}. */
    List<SlackStandIn.Message> answersTo(SlackRequests.Origin who, String text) {
        return slack().ephemerals(CHANNEL).stream()
                .filter(m -> m.ephemeralTo().equals(Optional.of(who.userId())))
                .filter(m -> m.allText().contains(text))
                .toList();
    }

    /** Waits for the first answer that only {@code who} sees and that says {@code text}. */
    SlackStandIn.Message answerTo(SlackRequests.Origin who, String text) {
        return await(
                "an answer to " + who.userName() + " with '" + text + "'",
                () -> answersTo(who, text).stream().findFirst().orElse(null));
    }

    /** {@code who} clicks Approve on {@code card}, the approval request in a deploy's thread. */
    HttpResponse<String> approve(SlackRequests.Origin who, SlackStandIn.Message card) {
        var id = Pattern.compile("deploy #(\\d+)").matcher(card.allText());
        assertThat(id.find()).as("a deploy id in " + card.allText()).isTrue();
        return requests()
                .blockAction(
                        who,
                        EscalationMessages.APPROVE_ACTION,
                        "escalation",
                        id.group(1),
                        SlackStandIn.asSlackJson(card));
    }

    /** The value of the first button in {@code m} (the deploy id, in every button the bot posts). */
    static String buttonValue(SlackStandIn.Message m) {
        var matcher = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"").matcher(m.blocksJson());
        if (!matcher.find()) {
            throw new AssertionError("no button with a deploy id in " + m.blocksJson());
        }
        return matcher.group(1);
    }

    /** Every message the stand-in holds (parents, replies, answers) keeps within Block Kit's limits. */
    void assertEveryMessageWithinBlockKitLimits() {
        for (var m : slack().allMessages()) {
            assertThat(BlockKitLimits.violations(m.blocksJson())).as(m.text()).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------------ audit, waiting

    /** The entries of the bot's audit log that {@code query} selects, oldest first. */
    List<AuditEntry> audited(AuditQuery query) {
        var entries = new ArrayList<AuditEntry>();
        JooqAuditLog.reader(db(), Optional.empty()).scan(query, entries::add);
        return entries;
    }

    /** Waits up to {@link Options#patience()} for {@code probe} to give something (not null), and returns it. */
    <T> T await(String what, Supplier<T> probe) {
        return Await.value(what, options.patience(), probe);
    }
}
