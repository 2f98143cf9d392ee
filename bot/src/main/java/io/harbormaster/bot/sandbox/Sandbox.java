package io.harbormaster.bot.sandbox;

import io.harbormaster.bot.assembly.Harbormaster;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.intake.IntakeResult;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.sandbox.SimulatedCi;
import io.harbormaster.sandbox.SimulatedCluster;
import io.harbormaster.sandbox.SimulatedMetrics;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product on one machine: the production assembly ({@link Harbormaster}) over an H2 file database and the
 * in-process event bus, with the simulated cluster, metrics and CI behind the engine's ports, the Slack stand-in as
 * the Slack Web API, and the console ({@link SandboxConsole}) that shows the stand-in's channel in a browser and sends
 * the bot the signed requests Slack would. Everything it keeps lives in its data directory, so a sandbox started again
 * on the same directory continues where the last one stopped.
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

    /** The one channel of the sandbox's workspace. */
    public static final String CHANNEL = "C0DEPLOYS";

    public static final String CHANNEL_NAME = "deploys";

    /** Someone the console lets you be. */
    public record Persona(String id, String name, String realName, String role, String can) {}

    /** The people of the sandbox's workspace: the catalog's groups name their ids. */
    public static final List<Persona> PERSONAS = List.of(
            new Persona(
                    SimulatedCi.ENGINEER,
                    "ana",
                    "Ana (engineer)",
                    "engineer",
                    "requests deploys; wrote every change the simulated CI builds"),
            new Persona("U0APPROVER", "omar", "Omar (approver)", "approver", "approves or rejects escalated deploys"),
            new Persona("U0AUDITOR", "audrey", "Audrey (auditor)", "auditor", "runs /audit and opens the exports"));

    /** What the console says about time. */
    public static final String TIMING = "Time runs five times faster than in production here: the canary judges the"
            + " metrics every 2 seconds instead of every 10, so a deploy goes through its three canary steps in about"
            + " a minute or two.";

    /**
     * How to run a sandbox.
     *
     * @param dataDir where the database, the audit key, the cluster and the channel are kept
     * @param port the console's (and the bot's) port; 0 picks a free one
     * @param catalogYaml the catalog and policies, {@link #defaultCatalog()} unless a test wants faster canaries
     * @param ci the builds the simulated CI announces, and what each service runs in a new sandbox
     * @param tick how often every unfinished deploy is advanced
     * @param ciSigningSecret the secret CI requests ({@code POST /api/v1/deploy-requests}) are signed with, as
     *     {@code HARBORMASTER_CI_SIGNING_SECRET} gives it; empty (or blank): the sandbox's own, kept in its data
     *     directory ({@link #CI_SECRET_FILE})
     */
    public record Settings(
            Path dataDir,
            String host,
            int port,
            String catalogYaml,
            SimulatedCi ci,
            Duration tick,
            Optional<String> ciSigningSecret) {
        public Settings {
            ciSigningSecret = ciSigningSecret.filter(s -> !s.isBlank());
        }

        /** Settings with the sandbox's own CI signing secret. */
        public Settings(Path dataDir, String host, int port, String catalogYaml, SimulatedCi ci, Duration tick) {
            this(dataDir, host, port, catalogYaml, ci, tick, Optional.empty());
        }

        public static Settings defaults(Path dataDir, int port) {
            return new Settings(
                    dataDir, "127.0.0.1", port, defaultCatalog(), SimulatedCi.standard(), Duration.ofMillis(250));
        }
    }

    /** The file in the data directory that holds the sandbox's own CI signing secret. */
    public static final String CI_SECRET_FILE = SandboxFiles.CI_SECRET;

    /**
     * Where CI requests go and what signs them: {@code secretFile} is the sandbox's own secret, or empty when the
     * secret came from {@code HARBORMASTER_CI_SIGNING_SECRET} (which is then never written anywhere);
     * {@code exampleRequest} is the request the start-up output shows ({@link #exampleRequest(String)}).
     */
    public record CiIntake(URI url, Optional<Path> secretFile, String exampleRequest) {
        /**
         * How to send a signed request from a shell, with openssl and curl: a few lines for the start-up output. The
         * secret itself is never in them: the commands read it from its file, or from the variable.
         */
        public List<String> howToSign() {
            var secret = secretFile
                    .map(f -> "$(cat " + shellQuoted(f.toAbsolutePath().toString()) + ")")
                    .orElse("$" + io.harbormaster.bot.http.DeployRequestsApi.SECRET_VARIABLE);
            var from = secretFile
                    .map(f -> "the secret in " + f.toAbsolutePath()
                            + " (made for this sandbox, readable by you alone; "
                            + io.harbormaster.bot.http.DeployRequestsApi.SECRET_VARIABLE + " replaces it)")
                    .orElse("$" + io.harbormaster.bot.http.DeployRequestsApi.SECRET_VARIABLE
                            + " (from the environment)");
            return List.of(
                    "CI requests: POST " + url + ", signed with " + from + ". For example, a small, green build of"
                            + " inventory, not yet announced here, that asks for its deploy and goes out without an"
                            + " approver (docs/ci-requests.md has every field):",
                    "  body='" + exampleRequest + "'",
                    "  ts=$(date +%s); sig=$(printf 'v1:%s:%s' \"$ts\" \"$body\" | openssl dgst -sha256 -hmac \""
                            + secret + "\" -r | cut -d' ' -f1)",
                    "  curl -sS -H \"X-Harbormaster-Timestamp: $ts\" -H \"X-Harbormaster-Signature: v1=$sig\" -H"
                            + " 'Content-Type: application/json' --data-binary \"$body\" " + url);
        }

        private static String shellQuoted(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }
    }

    /** The service of the start-up output's example request. */
    static final String EXAMPLE_SERVICE = "inventory";

    /** The first version the example request may name: 2.7.N from here up, the first not yet announced. */
    static final int FIRST_EXAMPLE_PATCH = 7;

    /**
     * The start-up output's example: CI announcing a small, green build of inventory at {@code version} and asking for
     * its deploy, with every change metric announced as a real CI job would (missing ones are assumed to be risky), so
     * that it is scored low and goes out without an approver.
     */
    static String exampleRequest(String version) {
        return "{\"service\":\"" + EXAMPLE_SERVICE + "\",\"version\":\"" + version + "\",\"image\":\""
                + SimulatedCi.REGISTRY + "/" + EXAMPLE_SERVICE + ":" + version + "\",\"commit_sha\":\""
                + String.format(java.util.Locale.ROOT, "%08x", ("example@" + version).hashCode()) + "\",\"build_id\":"
                + "\"my-ci-" + version + "\",\"ci_status\":\"success\",\"auto_deploy\":true,\"requested_by\":\"my-ci\","
                + "\"change\":"
                + SimulatedCi.smallChange(
                        "Count reserved stock once", "src/main/java/shop/inventory/Stock.java", 12, 3, 220)
                + "}";
    }

    /**
     * The example's version in this data directory: the first 2.7.N ({@link #FIRST_EXAMPLE_PATCH} on) that no build
     * announced and the simulated CI does not build, so that each start shows a build that would be deployed now,
     * never one that was (a retry of it only repeats what became of that deploy).
     */
    static String exampleVersion(io.harbormaster.engine.rollout.BuildCatalog builds, SimulatedCi ci) {
        for (int patch = FIRST_EXAMPLE_PATCH; ; patch++) {
            var version = "2.7." + patch;
            if (builds.find(EXAMPLE_SERVICE, version).isEmpty()
                    && ci.build(EXAMPLE_SERVICE, version).isEmpty()) {
                return version;
            }
        }
    }

    private final Settings settings;
    private final SlackStandIn slack;
    private final Database db;
    private final SimulatedCluster cluster;
    private final SimulatedMetrics metrics;
    private final SimulatedCi ci;
    private final HarbormasterConfig config;
    private final Harbormaster bot;
    private final SlackRequests requests;
    private final SandboxFiles files;
    private final URI address;
    private final CiIntake ciIntake;
    private volatile boolean closed;
    private final java.nio.channels.FileLock lock;
    private volatile boolean clusterChanged;
    /** Saves the cluster and the channel now and then, off the pipeline's path, so that even a killed sandbox keeps most. */
    private final java.util.concurrent.ScheduledExecutorService saver =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                var t = new Thread(r, "sandbox-saver");
                t.setDaemon(true);
                return t;
            });

    private Sandbox(Settings settings, boolean reset) throws IOException {
        this.settings = settings;
        config = ConfigLoader.parse("sandbox catalog", settings.catalogYaml());
        ci = settings.ci();
        Files.createDirectories(settings.dataDir());
        lock = lock(settings.dataDir());
        // From here on, whatever fails (an exception or an error) closes what was opened, in reverse, and lets go of
        // the data directory.
        SlackStandIn openedSlack = null;
        Database openedDb = null;
        Harbormaster createdBot = null;
        try {
            if (reset) {
                clear(settings.dataDir()); // only once the lock says no other sandbox uses it
            }
            files = new SandboxFiles(settings.dataDir());
            var token = "xoxb-sandbox-" + random(12);
            var signingSecret = random(16);
            openedSlack = SlackStandIn.start(
                    token,
                    PERSONAS.stream()
                            .map(p -> new SlackStandIn.User(p.id(), p.name(), p.realName()))
                            .toList(),
                    List.of(new SlackStandIn.Channel(CHANNEL, CHANNEL_NAME)));
            slack = openedSlack;
            files.loadChannel(slack);
            openedDb = Database.open(DatabaseConfig.of(
                    "jdbc:h2:file:" + settings.dataDir().resolve("harbormaster").toAbsolutePath()));
            db = openedDb;
            cluster = new SimulatedCluster();
            files.loadCluster(
                    cluster,
                    ci.stable().stream()
                            .map(s -> new SandboxFiles.Install(target(s.service()), s.image(), s.replicas()))
                            .toList());
            cluster.onChange(() -> clusterChanged = true);
            metrics = new SimulatedMetrics(cluster, this::target, 500, 20261123L);
            files.loadFaults(ci, metrics, cluster);
            var signer = files.auditKey();
            // CI requests are signed as in production; the secret is the one given, or the sandbox's own (kept, so a
            // script that signs with it goes on working after a restart)
            var ciSecret = settings.ciSigningSecret().isPresent()
                    ? settings.ciSigningSecret().get()
                    : files.ciSecret();
            int port = settings.port() == 0 ? freePort(settings.host()) : settings.port();
            address = URI.create("http://" + hostForLinks(settings.host()) + ":" + port);
            // Thread permalinks open the thread on the console (a stable address), not on the stand-in's random port.
            slack.linkThreadsTo(address);
            createdBot = new Harbormaster(
                    config,
                    db,
                    signer,
                    new SlackSettings(signingSecret, token, Optional.of(slack.methodsUrlPrefix())),
                    new Harbormaster.Ports(cluster, metrics, new InProcessEventBus(), Clock.systemUTC()),
                    new Harbormaster.Options(
                            "sandbox",
                            settings.tick(),
                            Optional.of(ciSecret),
                            Optional.of(signer.publicKey()),
                            new SlackWebApi.Settings(Duration.ofMillis(10), 2, Duration.ofSeconds(2)),
                            Duration.ofSeconds(10)));
            bot = createdBot;
            ciIntake = new CiIntake(
                    URI.create(address + io.harbormaster.bot.http.DeployRequestsApi.PATH),
                    settings.ciSigningSecret().isPresent()
                            ? Optional.empty()
                            : Optional.of(settings.dataDir().resolve(SandboxFiles.CI_SECRET)),
                    exampleRequest(exampleVersion(bot.builds(), ci)));
            byte[] linkSecret = new byte[32];
            new SecureRandom().nextBytes(linkSecret);
            bot.serveExports(address, linkSecret, Duration.ofMinutes(15));
            // Slack's part in a command: its response_url, and its immediate answer shown, both on the stand-in
            requests =
                    new SlackRequests(URI.create(address + "/slack/events"), signingSecret, Clock.systemUTC(), slack);
            var console = new SandboxConsole(this);
            try {
                bot.start(settings.host(), port, List.of(), console::routes);
            } catch (io.harbormaster.bot.http.HttpServer.CannotListen e) {
                throw new PortInUse(e);
            }
            bot.frontEnd().app().start();
            announceBuilds();
            saver.scheduleWithFixedDelay(this::save, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Throwable e) {
            saver.shutdownNow();
            closeAll(
                    e,
                    createdBot == null ? null : createdBot::close,
                    openedDb == null ? null : openedDb::close,
                    openedSlack == null ? null : openedSlack::close,
                    () -> release(lock));
            throw e;
        }
    }

    /**
     * Runs every step even when an earlier one fails; the first failure is thrown with the later ones suppressed, or
     * added to {@code pending} when there is one (a failure that is already on its way up).
     */
    private static void closeAll(Throwable pending, Runnable... steps) {
        Throwable first = pending;
        for (var step : steps) {
            if (step == null) {
                continue;
            }
            try {
                step.run();
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (pending == null && first instanceof RuntimeException r) {
            throw r;
        }
        if (pending == null && first instanceof Error r) {
            throw r;
        }
    }

    /** Empties the data directory for {@code --reset}, all but the lock this sandbox holds on it. */
    private static void clear(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (var p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) && !p.equals(dir.resolve(".lock"))) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Starts a sandbox: the console answers at {@link #address()} when this returns. */
    public static Sandbox start(Settings settings) throws IOException {
        return new Sandbox(settings, false);
    }

    /**
     * Starts a sandbox; with {@code reset}, on an emptied data directory (emptied only once this sandbox holds it, so
     * a running sandbox's data is never deleted from under it).
     */
    public static Sandbox start(Settings settings, boolean reset) throws IOException {
        return new Sandbox(settings, reset);
    }

    /** The console's address. */
    public URI address() {
        return address;
    }

    /** Where CI requests go, and what signs them. */
    public CiIntake ciIntake() {
        return ciIntake;
    }

    private volatile java.util.Set<String> allowedHosts = java.util.Set.of();

    /**
     * Other names the console answers to (a proxy's, a port forward's), beside loopback and, when it listens beyond
     * loopback, IP addresses and this machine's name.
     *
     * @throws IllegalArgumentException when one is not a host name
     */
    public void allowHosts(java.util.Collection<String> names) {
        for (var name : names) {
            if (!isHostName(name)) {
                throw new IllegalArgumentException("not a host name: '" + name + "'");
            }
        }
        allowedHosts = names.stream()
                .map(n -> n.toLowerCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    java.util.Set<String> allowedHosts() {
        return allowedHosts;
    }

    /** A DNS name: dot-separated labels of letters, digits and hyphens, 253 characters at most. */
    public static boolean isHostName(String name) {
        return name != null
                && name.length() <= 253
                && name.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    }

    /** The address the console listens on, as given ({@code 127.0.0.1} unless told otherwise). */
    String listenHost() {
        return settings.host();
    }

    public SlackStandIn slack() {
        return slack;
    }

    public SimulatedCluster cluster() {
        return cluster;
    }

    public SimulatedMetrics metrics() {
        return metrics;
    }

    public SimulatedCi ci() {
        return ci;
    }

    public HarbormasterConfig config() {
        return config;
    }

    /** The risk scorer, with the model the catalog's {@code risk:} chose ({@code --risk-model}). */
    public io.harbormaster.engine.risk.RiskScorer risk() {
        return bot.risk();
    }

    Harbormaster bot() {
        return bot;
    }

    SandboxFiles files() {
        return files;
    }

    /** Signs requests as Slack would, for the console. */
    SlackRequests requests() {
        return requests;
    }

    /** Where {@code service} runs in the simulated cluster, as the pipeline addresses it. */
    public RolloutTarget target(String service) {
        var spec = config.catalog()
                .service(service)
                .orElseThrow(() -> new IllegalArgumentException("no service " + service + " in the catalog"));
        return new RolloutTarget(spec.namespace(), spec.deployment(), spec.container());
    }

    /** Hands a CI announcement to the bot's CI intake, as the deploy.requests topic would. */
    public CompletableFuture<IntakeResult> announce(SimulatedCi.Build build, boolean autoDeploy) {
        return bot.inProcessRequests().submit(Optional.of(build.service()), build.requestJson(autoDeploy));
    }

    /** The faults a version can be given: {@code none}, {@code errors}, {@code slow}, {@code crash}. */
    public static final List<String> FAULTS = List.of("none", "errors", "slow", "crash");

    /**
     * Makes a build of the simulated CI misbehave from now on, or behave again ({@code none}): {@code errors} (15% of
     * its requests fail), {@code slow} (3x the latency), {@code crash} (its pods never become ready). Remembered, so
     * a restarted sandbox keeps it.
     *
     * @throws IllegalArgumentException naming what the CI has and what a fault may be
     */
    public void injectFault(String service, String version, String kind) {
        var build = checkFault(ci, service, version, kind);
        var fault =
                switch (kind) {
                    case "none", "crash" -> Fault.NONE;
                    case "errors" -> Fault.errors(0.15);
                    default -> Fault.slower(3); // slow
                };
        metrics.inject(service, version, fault);
        files.crash(cluster, build.image(), kind.equals("crash"));
        files.saveFaults(ci, metrics, cluster);
    }

    /**
     * The build of {@code ci} a fault is for, when {@code kind} is one of {@link #FAULTS}: checked before a sandbox
     * starts, so that a mistyped {@code --fault} changes nothing.
     *
     * @throws IllegalArgumentException naming what the CI has and what a fault may be
     */
    public static SimulatedCi.Build checkFault(SimulatedCi ci, String service, String version, String kind) {
        var build = ci.build(service, version)
                .orElseThrow(() -> new IllegalArgumentException("the simulated CI has no build " + service + " "
                        + version + "; it has "
                        + ci.builds().stream()
                                .map(b -> b.service() + " " + b.version())
                                .toList()));
        if (!FAULTS.contains(kind)) {
            throw new IllegalArgumentException("a fault is none, errors (15% of requests fail), slow (3x the latency)"
                    + " or crash (pods never become ready), got '" + kind + "'");
        }
        return build;
    }

    private void save() {
        try {
            if (clusterChanged) {
                clusterChanged = false;
                files.saveCluster(cluster);
            }
            files.saveChannel(slack);
        } catch (RuntimeException e) {
            log.warn("Could not save the sandbox's state: {}", e.getMessage());
        }
    }

    private void announceBuilds() {
        // CI announced its builds when they finished; announcing again is recognised as the same build.
        for (var build : ci.builds()) {
            announce(build, false).whenComplete((result, error) -> {
                if (error != null) {
                    log.warn("The simulated CI could not announce {} {}: {}", build.service(), build.version(), error);
                }
            });
        }
    }

    /** Stops the bot (in-flight work finishes or is left for the next start to take over), then saves the channel. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        saver.shutdown();
        try {
            saver.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll(
                null,
                bot::close,
                () -> files.saveChannel(slack),
                () -> files.saveCluster(cluster),
                db::close,
                slack::close,
                () -> release(lock));
    }

    /** The catalog the sandbox runs with: four services of a small shop, canaries five times faster. */
    public static String defaultCatalog() {
        try (InputStream in = Sandbox.class.getResourceAsStream("sandbox.yml")) {
            if (in == null) {
                throw new IllegalStateException("sandbox.yml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another sandbox (in this process or another) is running on the same data directory. */
    public static final class DataInUse extends RuntimeException {
        DataInUse(Path dir) {
            super("another sandbox is running on " + dir.toAbsolutePath() + ": stop it first, or give this one its own"
                    + " directory with --data");
        }
    }

    /** Holds {@code dir/.lock} while the sandbox runs: two sandboxes on one database would corrupt each other. */
    private static java.nio.channels.FileLock lock(Path dir) throws IOException {
        var channel = java.nio.channels.FileChannel.open(
                dir.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new DataInUse(dir);
        }
        return lock;
    }

    private static void release(java.nio.channels.FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException e) {
            // the process is ending or the file is gone: the lock goes with it
        }
    }

    /** A port is taken: the message says which and what to do. */
    public static final class PortInUse extends RuntimeException {
        PortInUse(io.harbormaster.bot.http.HttpServer.CannotListen cause) {
            super(cause.getMessage() + cause.advice("another sandbox"), cause);
        }
    }

    private static int freePort(String host) throws IOException {
        try (var socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        }
    }

    /** The address a browser on this machine reaches a server listening on {@code host} at. */
    private static String hostForLinks(String host) {
        return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }

    private static String random(int bytes) {
        var b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
