package io.harbormaster.bot.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.harbormaster.bot.assembly.AdvisorParts;
import io.harbormaster.bot.assembly.Harbormaster;
import io.harbormaster.bot.assembly.RiskModels;
import io.harbormaster.bot.config.AdvisorSettings;
import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.config.LiveConfig;
import io.harbormaster.bot.http.DeployRequestsApi;
import io.harbormaster.bot.http.ReadinessCheck;
import io.harbormaster.bot.slack.SlackFrontEnd;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.SocketModeConnection;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.adapters.kafka.KafkaAccess;
import io.harbormaster.engine.adapters.kafka.KafkaAccessMonitor;
import io.harbormaster.engine.adapters.kafka.KafkaConnectionCheck;
import io.harbormaster.engine.adapters.kafka.KafkaDeployEvents;
import io.harbormaster.engine.adapters.kafka.KafkaDeployRequestConsumer;
import io.harbormaster.engine.adapters.kubernetes.Fabric8Cluster;
import io.harbormaster.engine.adapters.prometheus.PromQlTemplates;
import io.harbormaster.engine.adapters.prometheus.PrometheusAuth;
import io.harbormaster.engine.adapters.prometheus.PrometheusConfig;
import io.harbormaster.engine.adapters.prometheus.PrometheusMetricsSource;
import io.harbormaster.engine.advice.SummaryWriter;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.rollout.Cluster;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.RolloutTarget;
import io.harbormaster.engine.text.Numbers;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster serve}: the deploy pipeline behind Slack, the CI intake, and the bot's HTTP endpoints. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run Harbormaster: the deploy pipeline (risk, approvals, preflight, canary on Kubernetes judged from"
                    + " Prometheus) behind /slack/events (Bolt, signature-checked), the CI intake"
                    + " (POST /api/v1/deploy-requests, and the Kafka topic deploy.requests when Kafka is configured),"
                    + " /healthz, /readyz (database; Kafka consumer, and Kafka's login and permissions, when a refusal"
                    + " has lasted 60 s) and /metrics.",
            "Environment: SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (required; SLACK_API_URL points the Web API"
                    + " elsewhere); SLACK_APP_TOKEN (the app-level token, xapp-..., required when harbormaster.yml"
                    + " says slack: {socket_mode: true}: Slack's requests then come over a WebSocket the bot opens, no"
                    + " public ingress needed); HARBORMASTER_PUBLIC_URL (the bot's https address, for /audit export"
                    + " links); HARBORMASTER_CONFIG (harbormaster.yml, which must name prometheus:);"
                    + " HARBORMASTER_CONFIG_RELOAD (as --config-reload);"
                    + " HARBORMASTER_DB_URL/_USER/_PASSWORD; HARBORMASTER_AUDIT_SIGNING_KEY and"
                    + " HARBORMASTER_AUDIT_PUBLIC_KEY (without them checkpoints are signed by a throwaway key);"
                    + " HARBORMASTER_CI_SIGNING_SECRET (the HTTP intake answers 503 without it);"
                    + " HARBORMASTER_KAFKA_BOOTSTRAP (deploy.requests in, deploy.events out; without it events stay"
                    + " in-process), HARBORMASTER_KAFKA_PROPERTIES (a Kafka client properties file: TLS, SASL) and"
                    + " HARBORMASTER_KAFKA_CLIENT_ID (default: the pod's name, HOSTNAME); serve refuses to start when"
                    + " the brokers do not answer or refuse its login, or when Prometheus refuses its credentials; HARBORMASTER_LLM_API_KEY (the advisor's chat model, when advisor: names one);"
                    + " HARBORMASTER_PROMETHEUS_TOKEN or _TOKEN_FILE (a bearer token), or HARBORMASTER_PROMETHEUS_USER"
                    + " and _PASSWORD (basic auth), when Prometheus needs credentials (over http only to loopback, or"
                    + " with HARBORMASTER_PROMETHEUS_ALLOW_HTTP=true). The Kubernetes cluster comes from the usual kubeconfig or in-cluster service"
                    + " account; serve refuses to start when it cannot reach it."
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOption database;

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--host", paramLabel = "HOST", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host = "0.0.0.0";

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "the service catalog (default: $HARBORMASTER_CONFIG, else ./harbormaster.yml)")
    Path config;

    @Option(
            names = RELOAD_OPTION,
            paramLabel = "EVERY",
            description = "how often harbormaster.yml is read again for a changed service catalog, such as 30s or 2m;"
                    + " 0 or off: read at start only (default: $" + RELOAD_VARIABLE + ", else 30s)")
    String configReload;

    static final String RELOAD_OPTION = "--config-reload";
    static final String RELOAD_VARIABLE = "HARBORMASTER_CONFIG_RELOAD";

    /**
     * How often serve reads harbormaster.yml again ({@code --config-reload} or {@code HARBORMASTER_CONFIG_RELOAD}:
     * seconds, or a number with s, m or h; empty for 0 or off), 30 s when neither says.
     */
    static Optional<Duration> reloadInterval(String setting) {
        if (setting == null || setting.isBlank()) {
            return Optional.of(Duration.ofSeconds(30));
        }
        var value = setting.strip().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("off") || value.equals("0")) {
            return Optional.empty();
        }
        var m = java.util.regex.Pattern.compile("(\\d{1,6})(s|m|h)?").matcher(value);
        if (!m.matches()) {
            throw new UserError("cannot start: " + RELOAD_OPTION + " (or " + RELOAD_VARIABLE + ") must be how often"
                    + " to read harbormaster.yml again, such as 30s, 2m or 1h, or 0 or off for never; got '"
                    + setting.strip() + "'");
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
            return Optional.empty();
        }
        return Optional.of(
                switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                });
    }

    /** The environment; tests replace it. */
    Map<String, String> env = System.getenv();

    /** Stops the server when counted down (a shutdown hook in production, the test otherwise). */
    CountDownLatch stop = new CountDownLatch(1);

    /** Counted down when everything has closed; a shutdown hook waits for it. */
    private final CountDownLatch done = new CountDownLatch(1);

    /** How long serve waits at start for the Kafka brokers to answer (and each later access check); tests shorten it. */
    Duration kafkaCheckTimeout = Duration.ofSeconds(15);

    /** How often the brokers are asked after start whether they still accept this replica; tests shorten it. */
    Duration kafkaAccessInterval = KafkaAccessMonitor.INTERVAL;

    /** How long a refused login or a withheld permission lasts before /readyz says not ready; tests shorten it. */
    Duration kafkaUnreadyAfter = KafkaAccessMonitor.GRACE;

    /**
     * Connects to the cluster the catalog's services run in, or says why it cannot; tests replace it with the simulated
     * cluster.
     */
    Function<java.util.function.Supplier<ServiceCatalog>, Cluster> cluster = ServeCommand::kubernetes;

    @Override
    public Integer call() {
        ListenAddress.checkFree(host, port, "another Harbormaster"); // before the cluster, Slack and the database
        var reloadEvery = reloadInterval(configReload != null ? configReload : env.get(RELOAD_VARIABLE));
        SlackSettings settings;
        try {
            settings = SlackSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot start: " + e.getMessage());
        }
        var path = config != null ? config : Path.of(env.getOrDefault("HARBORMASTER_CONFIG", "harbormaster.yml"));
        HarbormasterConfig harbormaster;
        try {
            harbormaster = ConfigLoader.load(path);
        } catch (ConfigException e) {
            throw new UserError("cannot start: " + path + " has "
                    + Numbers.count(e.problems().size(), "problem", "problems") + ":\n  "
                    + String.join("\n  ", e.problems()) + "\n(harbormaster config check --config " + path + ")");
        }
        var prometheus = harbormaster
                .prometheus()
                .orElseThrow(() -> new UserError("cannot start: " + path + " names no Prometheus server; serve reads"
                        + " canary metrics from it (add prometheus: {url: http://prometheus:9090})"));
        PrometheusConfig prometheusConfig;
        try {
            prometheusConfig = PrometheusSettings.config(prometheus, env);
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot start: " + e.getMessage());
        }
        AdvisorParts.keyProblem(harbormaster.advisor(), advisorKey()).ifPresent(problem -> {
            throw new UserError("cannot start: " + problem);
        });
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (!(prometheusConfig.auth() instanceof PrometheusAuth.None)) {
            err.println("note: " + PrometheusSettings.describe(prometheusConfig));
        }
        harbormaster.openToAnyoneNote().ifPresent(note -> err.println("note: " + note));
        var socketMode = socketModeToken(harbormaster, err);
        var signer = signer(err);
        Optional<KafkaSettings> kafka;
        try {
            kafka = KafkaSettings.fromEnvironment(env, err);
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot start: " + e.getMessage());
        }
        kafka.ifPresent(k -> checkKafka(k, err));
        var live = new LiveConfig(harbormaster);
        var metrics = metricsSource(prometheusConfig, live::catalog);
        checkPrometheus(metrics, err);
        var cluster = this.cluster.apply(live::catalog);
        var vertx = kafka.map(k -> Vertx.vertx());
        Optional<KafkaAccessMonitor> access = Optional.empty();
        try (var db = database.open()) {
            DeployEvents events = kafka.<DeployEvents>map(k -> new KafkaDeployEvents(vertx.orElseThrow(), k.config()))
                    .orElseGet(InProcessEventBus::new);
            var options = new Harbormaster.Options(
                    owner(),
                    Duration.ofSeconds(5),
                    Optional.ofNullable(env.get(DeployRequestsApi.SECRET_VARIABLE))
                            .filter(s -> !s.isBlank()),
                    pinnedKey(),
                    SlackWebApi.Settings.defaults(),
                    Duration.ofSeconds(30));
            try (var bot = new Harbormaster(
                    live,
                    db,
                    signer,
                    settings,
                    new Harbormaster.Ports(cluster, metrics, events, Clock.systemUTC()),
                    options,
                    advisorModel(harbormaster.advisor(), err))) {
                startBolt(bot.frontEnd());
                checkScopes(bot.frontEnd().web());
                socketMode.ifPresent(token -> connectSocketMode(bot.frontEnd(), token));
                serveExports(bot, env, err);
                var consumer = kafka.map(k -> new KafkaDeployRequestConsumer(
                        vertx.orElseThrow(), k.config(), bot.intake(RequestSource.KAFKA), Clock.systemUTC()));
                consumer.ifPresent(KafkaDeployRequestConsumer::start);
                access = kafka.map(k -> new KafkaAccessMonitor(
                        k.config(), kafkaAccessInterval, kafkaUnreadyAfter, kafkaCheckTimeout, Clock.systemUTC()));
                access.ifPresent(KafkaAccessMonitor::start);
                var checks = new java.util.ArrayList<ReadinessCheck>();
                consumer.ifPresent(c -> checks.add(ReadinessCheck.of("kafka consumer", c::running)));
                access.ifPresent(
                        a -> checks.add(new ReadinessCheck("kafka access", () -> kafkaProblem(a, kafka.get()))));
                int listening;
                try {
                    listening = bot.start(host, port, checks);
                } catch (io.harbormaster.bot.http.HttpServer.CannotListen e) {
                    throw new UserError(e.getMessage() + e.advice("another Harbormaster"));
                }
                reloadEvery.ifPresentOrElse(
                        every -> bot.reloadFrom(path, err).start(every),
                        () -> err.println("note: harbormaster.yml is read at start only (" + RELOAD_OPTION
                                + " off): a change takes effect at the next restart"));
                out.println(RiskModels.describe(bot.risk()));
                if (options.ciSigningSecret().isEmpty()) {
                    err.println("warning: " + DeployRequestsApi.SECRET_VARIABLE + " is not set: POST "
                            + DeployRequestsApi.PATH + " answers 503");
                }
                out.printf(
                        "Harbormaster listening on http://%s:%d (Slack requests: %s, CI: %s%s).%n",
                        host,
                        listening,
                        socketMode.isPresent() ? "Socket Mode and /slack/events" : "/slack/events",
                        DeployRequestsApi.PATH,
                        kafka.map(k -> " and Kafka deploy.requests").orElse(""));
                out.flush();
                err.flush();
                // The JVM exits when its shutdown hooks return: the hook waits until everything below has closed.
                var hook = new Thread(
                        () -> {
                            stop.countDown();
                            try {
                                done.await(60, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "harbormaster-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    stop.await();
                } finally {
                    removeHook(hook);
                    // Stop taking CI requests first; the bot then stops its runner, server and Slack work.
                    consumer.ifPresent(c -> c.close(Duration.ofSeconds(10)));
                }
            } finally {
                if (events instanceof AutoCloseable closeable) {
                    closeQuietly(closeable);
                }
            }
        } catch (ConfigException e) { // risk.model: database, and the database cannot give a usable model
            throw new UserError("cannot start: " + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            access.ifPresent(KafkaAccessMonitor::close);
            vertx.ifPresent(Vertx::close);
            done.countDown();
        }
        return 0;
    }

    /**
     * What {@code /readyz} says of Kafka: nothing while the brokers accept this replica, or while a refusal has lasted
     * less than the grace; then what they refuse, since when, and what to change (no secret: the messages are
     * scrubbed and the advice names settings, not their values).
     */
    static Optional<String> kafkaProblem(KafkaAccessMonitor monitor, KafkaSettings kafka) {
        return switch (monitor.status()) {
            case KafkaAccess.Status.Ok ok -> Optional.empty();
            case KafkaAccess.Status.Failing f when f.ready() -> Optional.empty();
            case KafkaAccess.Status.Failing f ->
                Optional.of(f.message() + ", found by every check since " + f.since() + " ("
                        + f.lasting().toSeconds()
                        + " s): this replica cannot consume " + kafka.config().requestsTopic() + " or publish "
                        + kafka.config().eventsTopic() + " with that; " + kafka.whatToDo(f.problem())
                        + ". Ready again at the first check Kafka answers without it (every "
                        + (monitor.interval().toMillis() % 1000 == 0
                                ? monitor.interval().toSeconds() + " s"
                                : monitor.interval().toMillis() + " ms")
                        + ")");
        };
    }

    /**
     * Says which brokers, client id and client settings (secrets hidden) serve uses, then asks the brokers: no answer
     * within {@link #kafkaCheckTimeout}, a refused login or a denied topic stops serve with what to change. Topics
     * that do not exist are only a warning (brokers may create them on first use).
     */
    private void checkKafka(KafkaSettings kafka, java.io.PrintWriter err) {
        err.println("note: " + kafka.describe());
        err.flush();
        KafkaConnectionCheck.Result result;
        try {
            result = KafkaConnectionCheck.run(kafka.config(), kafkaCheckTimeout);
        } catch (KafkaConnectionCheck.Failed e) {
            throw new UserError("cannot start: " + e.getMessage() + "; " + kafka.whatToDo(e.problem()));
        }
        if (!result.missingTopics().isEmpty()) {
            err.println(missingTopics(result.missingTopics(), kafka.config().bootstrapServers()));
            err.flush();
        }
    }

    /**
     * Asks Prometheus one trivial query: refused credentials (401 or 403) stop serve, since every canary would pause on
     * them; a Prometheus that does not answer is only a warning (it may be starting too, and canaries hold while the
     * metrics store is unreachable).
     */
    private static void checkPrometheus(PrometheusMetricsSource metrics, java.io.PrintWriter err) {
        var problem = metrics.access();
        if (problem.isEmpty()) {
            return;
        }
        if (problem.get().credentialsRefused()) {
            metrics.close();
            throw new UserError("cannot start: " + problem.get().message());
        }
        err.println("warning: " + problem.get().message() + "; serve starts anyway, and canaries hold while"
                + " Prometheus does not answer");
        err.flush();
    }

    /** The advisor's chat model as configured, with its key from the environment; says which one it is. */
    private SummaryWriter advisorModel(AdvisorSettings advisor, java.io.PrintWriter err) {
        var key = advisorKey();
        if (advisor.provider() == AdvisorSettings.Provider.NONE) {
            err.println("note: advisor: no language model configured; context packages and incident hypotheses come"
                    + " from templates and similar past cases");
        } else if (key.isEmpty() && advisor.baseUrl().getHost().endsWith("openai.com")) {
            err.println("warning: advisor: " + AdvisorParts.API_KEY_VARIABLE + " is not set, so " + advisor.baseUrl()
                    + " will refuse the advisor's requests and the template text is posted");
        }
        err.flush();
        return AdvisorParts.writer(advisor, key);
    }

    /** The advisor's API key from the environment, if set. */
    private Optional<String> advisorKey() {
        return Optional.ofNullable(env.get(AdvisorParts.API_KEY_VARIABLE)).filter(k -> !k.isBlank());
    }

    /** The Prometheus the canaries are judged from, with each service's own templates ({@code metrics:}). */
    static PrometheusMetricsSource metricsSource(PrometheusConfig prometheus, ServiceCatalog catalog) {
        return metricsSource(prometheus, () -> catalog);
    }

    /**
     * As above, with the templates of the catalog in force at each query (a reload changes them) for a query that names
     * none: a pipeline canary's queries name the templates it started with, which it keeps to its end.
     */
    static PrometheusMetricsSource metricsSource(
            PrometheusConfig prometheus, java.util.function.Supplier<ServiceCatalog> catalog) {
        return new PrometheusMetricsSource(prometheus, PromQlTemplates.DEFAULTS, name -> catalog.get()
                .service(name)
                .filter(service -> !service.metricTemplates().isEmpty())
                .map(service -> PromQlTemplates.DEFAULTS.with(service.metricTemplates())));
    }
    /**
     * The cluster from kubeconfig or the in-cluster service account, checked to answer now; the canaries of services
     * with {@code traffic.gateway_api} divide their traffic by their route's weights, the others by replica ratio.
     */
    static Cluster kubernetes(java.util.function.Supplier<ServiceCatalog> catalog) {
        var k8s = Config.autoConfigure(null);
        k8s.setConnectionTimeout(5_000);
        k8s.setRequestTimeout(10_000);
        k8s.setRequestRetryBackoffLimit(0); // at start-up, say at once that the cluster is out of reach
        KubernetesClient client = new KubernetesClientBuilder().withConfig(k8s).build();
        try {
            client.getKubernetesVersion();
            k8s.setRequestRetryBackoffLimit(Config.DEFAULT_REQUEST_RETRY_BACKOFFLIMIT);
        } catch (RuntimeException e) {
            client.close();
            throw new UserError("cannot start: the Kubernetes cluster at " + k8s.getMasterUrl()
                    + " cannot be reached (" + rootMessage(e) + "); check the kubeconfig (KUBECONFIG) or the pod's"
                    + " service account");
        }
        return new Fabric8Cluster(client, gatewayRoutes(catalog));
    }

    /** Each service's Gateway API route, by the workload it rolls out (its namespace and Deployment). */
    static Function<RolloutTarget, Optional<GatewayRoute>> gatewayRoutes(ServiceCatalog catalog) {
        return gatewayRoutes(() -> catalog);
    }

    /**
     * As above, from the catalog in force when a rollout starts (a reload changes it; a rollout in progress keeps the
     * route it started with, pinned on its stable Deployment).
     */
    static Function<RolloutTarget, Optional<GatewayRoute>> gatewayRoutes(
            java.util.function.Supplier<ServiceCatalog> catalog) {
        return target -> catalog.get().services().values().stream()
                .filter(service -> service.namespace().equals(target.namespace())
                        && service.deployment().equals(target.deployment()))
                .flatMap(service -> service.gatewayRoute().stream())
                .findFirst();
    }

    private CheckpointSigner signer(java.io.PrintWriter err) {
        var pair = AuditKeyPair.fromEnv(
                env, why -> new UserError("cannot start: the audit signing key pair is not usable (" + why + ")"));
        if (pair.isPresent()) {
            return pair.get();
        }
        err.println("WARNING: HARBORMASTER_AUDIT_SIGNING_KEY and HARBORMASTER_AUDIT_PUBLIC_KEY are not both set:"
                + " audit checkpoints will be signed by a key generated now, which dies with this process, so"
                + " they cannot be verified later. Generate a key pair with `harbormaster audit keygen`.");
        err.flush();
        return CheckpointSigner.generate();
    }

    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    private static String rootMessage(Throwable e) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * {@code /audit} export links need the address Slack users reach the bot at ({@code HARBORMASTER_PUBLIC_URL});
     * replicas honour each other's links when they share {@code HARBORMASTER_EXPORT_LINK_SECRET}.
     */
    private static void serveExports(Harbormaster bot, Map<String, String> env, java.io.PrintWriter err) {
        var publicUrl = publicUrl(env, err);
        if (publicUrl.isEmpty()) {
            return;
        }
        var configured = env.get("HARBORMASTER_EXPORT_LINK_SECRET");
        byte[] secret;
        if (configured == null || configured.isBlank()) {
            secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            err.println("note: HARBORMASTER_EXPORT_LINK_SECRET is not set: export links work only on the replica that"
                    + " issued them, until it restarts");
        } else if (configured.strip().length() < 16) {
            throw new UserError("HARBORMASTER_EXPORT_LINK_SECRET must be at least 16 characters");
        } else {
            secret = configured.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        bot.serveExports(publicUrl.get(), secret, Duration.ofMinutes(15));
    }

    /** The host of the placeholder the manifests ship in {@code HARBORMASTER_PUBLIC_URL} (as slack-app.yml's). */
    static final String PLACEHOLDER_HOST = "YOUR-HOST";

    /**
     * {@code HARBORMASTER_PUBLIC_URL}, checked: absent, or still the manifests' placeholder, is said on {@code err}
     * (serve runs on, {@code /audit} without export links); anything but an http(s) URL stops serve.
     */
    static Optional<java.net.URI> publicUrl(Map<String, String> env, java.io.PrintWriter err) {
        var url = env.get("HARBORMASTER_PUBLIC_URL");
        if (url == null || url.isBlank()) {
            err.println("note: HARBORMASTER_PUBLIC_URL is not set, so /audit answers auditors with a summary but no"
                    + " export links; set it to the bot's https address as Slack users reach it (such as"
                    + " https://harbormaster.example.com) for signed CSV and JSON links");
            return Optional.empty();
        }
        java.net.URI publicUrl;
        try {
            publicUrl = java.net.URI.create(url.strip());
            if (publicUrl.getScheme() == null
                    || !publicUrl.getScheme().matches("https?")
                    || publicUrl.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("HARBORMASTER_PUBLIC_URL must be the bot's https URL as Slack users reach it, such as"
                    + " https://harbormaster.example.com, got '" + url + "'");
        }
        if (PLACEHOLDER_HOST.equalsIgnoreCase(publicUrl.getHost())) {
            err.println("warning: HARBORMASTER_PUBLIC_URL is still the manifests' placeholder (" + url.strip() + "),"
                    + " so /audit answers auditors without export links; set it in the Deployment to the bot's"
                    + " https address as Slack users reach it");
            return Optional.empty();
        }
        return Optional.of(publicUrl);
    }

    /**
     * The app-level token when harbormaster.yml turns Socket Mode on; a missing or wrong token stops serve with what to
     * set. A token set while Socket Mode is off is unused, and said so.
     */
    private Optional<String> socketModeToken(HarbormasterConfig config, java.io.PrintWriter err) {
        try {
            var token = SlackSettings.socketModeToken(config.socketMode(), env);
            if (token.isEmpty()
                    && !env.getOrDefault(SlackSettings.APP_TOKEN, "").isBlank()) {
                err.println("note: " + SlackSettings.APP_TOKEN + " is set but slack.socket_mode is off in"
                        + " harbormaster.yml: Slack's requests are taken at /slack/events only");
            }
            return token;
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot start: " + e.getMessage());
        }
    }

    /**
     * Opens the Socket Mode connection. A token Slack refuses stops serve; Slack out of reach is only a warning: the
     * connection is retried in the background, and the pipeline runs on meanwhile.
     */
    private void connectSocketMode(SlackFrontEnd frontEnd, String appToken) {
        var err = spec.commandLine().getErr();
        try {
            var socket = frontEnd.connectSocketMode(appToken);
            if (!socket.awaitHello(Duration.ofSeconds(10))) {
                err.println("warning: Slack's Socket Mode connection is not open yet; retrying in the background");
                err.flush();
            }
        } catch (SocketModeConnection.TokenRefused e) {
            throw new UserError("cannot start: Slack refused " + SlackSettings.APP_TOKEN + " for Socket Mode ("
                    + e.error() + "); it must be an app-level token of this app with the connections:write scope,"
                    + " and Socket Mode must be on in the app's settings (socket_mode_enabled: true in"
                    + " slack-app.yml)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // shutting down: nothing more to do with it
        }
    }

    /**
     * Starts Bolt now rather than on the first request, so a token Slack refuses stops the server at once. Slack out
     * of reach is only a warning: Bolt tries again on the next request, and until then requests get 503.
     */
    private void startBolt(SlackFrontEnd frontEnd) {
        try {
            frontEnd.app().start();
        } catch (RuntimeException e) {
            var message = String.valueOf(e.getMessage());
            if (message.matches(".*\\b(invalid_auth|not_authed|account_inactive|token_revoked|token_expired)\\b.*")) {
                throw new UserError("cannot start: Slack refused SLACK_BOT_TOKEN (" + message + ")");
            }
            var err = spec.commandLine().getErr();
            err.println("warning: could not check SLACK_BOT_TOKEN with Slack (" + message
                    + "); Slack requests get 503 until Slack is reachable");
            err.flush();
        }
    }

    /**
     * Says at start which scopes slack-app.yml asks for that the installed app's token lacks (an app installed before
     * a scope was added keeps its old ones until it is reinstalled), and what the bot cannot do without each. Only a
     * warning: the rest works, and Slack's answer when a missing scope is needed says so again.
     */
    private void checkScopes(SlackWebApi web) {
        var granted = web.grantedScopes();
        if (granted.isEmpty()) {
            return; // Slack out of reach, or it did not say: startBolt has warned if it matters
        }
        var missing = new java.util.TreeMap<>(SlackSettings.SCOPES);
        missing.keySet().removeAll(granted.get());
        if (missing.isEmpty()) {
            return;
        }
        var err = spec.commandLine().getErr();
        err.println(missingScopes(missing));
        err.flush();
    }

    /**
     * The warning for Kafka topics that do not exist at {@code bootstrap}, in the right number: "topic a does not
     * exist ...: create it", "topics a, b do not exist ...: create them".
     */
    static String missingTopics(java.util.List<String> topics, String bootstrap) {
        boolean one = topics.size() == 1;
        return "warning: Kafka " + (one ? "topic " : "topics ") + String.join(", ", topics)
                + (one ? " does" : " do") + " not exist at " + bootstrap + ": create " + (one ? "it" : "them")
                + ", unless the brokers create topics on first use (auto.create.topics.enable)";
    }

    /**
     * The warning for the scopes slack-app.yml asks for that the token lacks ({@code missing}: each with what the bot
     * cannot do without it), in the right number: "the scope x ...; without it", "the scopes x, y ...; without them".
     */
    static String missingScopes(Map<String, String> missing) {
        boolean one = missing.size() == 1;
        var them = one ? "it" : "them";
        return "warning: the Slack app's token lacks the " + (one ? "scope " : "scopes ")
                + String.join(", ", missing.keySet()) + " that slack-app.yml asks for; without " + them
                + " the bot cannot " + String.join("; ", missing.values())
                + ". Add " + them
                + " in the app's OAuth & Permissions settings (or from slack-app.yml) and reinstall the app";
    }

    private Optional<java.security.PublicKey> pinnedKey() {
        var key = env.get("HARBORMASTER_AUDIT_PUBLIC_KEY");
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CheckpointSigner.publicKeyFromBase64(key));
        } catch (IllegalArgumentException e) {
            throw new UserError("HARBORMASTER_AUDIT_PUBLIC_KEY is not a base64 Ed25519 public key");
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is what brought us here.
        }
    }
}
