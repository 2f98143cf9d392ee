package io.harbormaster.bot.assembly;

import io.harbormaster.bot.config.HarbormasterConfig;
import io.harbormaster.bot.config.LiveConfig;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.http.DeployRequestsApi;
import io.harbormaster.bot.http.HttpServer;
import io.harbormaster.bot.http.ReadinessCheck;
import io.harbormaster.bot.slack.AuditLogDesk;
import io.harbormaster.bot.slack.DeployThreads;
import io.harbormaster.bot.slack.PipelineDesk;
import io.harbormaster.bot.slack.SlackFrontEnd;
import io.harbormaster.bot.slack.SlackNotifier;
import io.harbormaster.bot.slack.SlackSettings;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.engine.adapters.inprocess.InProcessDeployRequests;
import io.harbormaster.engine.adapters.inprocess.InProcessEventBus;
import io.harbormaster.engine.adapters.llm.MiniLmSimilarCases;
import io.harbormaster.engine.advice.AdvisingNotifier;
import io.harbormaster.engine.advice.Advisor;
import io.harbormaster.engine.advice.SummaryWriter;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.canary.MetricsSource;
import io.harbormaster.engine.intake.DeployRequestHandler;
import io.harbormaster.engine.intake.PipelineIntake;
import io.harbormaster.engine.intake.RetryPolicy;
import io.harbormaster.engine.risk.RiskScorer;
import io.harbormaster.engine.rollout.Cluster;
import io.harbormaster.engine.rollout.DeployEvents;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.EventRelay;
import io.harbormaster.engine.rollout.Notifier;
import io.harbormaster.engine.rollout.PipelinePorts;
import io.harbormaster.engine.rollout.PipelineRunner;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.advice.JooqCaseStore;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.harbormaster.storage.pipeline.JooqBuildCatalog;
import io.harbormaster.storage.pipeline.JooqDeployStore;
import io.harbormaster.storage.pipeline.JooqEventOutbox;
import io.harbormaster.storage.pipeline.JooqIncidentStore;
import io.harbormaster.storage.pipeline.JooqPolicyStore;
import io.harbormaster.storage.pipeline.JooqPolicyVersionChanges;
import io.harbormaster.storage.pipeline.JooqRiskModelStore;
import io.harbormaster.storage.slack.JooqSlackThreads;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole bot put together from its outside parts: the same assembly runs under {@code serve} (Fabric8,
 * Prometheus, Kafka, slack.com) and under the sandbox and the end-to-end tests (simulated cluster and metrics, the
 * in-process bus, the Slack stand-in). Nothing runs until {@link #start}.
 */
public final class Harbormaster implements AutoCloseable {
    /**
     * Written into every audit entry: {@code harbormaster-} and the version the jar was built as (its manifest's
     * Implementation-Version), or {@code harbormaster-dev} when run from classes outside a jar (tests, an IDE).
     */
    public static final String ENGINE_VERSION = "harbormaster-"
            + Optional.ofNullable(Harbormaster.class.getPackage().getImplementationVersion())
                    .orElse("dev");

    /**
     * The parts that differ between production and the sandbox. {@code events} is the in-process bus (each event
     * delivered as it happens) or a broker's transport (Kafka): events for a broker are recorded in the database's
     * outbox with their change and sent from there by an {@link EventRelay}, so that a broker that is down delays them
     * instead of losing them.
     */
    public record Ports(Cluster cluster, MetricsSource metrics, DeployEvents events, Clock clock) {
        /** Whether events go through the outbox: every transport but the in-process bus. */
        boolean eventOutbox() {
            return !(events instanceof InProcessEventBus);
        }
    }

    /**
     * How the assembly behaves.
     *
     * @param owner this replica's name in leases (hostname and pid in production)
     * @param tick how often every unfinished deploy is advanced
     * @param ciSigningSecret the secret CI signs {@code POST /api/v1/deploy-requests} with; empty: the route says 503
     * @param pinnedKey the audit public key {@code /audit verify} trusts, when configured
     * @param pacing how the Slack Web API client paces and retries
     * @param threadWait how long a notice waits for a {@code /deploy}'s thread to be opened
     */
    public record Options(
            String owner,
            Duration tick,
            Optional<String> ciSigningSecret,
            Optional<PublicKey> pinnedKey,
            SlackWebApi.Settings pacing,
            Duration threadWait) {
        public static Options defaults(String owner) {
            return new Options(
                    owner,
                    Duration.ofSeconds(5),
                    Optional.empty(),
                    Optional.empty(),
                    SlackWebApi.Settings.defaults(),
                    Duration.ofSeconds(30));
        }
    }

    private final Database db;
    private final LiveConfig live;
    private final Options options;
    private final Ports ports;
    private final BotMetrics metrics = new BotMetrics();
    private final RiskScorer risk;
    private final JooqAuditLog audit;
    private final JooqBuildCatalog builds;
    private final JooqDeployStore deploys;
    private final DeployPipeline pipeline;
    private final SlackFrontEnd frontEnd;
    private final DelegatingNotifier notifier = new DelegatingNotifier();
    private final SlackNotifier slackNotifier;
    private final AdvisingNotifier advising;
    private volatile io.harbormaster.bot.http.AuditExportLinks exportLinks;
    private final Optional<EventRelay> relay;
    private PipelineRunner runner;
    private HttpServer server;
    private InProcessDeployRequests inProcessRequests;
    private ConfigReload reload;

    /**
     * The assembly with the advisor's chat model as configured, without an API key (keyless servers, or none; an
     * anthropic configuration needs the constructor that takes the writer, made with its key).
     */
    public Harbormaster(
            HarbormasterConfig config,
            Database db,
            CheckpointSigner signer,
            SlackSettings slack,
            Ports ports,
            Options options) {
        this(config, db, signer, slack, ports, options, AdvisorParts.writer(config.advisor(), Optional.empty()));
    }

    /** @param advisorModel the chat model that writes advice summaries ({@link AdvisorParts#writer}) */
    public Harbormaster(
            HarbormasterConfig config,
            Database db,
            CheckpointSigner signer,
            SlackSettings slack,
            Ports ports,
            Options options,
            SummaryWriter advisorModel) {
        this(new LiveConfig(config), db, signer, slack, ports, options, advisorModel);
    }

    /**
     * @param live the configuration to go by: every part reads the service catalog and the policy version through it,
     *     so that a {@link ConfigReload} puts a new file in force for all of them at once; the settings read once at
     *     start come from {@link LiveConfig#started()}
     */
    public Harbormaster(
            LiveConfig live,
            Database db,
            CheckpointSigner signer,
            SlackSettings slack,
            Ports ports,
            Options options,
            SummaryWriter advisorModel) {
        var config = live.started();
        // First: a risk model that cannot be had stops the start before anything else is opened.
        risk = RiskModels.scorer(config.risk(), new JooqRiskModelStore(db));
        this.db = db;
        this.options = options;
        this.ports = ports;
        this.live = live;
        // /metrics: the configuration given was loaded just before the bot is assembled from it (by serve, the sandbox
        // and the tests alike); a reload sets it again when it puts a new file in force
        metrics.configLoaded(ports.clock().instant());
        deploys = ports.eventOutbox() ? JooqDeployStore.withEventOutbox(db) : new JooqDeployStore(db);
        relay = ports.eventOutbox()
                ? Optional.of(new EventRelay(
                        new JooqEventOutbox(db),
                        ports.events(),
                        ports.clock(),
                        EventRelay.Settings.defaults(options.owner())))
                : Optional.empty();
        relay.ifPresent(r -> metrics.deployEvents(r::pending, r::unreadable, r::failed, r::published));
        var policies = new JooqPolicyStore(db);
        builds = new JooqBuildCatalog(db);
        audit = new JooqAuditLog(db, signer, config.checkpointEvery(), ports.clock(), options.pinnedKey());
        var settings = new PipelineSettings(
                options.owner(),
                Duration.ofSeconds(30),
                config.approvalTimeout(),
                config.autoDeployBlock(),
                config.incidentBlock(),
                config.readinessTimeout(),
                Duration.ofDays(30),
                ENGINE_VERSION,
                live::policyVersion,
                config.environment());
        // The advisor works beside the pipeline: notices pass through at once, advice follows when it is written.
        var incidents = new JooqIncidentStore(db);
        var memory = new MiniLmSimilarCases(new JooqCaseStore(db));
        advising = new AdvisingNotifier(
                notifier,
                new Advisor(memory, advisorModel, config.advisor().timeout().plusSeconds(2)),
                builds,
                incidents,
                audit,
                ports.clock(),
                settings.engineVersion(),
                live::policyVersion,
                service -> live.catalog()
                        .service(service)
                        .map(spec -> spec.dependencies().stream()
                                .map(io.harbormaster.engine.policy.Dependency::service)
                                .toList())
                        .orElse(List.of()));
        // The embedding model loads on first use (the first deploy remembered), on the advisor's pool: loading it at
        // start made a stop within seconds of the start race ONNX Runtime's own shutdown hook (an error, at times an
        // abort of the JVM).
        pipeline = new DeployPipeline(
                new PipelinePorts(
                        deploys,
                        builds,
                        policies,
                        incidents,
                        audit,
                        ports.cluster(),
                        ports.metrics(),
                        relay.<DeployEvents>map(r -> r).orElse(ports.events()),
                        advising,
                        risk,
                        live::catalog,
                        ports.clock(),
                        this::memberByEmail),
                settings,
                (service, took) -> metrics.analysis(took)); // /metrics: harbormaster_canary_analysis_seconds
        var threads = new DeployThreads(new JooqSlackThreads(db));
        var desk =
                new PipelineDesk(pipeline, deploys, policies, audit, threads, settings, id -> nudge(id), ports.clock());
        frontEnd = new SlackFrontEnd(
                slack,
                desk,
                new AuditLogDesk(
                        audit,
                        config.checkpointEvery(),
                        live::catalog,
                        (q, who) -> exportLinks == null ? Optional.empty() : Optional.of(exportLinks.links(q, who)),
                        ports.clock(),
                        settings.engineVersion(),
                        live::policyVersion),
                // Any well-formed environment is parsed; the desk refuses all but this instance's, saying where to go.
                new DeployCommandParser(live::catalog, Set.of()),
                metrics,
                ports.clock(),
                options.pacing(),
                // replicas sharing the database recognise a replayed command whichever of them it reaches
                new io.harbormaster.storage.slack.JooqSlackRequests(db)::firstTime);
        slackNotifier =
                new SlackNotifier(frontEnd.web(), threads, deploys, builds, live::catalog, options.threadWait());
        notifier.metrics = metrics;
        notifier.target = slackNotifier;
    }

    /** The configuration in force: the file started with, and the newest valid one reloaded since. */
    public LiveConfig config() {
        return live;
    }

    /**
     * Reloads the service catalog from {@code file} (the file this bot was started from) whenever it changes, writing
     * each change to the audit log once for all the replicas on this database; says what it does on {@code log}.
     * {@link ConfigReload#start} looks on a timer, and {@link ConfigReload#check} at once. Created on first use; closed
     * with the bot.
     */
    public synchronized ConfigReload reloadFrom(java.nio.file.Path file, java.io.PrintWriter log) {
        if (reload == null) {
            reload = new ConfigReload(
                    file,
                    live,
                    audit,
                    new JooqPolicyVersionChanges(db),
                    metrics,
                    ports.clock(),
                    ENGINE_VERSION,
                    options.owner(),
                    log);
        }
        return reload;
    }

    /** The Slack front end (Bolt), e.g. to start it early and check the token. */
    public SlackFrontEnd frontEnd() {
        return frontEnd;
    }

    /** The announced builds, e.g. for the sandbox's console. */
    public JooqBuildCatalog builds() {
        return builds;
    }

    public DeployPipeline pipeline() {
        return pipeline;
    }

    /** The risk scorer, with the model {@code risk:} in harbormaster.yml chose ({@link RiskModels#describe}). */
    public RiskScorer risk() {
        return risk;
    }

    /** The engine's handler for CI requests arriving by {@code source}; a deploy it creates starts moving at once. */
    public DeployRequestHandler intake(RequestSource source) {
        var intake = new PipelineIntake(builds, deploys, pipeline, source, ports.clock());
        return (request, key) -> {
            var outcome = intake.handle(request, key);
            if (outcome instanceof DeployRequestHandler.Outcome.Accepted a) {
                a.deployId().ifPresent(this::nudge);
            }
            return outcome;
        };
    }

    /** The in-process CI queue (the sandbox's simulated CI), created on first use. */
    public synchronized InProcessDeployRequests inProcessRequests() {
        if (inProcessRequests == null) {
            inProcessRequests =
                    new InProcessDeployRequests(intake(RequestSource.KAFKA), RetryPolicy.DEFAULT, 1000, ports.clock());
        }
        return inProcessRequests;
    }

    /**
     * Starts the pipeline runner and the HTTP server; {@code checks} are readiness checks beyond the database's.
     * Returns the port listened on.
     */
    public int start(String host, int port, List<ReadinessCheck> checks) {
        return start(host, port, checks, routes -> {});
    }

    /** As {@link #start(String, int, List)}, also serving {@code extraRoutes} (the sandbox's console). */
    public int start(
            String host,
            int port,
            List<ReadinessCheck> checks,
            java.util.function.Consumer<io.javalin.config.RoutesConfig> extraRoutes) {
        relay.ifPresent(EventRelay::start);
        runner = new PipelineRunner(pipeline, options.tick());
        var all = new ArrayList<ReadinessCheck>();
        all.add(ReadinessCheck.of("database", this::databaseReachable));
        all.addAll(checks);
        var api = new DeployRequestsApi(options.ciSigningSecret(), intake(RequestSource.HTTP), id -> {}, ports.clock());
        var exports = exportLinks;
        server = new HttpServer(
                        frontEnd.app(),
                        all,
                        metrics,
                        routes -> {
                            api.routes(routes);
                            if (exports != null) {
                                exports.routes(routes);
                            }
                            extraRoutes.accept(routes);
                        },
                        HttpServer.DEFAULT_GRACE)
                .start(host, port);
        return server.port();
    }

    /**
     * Serves {@code /audit/export}: {@code /audit} answers auditors with links under {@code publicUrl} signed with
     * {@code secret}, valid for {@code validity}. Call before {@link #start}.
     */
    public void serveExports(java.net.URI publicUrl, byte[] secret, Duration validity) {
        exportLinks = new io.harbormaster.bot.http.AuditExportLinks(
                publicUrl, secret, validity, audit, live::catalog, ports.clock());
    }

    /**
     * Who has {@code email} in the Slack workspace: asked when CI names a change's author (or a deploy's requester) by
     * an address {@code people:} does not list, while an approver's click is decided (after Slack's ack).
     */
    private io.harbormaster.engine.policy.PersonDirectory.Lookup memberByEmail(String email) {
        return this.frontEnd.web().memberByEmail(email).join();
    }

    private void nudge(long deployId) {
        var r = runner;
        if (r != null) {
            r.nudge(deployId);
        }
    }

    private boolean databaseReachable() {
        try (var connection = db.dataSource().getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Stops in order: no new work (runner, HTTP), then the work in hand (Slack front end, notices), then the event
     * relay.
     */
    @Override
    public void close() {
        if (reload != null) {
            reload.close();
        }
        if (inProcessRequests != null) {
            inProcessRequests.close(Duration.ofSeconds(5));
        }
        if (runner != null) {
            runner.close();
        }
        if (server != null) {
            server.close();
        }
        // Loading the embedding model is native work that cannot be interrupted, and a JVM that exits under it
        // aborts: a bot stopped right after it started waits for the load (a few seconds) as for advice in hand.
        advising.close(Duration.ofSeconds(20));
        notifier.target = Notifier.NONE;
        slackNotifier.close(Duration.ofSeconds(5));
        frontEnd.close(Duration.ofSeconds(10));
        // last: the changes recorded until now (a click in hand, say) are sent while it runs, the rest after a start
        relay.ifPresent(EventRelay::close);
    }

    /** Lets the pipeline be built before the Slack notifier that needs the front end's Web API client. */
    /** Counts what the pipeline tells for /metrics, then hands the notice on to Slack. */
    static final class DelegatingNotifier implements Notifier {
        volatile Notifier target = Notifier.NONE;
        volatile BotMetrics metrics;

        @Override
        public void notify(io.harbormaster.engine.rollout.DeployNotice notice) {
            var m = metrics;
            if (m != null) {
                count(m, notice);
            }
            target.notify(notice);
        }

        /**
         * What a rollback is counted under: the judge whose rule fired ("analysis" when an engine took over a rollback
         * without its evidence), "readiness" for canary pods that never became ready, "cluster" for an operation the
         * cluster refused, "manual" for a person's.
         */
        static String trigger(io.harbormaster.engine.rollout.DeployNotice.RolledBack r) {
            return switch (r.cause()) {
                case io.harbormaster.engine.rollout.RollbackCause.Analysis a ->
                    r.evidence().isEmpty()
                            ? "analysis"
                            : r.evidence().getFirst().judge();
                case io.harbormaster.engine.rollout.RollbackCause.NotReady n -> "readiness";
                case io.harbormaster.engine.rollout.RollbackCause.ClusterRefused c -> "cluster";
                case io.harbormaster.engine.rollout.RollbackCause.Requested q -> "manual";
            };
        }

        static void count(BotMetrics m, io.harbormaster.engine.rollout.DeployNotice notice) {
            var service = notice.deploy().service();
            switch (notice) {
                case io.harbormaster.engine.rollout.DeployNotice.Escalated e -> m.escalated(service);
                case io.harbormaster.engine.rollout.DeployNotice.Promoted p -> m.deployEnded("promoted");
                case io.harbormaster.engine.rollout.DeployNotice.RolledBack r -> {
                    m.deployEnded("rolled_back");
                    m.rolledBack(service, trigger(r));
                }
                case io.harbormaster.engine.rollout.DeployNotice.Reverted r -> {
                    m.deployEnded("reverted");
                    m.rolledBack(service, "revert");
                }
                case io.harbormaster.engine.rollout.DeployNotice.Failed f -> m.deployEnded("failed");
                case io.harbormaster.engine.rollout.DeployNotice.Stopped s -> m.deployEnded("stopped");
                case io.harbormaster.engine.rollout.DeployNotice.Expired x -> m.deployEnded("expired");
                case io.harbormaster.engine.rollout.DeployNotice.Advised a -> {
                    var kind = a.advice().kind().label();
                    m.advice(kind, a.advice().source().label());
                    a.advice().fallbackReason().ifPresent(reason -> m.adviceFallback(kind, reason));
                }
                case io.harbormaster.engine.rollout.DeployNotice.ApprovalCounted a
                when a.approval().decision() == io.harbormaster.engine.rollout.Approval.Decision.REJECT ->
                    m.deployEnded("rejected");
                default -> {}
            }
        }
    }
}
