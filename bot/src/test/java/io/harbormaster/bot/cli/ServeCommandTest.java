package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.slack.standin.SlackRequests;
import io.harbormaster.bot.slack.standin.SlackStandIn;
import io.harbormaster.sandbox.SimulatedCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
    private static final String SECRET = "serve-test-signing-secret";
    private static final String TOKEN = "xoxb-serve-test-token";

    @TempDir
    Path dir;

    /** The example catalog; it names a Prometheus server, which serve requires (nothing queries it here). */
    private static String config() {
        return ConfigCommand.example();
    }

    /**
     * serve's default database, {@code ./data/harbormaster}, is in the directory the tests run in ({@code bot/}): no
     * test may open it (a test run used to leave, and once commit, {@code bot/data/}).
     */
    private static final Path DEFAULT_DATA = Path.of("data");

    private boolean defaultDataWasThere;

    @BeforeEach
    void noteTheDefaultDatabase() {
        defaultDataWasThere = Files.exists(DEFAULT_DATA);
    }

    @AfterEach
    void theDefaultDatabaseWasNotCreated() {
        if (!defaultDataWasThere) {
            assertThat(DEFAULT_DATA)
                    .as("a test ran serve against its default database ./data")
                    .doesNotExist();
        }
    }

    /**
     * serve as the CLI runs it, on this test's own database unless the test gives --db: a run that gets past serve's
     * checks opens that, never the default in the working directory (nor $HARBORMASTER_DB_URL).
     */
    private CapturedCommand<ServeCommand> serve(Map<String, String> env) {
        var command = new ServeCommand();
        command.env = env;
        command.cluster = catalog -> new SimulatedCluster();
        command.database = new DatabaseOption();
        command.database.url = "jdbc:h2:file:" + dir.resolve("db");
        return CapturedCommand.of(command);
    }

    @Test
    void serveRefusesToStartWithoutTheSlackSecretsAndNamesThem() {
        var run = serve(Map.of());
        int code = run.cli().execute("--port", "0");
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString()).contains("SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
    }

    @Test
    void serveRefusesToStartWithoutAPrometheusServerInTheConfiguration() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, "groups: {ops: [U0OPS]}\nservices:\n  checkout: {namespace: shop, approvers: ops}\n");
        var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
        int code = run.cli().execute("--port", "0", "--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString()).contains("names no Prometheus server");
    }

    @Test
    void serveRefusesAnInvalidConfigurationCountingItsProblemsInTheRightNumber() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config().replaceFirst("(?m)^(    approvers: )", "$1nobody-"));
        var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
        int code = run.cli().execute("--port", "0", "--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString())
                .contains("cannot start: " + config + " has 1 problem:\n  " + config + ":")
                .doesNotContain("problem(s)");
    }

    @Test
    void theWarningsOfMissingTopicsAndScopesSayThemInTheRightNumber() {
        assertThat(ServeCommand.missingTopics(List.of("deploy.events"), "kafka:9092"))
                .isEqualTo("warning: Kafka topic deploy.events does not exist at kafka:9092: create it, unless the"
                        + " brokers create topics on first use (auto.create.topics.enable)");
        assertThat(ServeCommand.missingTopics(List.of("deploy.events", "deploy.requests.dlq"), "kafka:9092"))
                .startsWith("warning: Kafka topics deploy.events, deploy.requests.dlq do not exist at kafka:9092:"
                        + " create them, unless");
        var both = new java.util.TreeMap<String, String>(Map.of("a:read", "read a", "b:write", "write b"));
        assertThat(ServeCommand.missingScopes(both))
                .isEqualTo("warning: the Slack app's token lacks the scopes a:read, b:write that slack-app.yml asks"
                        + " for; without them the bot cannot read a; write b. Add them in the app's OAuth & Permissions"
                        + " settings (or from slack-app.yml) and reinstall the app");
        assertThat(ServeCommand.missingScopes(Map.of("a:read", "read a")))
                .startsWith("warning: the Slack app's token lacks the scope a:read that slack-app.yml asks for;"
                        + " without it the bot cannot read a. Add it in");
    }

    @Test
    void serveRefusesToStartWithAnthropicAndNoKeyAndNamesTheVariable() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        var anthropic = config().replaceFirst(
                        "(?m)^  provider: none.*$", "  provider: anthropic\n  model: claude-3-5-haiku-latest");
        assertThat(anthropic).contains("provider: anthropic");
        Files.writeString(config, anthropic);
        var clusterAsked = new AtomicInteger();
        var run = serve(
                Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN, "HARBORMASTER_LLM_API_KEY", " "));
        run.command().cluster = catalog -> {
            clusterAsked.incrementAndGet();
            return new SimulatedCluster();
        };
        int code = run.cli().execute("--port", "0", "--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString()).contains("cannot start", "anthropic", "set HARBORMASTER_LLM_API_KEY");
        assertThat(clusterAsked).hasValue(0); // refused before reaching out to anything
    }

    @Test
    void serveRefusesToStartWhenTheConfigAsksForTheDatabasesModelAndItHoldsNone() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config() + "risk: {model: database}\n");
        var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
        int code = run.cli().execute("--port", "0", "--host", "127.0.0.1", "--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString())
                .contains("cannot start: " + config + ": risk.model is database, but the database holds no risk model")
                .contains("harbormaster risk train --store")
                .doesNotContain("\tat ");
        assertThat(run.out().toString()).doesNotContain("listening");
    }

    @Test
    void aPortOutOfRangeOrAForeignHostIsRefusedBeforeAnythingIsReached() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        for (var args : List.of(
                List.of("--port", "70000"), List.of("--port", "-1"), List.of("--port", "0", "--host", "203.0.113.7"))) {
            var clusterAsked = new AtomicInteger();
            var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
            run.command().cluster = catalog -> {
                clusterAsked.incrementAndGet();
                return new SimulatedCluster();
            };
            var all = new java.util.ArrayList<>(args);
            all.addAll(List.of("--config", config.toString()));
            int code = run.cli().execute(all.toArray(String[]::new));
            assertThat(code).as(args.toString()).isEqualTo(2);
            assertThat(run.err().toString())
                    .as(args.toString())
                    .containsAnyOf("--port must be between 0 and 65535", "is not an address of this machine")
                    .doesNotContain("\tat ");
            assertThat(clusterAsked).as(args.toString()).hasValue(0);
        }
    }

    @Test
    void aPortInUseIsSaidInOneLineBeforeAnythingIsReached() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        try (var taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            var clusterAsked = new AtomicInteger();
            var code = new AtomicInteger();
            var printed = new java.util.concurrent.atomic.AtomicReference<String>();
            // the command is made while System.err is captured: picocli's default strategy keeps the System.err of
            // then, and would print the error there instead of on the command's own stream
            var logged = io.harbormaster.bot.StandardError.of(() -> {
                var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
                run.command().cluster = catalog -> {
                    clusterAsked.incrementAndGet();
                    return new SimulatedCluster();
                };
                code.set(run.cli()
                        .execute(
                                "--port",
                                Integer.toString(taken.getLocalPort()),
                                "--host",
                                "127.0.0.1",
                                "--config",
                                config.toString()));
                printed.set(run.err().toString());
            });
            assertThat(code.get()).isEqualTo(2);
            assertThat(printed.get())
                    .isEqualTo("error: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (address already in"
                            + " use): is another Harbormaster or another program using it? Stop it, or pick another"
                            + " port with --port" + System.lineSeparator());
            assertThat(logged).doesNotContain("Failed to start Javalin", "ERROR");
            assertThat(clusterAsked).hasValue(0);
        }
    }

    @Test
    void aServicesOwnMetricsTemplatesAreTheOnesItsCanariesAreJudgedFrom() throws Exception {
        // before: serve queried every service with the built-in templates; services.<name>.metrics was read and dropped
        var config = io.harbormaster.bot.config.ConfigLoader.parse("example", config());
        var source = ServeCommand.metricsSource(
                io.harbormaster.engine.adapters.prometheus.PrometheusConfig.of(URI.create("http://prometheus:9090")),
                config.catalog());
        var p99 = io.harbormaster.engine.adapters.prometheus.CanaryMetric.P99;
        assertThat(source.templatesFor("inventory").template(p99))
                .isEqualTo(config.catalog()
                        .service("inventory")
                        .orElseThrow()
                        .metricTemplates()
                        .get("p99"))
                .contains("inv_latency_seconds_bucket");
        assertThat(source.templatesFor("checkout").template(p99))
                .isEqualTo(io.harbormaster.engine.adapters.prometheus.PromQlTemplates.DEFAULTS.template(p99));
    }

    @Test
    void theMetricsTemplatesAndGatewayRoutesFollowTheCatalogInForce() {
        // before: both were copied out of the catalog at start, so a reloaded harbormaster.yml changed neither
        var before = io.harbormaster.bot.config.ConfigLoader.parse("harbormaster.yml", """
                        groups:
                          ops: [U01AAA]
                        services:
                          web: {namespace: shop, approvers: ops}
                        """)
                .catalog();
        var after = io.harbormaster.bot.config.ConfigLoader.parse("harbormaster.yml", """
                        groups:
                          ops: [U01AAA]
                        services:
                          web:
                            namespace: shop
                            approvers: ops
                            traffic: {gateway_api: {route: storefront}}
                            metrics: {p99: 'histogram_quantile(0.99, sum by (le) (rate(web_seconds_bucket{service="{service}",namespace="{namespace}",track="{track}"}[{interval}]))) * 1000'}
                        """)
                .catalog();
        var inForce = new java.util.concurrent.atomic.AtomicReference<>(before);
        var source = ServeCommand.metricsSource(
                io.harbormaster.engine.adapters.prometheus.PrometheusConfig.of(URI.create("http://prometheus:9090")),
                inForce::get);
        var routes = ServeCommand.gatewayRoutes(inForce::get);
        var p99 = io.harbormaster.engine.adapters.prometheus.CanaryMetric.P99;
        var web = new io.harbormaster.engine.rollout.RolloutTarget("shop", "web", "web");
        assertThat(source.templatesFor("web").template(p99))
                .isEqualTo(io.harbormaster.engine.adapters.prometheus.PromQlTemplates.DEFAULTS.template(p99));
        assertThat(routes.apply(web)).isEmpty();

        inForce.set(after);

        assertThat(source.templatesFor("web").template(p99)).contains("web_seconds_bucket");
        assertThat(routes.apply(web))
                .contains(new io.harbormaster.engine.policy.GatewayRoute("shop", "storefront", "web"));
    }

    @Test
    void configReloadIsEveryThirtySecondsUnlessSaidOtherwiseAndZeroOrOffTurnsItOff() {
        assertThat(ServeCommand.reloadInterval(null)).contains(Duration.ofSeconds(30));
        assertThat(ServeCommand.reloadInterval(" ")).contains(Duration.ofSeconds(30));
        assertThat(ServeCommand.reloadInterval("45")).contains(Duration.ofSeconds(45));
        assertThat(ServeCommand.reloadInterval("2m")).contains(Duration.ofMinutes(2));
        assertThat(ServeCommand.reloadInterval("1h")).contains(Duration.ofHours(1));
        assertThat(ServeCommand.reloadInterval("0")).isEmpty();
        assertThat(ServeCommand.reloadInterval("0s")).isEmpty();
        assertThat(ServeCommand.reloadInterval("OFF")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.reloadInterval("soon"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("--config-reload")
                .hasMessageContaining("HARBORMASTER_CONFIG_RELOAD")
                .hasMessageContaining("'soon'");
    }

    @Test
    void theCanariesOfAServiceWithAGatewayApiRouteAreDividedByItAndTheOthersByReplicaRatio() {
        // before: serve built the Fabric8 adapter without routes, so every service's traffic followed pods
        var catalog = io.harbormaster.bot.config.ConfigLoader.parse("harbormaster.yml", """
                        groups:
                          ops: [U01AAA]
                        services:
                          web: {namespace: shop, deployment: web-v2, approvers: ops, traffic: {gateway_api: {route: storefront}}}
                          api: {namespace: shop, approvers: ops}
                        """)
                .catalog();
        var routes = ServeCommand.gatewayRoutes(catalog);

        assertThat(routes.apply(new io.harbormaster.engine.rollout.RolloutTarget("shop", "web-v2", "web")))
                .contains(new io.harbormaster.engine.policy.GatewayRoute("shop", "storefront", "web-v2"));
        assertThat(routes.apply(new io.harbormaster.engine.rollout.RolloutTarget("shop", "api", "api")))
                .isEmpty();
        assertThat(routes.apply(new io.harbormaster.engine.rollout.RolloutTarget("other", "web-v2", "web")))
                .isEmpty();
    }

    @Test
    void serveRefusesToStartWhenPrometheusRefusesItsCredentialsBeforeTheClusterIsAsked() throws Exception {
        var prometheus = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        prometheus.createContext("/", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        prometheus.start();
        try {
            var config = dir.resolve("harbormaster.yml");
            var url = "http://127.0.0.1:" + prometheus.getAddress().getPort();
            Files.writeString(config, config().replace("url: http://prometheus.monitoring:9090", "url: " + url));
            var clusterAsked = new AtomicInteger();
            var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
            run.command().cluster = catalog -> {
                clusterAsked.incrementAndGet();
                return new SimulatedCluster();
            };
            int code = run.cli().execute("--port", "0", "--config", config.toString());
            assertThat(code).isEqualTo(2);
            assertThat(run.err().toString())
                    .contains("cannot start", "Prometheus asks for credentials (HTTP 401) and none are set")
                    .contains("HARBORMASTER_PROMETHEUS_TOKEN")
                    .doesNotContain("\tat ");
            assertThat(clusterAsked).hasValue(0);
        } finally {
            prometheus.stop(0);
        }
    }

    @Test
    void serveRefusesToStartWhenTheKubernetesClusterCannotBeReached() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
        run.command().cluster = catalog -> {
            System.setProperty("kubernetes.master", "https://127.0.0.1:9");
            try {
                return ServeCommand.kubernetes(catalog);
            } finally {
                System.clearProperty("kubernetes.master");
            }
        };
        int code = run.cli().execute("--port", "0", "--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(run.err().toString()).contains("Kubernetes cluster", "cannot be reached");
    }

    @Test
    void serveRefusesToStartWhenSlackRefusesTheToken() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        try (var slack = SlackStandIn.start("xoxb-the-real-one", List.of(), List.of())) {
            var run = serve(Map.of(
                    "SLACK_SIGNING_SECRET",
                    SECRET,
                    "SLACK_BOT_TOKEN",
                    TOKEN,
                    "SLACK_API_URL",
                    slack.methodsUrlPrefix()));
            int code = run.cli()
                    .execute("--port", "0", "--config", config.toString(), "--db", "jdbc:h2:file:" + dir.resolve("db"));
            assertThat(code).isEqualTo(2);
            assertThat(run.err().toString()).contains("Slack refused SLACK_BOT_TOKEN", "invalid_auth");
            assertThat(run.err().toString()).doesNotContain(TOKEN);
        }
    }

    @Test
    void aServeRunWithoutDbOpensTheTestsOwnDatabaseNotTheDefaultOne() throws Exception {
        // Slack refuses the token only once the database is open: this run reaches the database without --db.
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        try (var slack = SlackStandIn.start("xoxb-the-real-one", List.of(), List.of())) {
            var run = serve(Map.of(
                    "SLACK_SIGNING_SECRET",
                    SECRET,
                    "SLACK_BOT_TOKEN",
                    TOKEN,
                    "SLACK_API_URL",
                    slack.methodsUrlPrefix()));
            int code = run.cli().execute("--port", "0", "--config", config.toString());
            assertThat(code).isEqualTo(2);
            assertThat(run.err().toString()).contains("Slack refused SLACK_BOT_TOKEN");
        }
        assertThat(dir.resolve("db.mv.db")).exists();
        // and theDefaultDatabaseWasNotCreated checks ./data was not
    }

    @Test
    void serveRunsThePipelineBehindSignedSlackRequestsAndAnswersReadiness() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        Files.writeString(config, config());
        try (var slack = SlackStandIn.start(
                TOKEN,
                List.of(new SlackStandIn.User("U0ALICE", "alice", "Alice")),
                List.of(new SlackStandIn.Channel("C0DEPLOYS", "deploys")))) {
            // an app installed before users:read.email was added to slack-app.yml, not reinstalled since
            slack.revokeScope("users:read.email");
            var run = serve(Map.of(
                    "SLACK_SIGNING_SECRET",
                    SECRET,
                    "SLACK_BOT_TOKEN",
                    TOKEN,
                    "SLACK_API_URL",
                    slack.methodsUrlPrefix()));
            var code = new AtomicInteger(-1);
            var thread = Thread.ofVirtual()
                    .start(() -> code.set(run.cli()
                            .execute(
                                    "--port",
                                    "0",
                                    "--host",
                                    "127.0.0.1",
                                    "--config",
                                    config.toString(),
                                    "--db",
                                    "jdbc:h2:file:" + dir.resolve("db"))));
            var listening = Pattern.compile("listening on http://127.0.0.1:(\\d+)");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!listening.matcher(run.out().toString()).find()) {
                assertThat(System.nanoTime()).as("serve to start: " + run.err()).isLessThan(deadline);
                Thread.sleep(50);
            }
            var matcher = listening.matcher(run.out().toString());
            matcher.find();
            var base = "http://127.0.0.1:" + matcher.group(1);
            try {
                // the example names no risk model: the shipped one scores, and serve says so, with its id
                assertThat(run.out().toString())
                        .contains("risk model: shipped (sha256 dad4da17af6f, trained on apachejit_train_2003_2016.csv,"
                                + " threshold 71.8, target escalation 11%)");
                var requests = new SlackRequests(URI.create(base + "/slack/events"), SECRET, Clock.systemUTC());
                var alice = new SlackRequests.Origin("U0ALICE", "alice", "C0DEPLOYS", "deploys");
                assertThat(requests.slashCommand(alice, "/deploy", "help").body())
                        .contains("/deploy lock");
                // inventory is the example's service without deployers: anyone may ask, and serve said so
                assertThat(run.err().toString())
                        .contains("note: anyone in Slack may deploy, roll back, lock and unlock inventory (no"
                                + " deployers group)");
                requests.slashCommand(alice, "/deploy", "inventory 1.2.3");
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (slack.ephemerals("C0DEPLOYS").isEmpty()) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(slack.ephemerals("C0DEPLOYS").getFirst().text())
                        .contains("no build announced inventory 1.2.3");
                // checkout has deployers, and Alice is none of them nor an approver
                requests.slashCommand(alice, "/deploy", "checkout 1.2.3");
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (slack.ephemerals("C0DEPLOYS").size() < 2) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(slack.ephemerals("C0DEPLOYS").get(1).text())
                        .contains("Only members of *payments-deployers* or *payments-approvers* may deploy checkout");
                var ready = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + "/readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                // the example's Prometheus does not exist here: said at start, and serve runs anyway
                assertThat(run.err().toString())
                        .contains("warning: Prometheus at http://prometheus.monitoring:9090", "serve starts anyway");
                // the missing scope is named at start, with what it costs and how to get it; the granted ones are not
                assertThat(run.err().toString())
                        .contains("warning: the Slack app's token lacks the scope users:read.email that"
                                + " slack-app.yml asks for; without it the bot cannot")
                        .contains("CI names by an email address")
                        .contains(". Add it in the app's OAuth & Permissions settings", "reinstall the app")
                        .doesNotContain("scope chat:write", "scopes chat:write");
            } finally {
                run.command().stop.countDown();
                thread.join(Duration.ofSeconds(20));
            }
            assertThat(code.get()).isZero();
        }
    }

    private static final String APP_TOKEN = "xapp-1-A0HARBORMASTER-1-serve0test";

    /** The example catalog with Socket Mode switched on. */
    private Path socketModeConfig() throws Exception {
        var config = dir.resolve("harbormaster.yml");
        var text = config();
        assertThat(text).contains("socket_mode: false");
        Files.writeString(config, text.replace("socket_mode: false", "socket_mode: true"));
        return config;
    }

    @Test
    void socketModeWithoutAnAppLevelTokenStopsServeWithWhatToSet() throws Exception {
        var config = socketModeConfig();
        var run = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN));
        assertThat(run.cli().execute("--port", "0", "--config", config.toString()))
                .isEqualTo(2);
        assertThat(run.err().toString())
                .contains("slack.socket_mode is on", "set SLACK_APP_TOKEN", "xapp-", "connections:write");

        var wrong = serve(Map.of("SLACK_SIGNING_SECRET", SECRET, "SLACK_BOT_TOKEN", TOKEN, "SLACK_APP_TOKEN", TOKEN));
        assertThat(wrong.cli().execute("--port", "0", "--config", config.toString()))
                .isEqualTo(2);
        assertThat(wrong.err().toString())
                .contains("SLACK_APP_TOKEN must be the Slack app's app-level token, which starts with xapp-")
                .contains("starts with xoxb-, a bot token, which belongs in SLACK_BOT_TOKEN")
                .doesNotContain(TOKEN);
    }

    @Test
    void theExportLinksAddressIsCheckedAndItsAbsenceOrThePlaceholderIsSaid() {
        var err = new StringWriter();
        var out = new PrintWriter(err, true);
        assertThat(ServeCommand.publicUrl(Map.of(), out)).isEmpty();
        assertThat(err.toString()).contains("HARBORMASTER_PUBLIC_URL is not set", "no export links");

        err.getBuffer().setLength(0);
        assertThat(ServeCommand.publicUrl(Map.of("HARBORMASTER_PUBLIC_URL", "https://YOUR-HOST"), out))
                .isEmpty();
        assertThat(err.toString()).contains("still the manifests' placeholder", "without export links");

        err.getBuffer().setLength(0);
        assertThat(ServeCommand.publicUrl(Map.of("HARBORMASTER_PUBLIC_URL", "https://bot.example.com"), out))
                .contains(URI.create("https://bot.example.com"));
        assertThat(err.toString()).isEmpty();

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ServeCommand.publicUrl(Map.of("HARBORMASTER_PUBLIC_URL", "bot.example.com"), out))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("must be the bot's https URL");
    }

    @Test
    void inSocketModeServeTakesSlashCommandsOverTheSocketItOpensAndStopsWhenSlackRefusesTheToken() throws Exception {
        var config = socketModeConfig();
        try (var slack = SlackStandIn.start(
                TOKEN,
                List.of(new SlackStandIn.User("U0ALICE", "alice", "Alice")),
                List.of(new SlackStandIn.Channel("C0DEPLOYS", "deploys")))) {
            slack.socketMode().enable(APP_TOKEN);
            var refused = serve(Map.of(
                    "SLACK_SIGNING_SECRET",
                    SECRET,
                    "SLACK_BOT_TOKEN",
                    TOKEN,
                    "SLACK_APP_TOKEN",
                    "xapp-1-A0OTHER-1-not0this0one",
                    "SLACK_API_URL",
                    slack.methodsUrlPrefix()));
            assertThat(refused.cli()
                            .execute(
                                    "--port",
                                    "0",
                                    "--host",
                                    "127.0.0.1",
                                    "--config",
                                    config.toString(),
                                    "--db",
                                    "jdbc:h2:file:" + dir.resolve("refused")))
                    .isEqualTo(2);
            assertThat(refused.err().toString())
                    .contains("Slack refused SLACK_APP_TOKEN for Socket Mode (invalid_auth)")
                    .doesNotContain("not0this0one");

            var run = serve(Map.of(
                    "SLACK_SIGNING_SECRET", SECRET,
                    "SLACK_BOT_TOKEN", TOKEN,
                    "SLACK_APP_TOKEN", APP_TOKEN,
                    "SLACK_API_URL", slack.methodsUrlPrefix()));
            var code = new AtomicInteger(-1);
            var thread = Thread.ofVirtual()
                    .start(() -> code.set(run.cli()
                            .execute(
                                    "--port",
                                    "0",
                                    "--host",
                                    "127.0.0.1",
                                    "--config",
                                    config.toString(),
                                    "--db",
                                    "jdbc:h2:file:" + dir.resolve("db"))));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // the start-up line may be read while it is being written: wait for its end, and for the socket
            while (!run.out().toString().matches("(?s).*listening on [^\\n]*\\)\\.\\R.*")
                    || slack.socketMode().connections().isEmpty()) {
                assertThat(System.nanoTime()).as("serve to start: " + run.err()).isLessThan(deadline);
                Thread.sleep(50);
            }
            try {
                assertThat(run.out().toString()).contains("Slack requests: Socket Mode and /slack/events");
                assertThat(slack.socketMode().connections()).hasSize(1);
                var alice = new SlackRequests.Origin("U0ALICE", "alice", "C0DEPLOYS", "deploys");
                var envelope = slack.socketMode().slashCommand(alice, "/deploy", "help");
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (slack.socketMode().ack(envelope).isEmpty()) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(slack.socketMode().ack(envelope).orElseThrow().payload())
                        .hasValueSatisfying(p -> assertThat(p.toString()).contains("/deploy lock"));
            } finally {
                run.command().stop.countDown();
                thread.join(Duration.ofSeconds(20));
            }
            assertThat(code.get()).isZero();
            assertThat(run.err().toString()).doesNotContain(APP_TOKEN);
            // every scope slack-app.yml asks for is granted here: nothing to say
            assertThat(run.err().toString()).doesNotContain("lacks the scope");
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!slack.socketMode().connections().isEmpty()) {
                assertThat(System.nanoTime())
                        .as("the socket closed at shutdown")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
