package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.http.DeployRequestsApi;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The whole bot in process, for tests that drive it through HTTP: the Slack stand-in with one channel, a fresh H2
 * database, the sandbox's cluster (every service at 1.0.0, 4 replicas, in namespace shop) and its metrics, and
 * {@link Harbormaster} listening on a free port of 127.0.0.1. Closing it closes the bot, the database and the stand-in.
 */
final class InProcessBot implements AutoCloseable {
    static final String CHANNEL = "C0DEPLOYS";
    /** The app-level token Socket Mode connects with, when {@link Options#socketMode()} is on. */
    static final String APP_TOKEN = "xapp-1-A0HARBORMASTER-1234567890-e2e0123456789abcdef";

    private static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    private static final String CI_SECRET = "ci-secret-for-in-process-bot";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    /**
     * What the tests vary.
     *
     * @param name the config file's name (without .yml), the bot's owner and the database's name
     * @param config harbormaster.yml's text
     * @param users the Slack workspace's members
     * @param services what the cluster runs at 1.0.0
     * @param metricsSeed the seed of the simulated metrics' noise
     * @param tick how often the bot advances unfinished deploys
     * @param slackPacing how the bot's Slack Web API client paces and retries
     * @param socketMode whether the stand-in accepts Socket Mode connections with {@link #APP_TOKEN}
     * @param events where deploy events go: the in-process bus, or a transport the bot reaches through its outbox
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
            Supplier<DeployEvents> events) {
        /** Metrics seed 7, a 500 ms tick, Slack calls retried twice, no Socket Mode, the in-process event bus. */
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
                    InProcessEventBus::new);
        }

        Options withMetricsSeed(long seed) {
            return new Options(name, config, users, services, seed, tick, slackPacing, socketMode, events);
        }

        Options withTick(Duration every) {
            return new Options(name, config, users, services, metricsSeed, every, slackPacing, socketMode, events);
        }

        Options withSlackPacing(SlackWebApi.Settings pacing) {
            return new Options(name, config, users, services, metricsSeed, tick, pacing, socketMode, events);
        }

        Options withSocketMode() {
            return new Options(name, config, users, services, metricsSeed, tick, slackPacing, true, events);
        }

        /** Deploy events go to {@code transport} (Kafka's place), through the bot's outbox. */
        Options withEvents(DeployEvents transport) {
            return new Options(
                    name, config, users, services, metricsSeed, tick, slackPacing, socketMode, () -> transport);
        }
    }

    /** Real time, shifted to a Tuesday morning so that time-of-day risk does not depend on when the build runs. */
    final Clock clock =
            Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-11-24T10:00:00Z")));

    final SlackStandIn slack;
    final Database db;
    final SimulatedCluster cluster;
    final SimulatedMetrics metrics;
    final Harbormaster harbormaster;
    /** Signed Slack requests to the bot's /slack/events. */
    final SlackRequests requests;
    /** The bot's address, {@code http://127.0.0.1:port}. */
    final String base;

    private InProcessBot(Options options) {
        slack = SlackStandIn.start(BOT_TOKEN, options.users(), List.of(new SlackStandIn.Channel(CHANNEL, "deploys")));
        if (options.socketMode()) {
            slack.socketMode().enable(APP_TOKEN);
        }
        db = Database.open(DatabaseConfig.of(
                "jdbc:h2:mem:" + options.name() + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        cluster = new SimulatedCluster();
        for (var s : options.services()) {
            cluster.install(target(s), "registry.example/" + s + ":1.0.0", 4);
        }
        metrics = new SimulatedMetrics(cluster, InProcessBot::target, 2_000, options.metricsSeed());
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
        requests = new SlackRequests(URI.create(base + "/slack/events"), SIGNING_SECRET, Clock.systemUTC());
    }

    static InProcessBot start(Options options) {
        return new InProcessBot(options);
    }

    /** Where the cluster runs {@code service}: namespace shop, deployment and container named after it. */
    static RolloutTarget target(String service) {
        return new RolloutTarget("shop", service, service);
    }

    /** A small change by U0DEV, as CI announces it: the risk model lets it through without an approver. */
    static final String SMALL_CHANGE = """
            {"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,"nuc":2,
             "exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],"author":"U0DEV"}""";

    /** CI announces build {@code version} of {@code service} with {@code change} (no automatic deploy); the status. */
    int announce(String service, String version, String change) throws Exception {
        var body = """
                {"service":"%s","version":"%s","image":"registry.example/%s:%s","commit_sha":"abcdef1234567",
                 "build_id":"b-%s-%s","ci_status":"success","auto_deploy":false,"requested_by":"ci-bot","change":%s}                """.formatted(service, version, service, version, service, version, change);
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(deployRequest(body), java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }

    /** The value of the first button in {@code m} (the deploy id, in every button the bot posts). */
    static String buttonValue(SlackStandIn.Message m) {
        var matcher =
                java.util.regex.Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"").matcher(m.blocksJson());
        if (!matcher.find()) {
            throw new AssertionError("no button with a deploy id in " + m.blocksJson());
        }
        return matcher.group(1);
    }

    /** {@code body} as CI announces a build to the bot: signed with the bot's CI secret, now by {@link #clock}. */
    HttpRequest deployRequest(String body) {
        long ts = clock.instant().getEpochSecond();
        return HttpRequest.newBuilder(URI.create(base + DeployRequestsApi.PATH))
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
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping /metrics", e);
        }
    }

    @Override
    public void close() {
        harbormaster.close();
        db.close();
        slack.close();
    }
}
