package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.assembly.Harbormaster;
import io.harbormaster.bot.bench.AckBenchmark;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster bench ack}: Slack's 3-second ack, measured under a steady rate of signed slash commands. */
@Command(
        name = "ack",
        mixinStandardHelpOptions = true,
        description = {
            "Ack latency benchmark (BENCHMARKS.md section 3): signed slash commands at a steady rate against the bot's"
                    + " /slack/events; figures ack_p50_ms, ack_p99_ms, errors. Slack gives up after 3000 ms.",
            "Without --url it starts the bot in this process (the production assembly on a temporary H2 database,"
                    + " the Slack Web API stand-in, the simulated cluster); with --url it targets a running bot and signs"
                    + " with $SLACK_SIGNING_SECRET."
        })
final class BenchAckCommand implements Callable<Integer>, Interruption.CleansUp {
    static final String SECRET = "bench-signing-secret-0123456789ab";
    static final String TOKEN = "xoxb-bench-0000000000-0000000000-benchbenchbenchbenchbenc";

    @Spec
    CommandSpec spec;

    /** The environment; tests replace it. */
    Map<String, String> env = System.getenv();

    @Option(names = "--rate", defaultValue = "100", description = "requests per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--seconds", defaultValue = "60", description = "how long to send (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "10",
            description =
                    "seconds sent first at the same rate and not counted, so the JIT has compiled the request path"
                            + " as it has in a bot that has been running (default: ${DEFAULT-VALUE}; 0 counts everything)")
    int warmupSeconds;

    @Option(names = "--url", description = "a running bot's /slack/events URL (default: start one in this process)")
    URI url;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Option(
            names = "--command",
            paramLabel = "TEXT",
            description = "a slash command to send, e.g. \"/deploy help\" (repeatable; default: a mix of help, status,"
                    + " refused deploys and /audit)")
    List<String> commands;

    /** A mix of commands: answered in the ack, answered after it, refused after it. */
    static final List<String> COMMANDS =
            List.of("/deploy help", "/deploy status", "/deploy checkout 9.9.9", "/audit", "/deploy chekout 1.0.0");

    @Override
    public Integer call() throws Exception {
        // One flag at a time, each named with its range and the value given, as bench canary answers.
        if (!(rate > 0 && rate <= 5_000)) {
            throw new UserError("--rate must be more than 0 and at most 5000 requests per second, got "
                    + io.harbormaster.engine.text.Numbers.compact(rate));
        }
        if (seconds < 1 || seconds > 3_600) {
            throw new UserError("--seconds must be between 1 and 3600 seconds of sending, got " + seconds);
        }
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new UserError(
                    "--warmup-seconds must be between 0 and 600 seconds (0 counts everything), got " + warmupSeconds);
        }
        if (url != null
                && (url.getScheme() == null
                        || !List.of("http", "https").contains(url.getScheme().toLowerCase(java.util.Locale.ROOT))
                        || url.getHost() == null)) {
            throw new UserError("--url must be a running bot's http(s) address of /slack/events, such as"
                    + " http://127.0.0.1:8080/slack/events; got '" + url + "'");
        }
        mix(); // checked before a bot is started or a request sent
        Map<String, Object> figures = new LinkedHashMap<>();
        if (url != null) {
            var secret = env.get("SLACK_SIGNING_SECRET");
            if (secret == null || secret.isBlank()) {
                throw new UserError("--url needs SLACK_SIGNING_SECRET (the bot's signing secret) to sign the requests");
            }
            figures.put("target", url.toString());
            figures.putAll(measure(url, secret));
        } else {
            figures.put("target", "in-process bot");
            figures.putAll(inProcess());
        }
        if (figures.get("acked") instanceof Long acked && acked == 0) {
            var first = figures.containsKey("first_error") ? ", the first: " + figures.get("first_error") : "";
            throw new UserError("no request was acknowledged (" + figures.get("errors") + " errors" + first
                    + "), so there is no ack latency to report: check that --url is a running bot's /slack/events"
                    + " and SLACK_SIGNING_SECRET its signing secret");
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            figures.forEach((k, v) -> out.printf("%-12s %s%n", k, v));
        }
        out.flush();
        return 0;
    }

    private Map<String, Object> measure(URI events, String secret) {
        if (warmupSeconds > 0) {
            new AckBenchmark(plan(events, secret, Duration.ofSeconds(warmupSeconds)), Interruption::stopRequested)
                    .run();
        }
        var figures = new LinkedHashMap<String, Object>();
        figures.put("warmup_seconds_not_counted", warmupSeconds);
        figures.putAll(
                new AckBenchmark(plan(events, secret, Duration.ofSeconds(seconds)), Interruption::stopRequested).run());
        return figures;
    }

    private AckBenchmark.Plan plan(URI events, String secret, Duration duration) {
        return new AckBenchmark.Plan(events, secret, rate, duration, mix());
    }

    private List<String> mix() {
        var mix = commands == null || commands.isEmpty() ? COMMANDS : commands;
        for (var c : mix) {
            if (!c.startsWith("/")) {
                throw new UserError("--command must be a slash command such as \"/deploy help\", got '" + c + "'");
            }
        }
        return mix;
    }

    private Map<String, Object> inProcess() throws Exception {
        var dir = Files.createTempDirectory("harbormaster-bench-ack");
        Interruption.afterStop(() -> delete(dir)); // after Ctrl-C, even if the bot is slow to stop
        var users = new java.util.ArrayList<SlackStandIn.User>();
        for (int i = 0; i < 50; i++) {
            users.add(new SlackStandIn.User("U0BENCH" + i, "bench" + i, "Bench " + i));
        }
        try (var slack = SlackStandIn.start(TOKEN, users, List.of(new SlackStandIn.Channel("C0BENCH", "bench")));
                var db = Database.open(DatabaseConfig.of(
                        // closed by the bot, not under it by H2 at the JVM's exit (Ctrl-C)
                        "jdbc:h2:file:" + dir.resolve("bench") + ";DB_CLOSE_ON_EXIT=FALSE"))) {
            var config = ConfigLoader.parse("example", ConfigCommand.example());
            var cluster = new SimulatedCluster();
            config.catalog()
                    .services()
                    .values()
                    .forEach(s -> cluster.install(
                            new RolloutTarget(s.namespace(), s.deployment(), s.container()),
                            "registry.example/" + s.name() + ":1.0.0",
                            4));
            var metrics = new SimulatedMetrics(
                    cluster,
                    name -> {
                        var s = config.catalog().service(name).orElseThrow();
                        return new RolloutTarget(s.namespace(), s.deployment(), s.container());
                    },
                    200,
                    1);
            try (var bot = new Harbormaster(
                    config,
                    db,
                    CheckpointSigner.generate(),
                    new SlackSettings(SECRET, TOKEN, Optional.of(slack.methodsUrlPrefix())),
                    new Harbormaster.Ports(cluster, metrics, new InProcessEventBus(), Clock.systemUTC()),
                    Harbormaster.Options.defaults("bench"))) {
                int port = bot.start("127.0.0.1", 0, List.of());
                return measure(URI.create("http://127.0.0.1:" + port + "/slack/events"), SECRET);
            }
        } finally {
            delete(dir);
        }
    }

    /** Removes {@code dir} and what it holds; what is gone already (or going) is no matter. */
    private static void delete(java.nio.file.Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // removed meanwhile by the other of the command and the shutdown
        }
    }
}
