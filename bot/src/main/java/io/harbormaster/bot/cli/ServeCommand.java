package io.harbormaster.bot.cli;

import io.harbormaster.bot.config.ConfigException;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.http.HttpServer;
import io.harbormaster.bot.http.ReadinessCheck;
import io.harbormaster.bot.slack.AuditLogDesk;
import io.harbormaster.bot.slack.PipelineNotWired;
import io.harbormaster.bot.slack.SlackFrontEnd;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster serve}: the Slack front end and the bot's HTTP endpoints. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run the bot's HTTP server: /slack/events (Bolt, signature-checked), /healthz, /readyz (database), /metrics.",
            "In this build the deploy pipeline is NOT wired: /deploy help and /audit work; deploy, status, rollback,"
                    + " lock, unlock and the approval buttons answer that the pipeline is not wired and start nothing.",
            "Needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN in the environment (SLACK_API_URL points the Web API"
                    + " elsewhere, e.g. at a stand-in)."
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

    /** The environment; tests replace it. */
    Map<String, String> env = System.getenv();

    /** Stops the server when counted down (a shutdown hook in production, the test otherwise). */
    CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() {
        SlackSettings settings;
        try {
            settings = SlackSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot start: " + e.getMessage());
        }
        var path = config != null ? config : Path.of(env.getOrDefault("HARBORMASTER_CONFIG", "harbormaster.yml"));
        io.harbormaster.bot.config.HarbormasterConfig harbormaster;
        try {
            harbormaster = ConfigLoader.load(path);
        } catch (ConfigException e) {
            throw new UserError("cannot start: " + path + " has " + e.problems().size() + " problem(s):\n  "
                    + String.join("\n  ", e.problems()) + "\n(harbormaster config check --config " + path + ")");
        }
        var out = spec.commandLine().getOut();
        try (var db = database.open()) {
            var metrics = new BotMetrics();
            var catalog = harbormaster.catalog();
            var auditLog = JooqAuditLog.reader(db, pinnedKey());
            try (var frontEnd = new SlackFrontEnd(
                    settings,
                    new PipelineNotWired(),
                    new AuditLogDesk(auditLog, catalog, q -> Optional.empty()),
                    // Environments are not listed in the catalog yet: any well-formed name is parsed.
                    new DeployCommandParser(catalog, Set.of()),
                    metrics,
                    Clock.systemUTC(),
                    SlackWebApi.Settings.defaults())) {
                startBolt(frontEnd);
                try (var server = new HttpServer(
                                frontEnd.app(),
                                List.of(new ReadinessCheck("database", () -> reachable(db))),
                                metrics,
                                routes -> {},
                                HttpServer.DEFAULT_GRACE)
                        .start(host, port)) {
                    out.printf(
                            "Harbormaster listening on http://%s:%d (Slack requests: /slack/events). The deploy"
                                    + " pipeline is not wired in this build.%n",
                            host, server.port());
                    out.flush();
                    var hook = new Thread(stop::countDown, "harbormaster-shutdown");
                    Runtime.getRuntime().addShutdownHook(hook);
                    stop.await();
                    removeHook(hook);
                }
                frontEnd.close(Duration.ofSeconds(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
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

    private static boolean reachable(Database db) {
        try (var connection = db.dataSource().getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
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
