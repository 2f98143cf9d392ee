package io.harbormaster.bot.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import com.slack.api.bolt.response.Response;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.api.SlackResult;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.AuditCommand;
import io.harbormaster.bot.slack.commands.AuditCommandParser;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.bot.slack.commands.Parsed;
import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.bot.slack.messages.DeployMessages;
import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.messages.HelpMessage;
import io.harbormaster.bot.slack.messages.Mrkdwn;
import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.messages.ReviewMessages;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.PauseDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack front end: a Bolt app that answers {@code /deploy} and {@code /audit}, the Approve / Reject buttons, a
 * paused canary's Promote anyway / Roll back and an emergency deploy's Mark reviewed.
 * Every request is acknowledged at once (Slack allows 3 s); the work runs afterwards on a background executor and
 * reports through the Web API, or, for a deploy whose acknowledgement said it was being checked, in place of that
 * acknowledgement through the command's response_url. Bolt verifies every request's signature and timestamp before
 * any handler runs.
 */
public final class SlackFrontEnd implements AutoCloseable {
    public static final String DEPLOY = "/deploy";
    public static final String AUDIT = "/audit";

    private static final Logger log = LoggerFactory.getLogger(SlackFrontEnd.class);

    private final App app;
    private final SlackWebApi web;
    private final DeployDesk desk;
    private final AuditDesk audit;
    private final DeployCommandParser parser;
    private final BotMetrics metrics;
    private final Clock clock;
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Whether the trigger id of a {@code /deploy} command whose desk method takes no idempotency key (lock, unlock,
     * resolve, review) is seen for the first time: a signed request replayed while its signature is honoured (5 minutes
     * either side of its timestamp) is not run again. Replayed, an unlock could lift a lock set after it, and a lock put
     * back one lifted since.
     */
    private final BiPredicate<String, Instant> firstTime;

    private volatile SocketModeConnection socketMode;

    /** ... remembering the commands taken in this process only ({@link RecentKeys}), as a single replica may. */
    public SlackFrontEnd(
            SlackSettings settings,
            DeployDesk desk,
            AuditDesk audit,
            DeployCommandParser parser,
            BotMetrics metrics,
            Clock clock,
            SlackWebApi.Settings pacing) {
        this(
                settings,
                desk,
                audit,
                parser,
                metrics,
                clock,
                pacing,
                new RecentKeys(Duration.ofMinutes(11), 100_000)::firstTime);
    }

    /**
     * @param firstTime whether a command's trigger id was never taken before, recording it (for replicas that share a
     *     database, the database's record, so that a replay is recognised on whichever replica it reaches)
     */
    public SlackFrontEnd(
            SlackSettings settings,
            DeployDesk desk,
            AuditDesk audit,
            DeployCommandParser parser,
            BotMetrics metrics,
            Clock clock,
            SlackWebApi.Settings pacing,
            BiPredicate<String, Instant> firstTime) {
        this.firstTime = firstTime;
        this.desk = desk;
        this.audit = audit;
        this.parser = parser;
        this.metrics = metrics;
        this.clock = clock;
        var slackConfig = new SlackConfig();
        settings.methodsUrlPrefix().ifPresent(slackConfig::setMethodsEndpointUrlPrefix);
        slackConfig.setPrettyResponseLoggingEnabled(false);
        var slack = Slack.getInstance(slackConfig);
        this.app = new App(AppConfig.builder()
                .slack(slack)
                .signingSecret(settings.signingSecret())
                .singleTeamBotToken(settings.botToken())
                .requestVerificationEnabled(true)
                .authTestCacheEnabled(true)
                .build());
        this.web = new SlackWebApi(
                slack.methods(settings.botToken()),
                new com.slack.api.app_backend.interactive_components.ActionResponseSender(slack),
                metrics,
                pacing);
        app.command(DEPLOY, this::deploy);
        app.command(AUDIT, this::audit);
        app.blockAction(EscalationMessages.APPROVE_ACTION, (req, ctx) -> decide(req, ctx, Approval.Decision.APPROVE));
        app.blockAction(EscalationMessages.REJECT_ACTION, (req, ctx) -> decide(req, ctx, Approval.Decision.REJECT));
        app.blockAction(
                PauseMessages.PROMOTE_ACTION, (req, ctx) -> decidePause(req, ctx, PauseDecision.Choice.PROMOTE));
        app.blockAction(
                PauseMessages.ROLLBACK_ACTION, (req, ctx) -> decidePause(req, ctx, PauseDecision.Choice.ROLLBACK));
        app.blockAction(ReviewMessages.REVIEW_ACTION, this::review);
    }

    /** The Bolt app, for the HTTP server's {@code /slack/events} route. */
    public App app() {
        return app;
    }

    /**
     * Also takes Slack's requests over Socket Mode, for workspaces without public ingress: the same app and handlers
     * as {@code /slack/events}. A token Slack refuses throws {@link SocketModeConnection.TokenRefused}; Slack out of
     * reach is retried in the background.
     */
    public synchronized SocketModeConnection connectSocketMode(String appToken) {
        if (socketMode != null) {
            throw new IllegalStateException("Socket Mode is connected already");
        }
        socketMode = SocketModeConnection.open(app, appToken, Duration.ofSeconds(10));
        return socketMode;
    }

    /** The Web API client, for the pipeline's notifier (thread replies, parent updates, rollback broadcasts). */
    public SlackWebApi web() {
        return web;
    }

    /** The slash commands this front end answers (the Slack app manifest must declare each). */
    public Set<String> commands() {
        return Set.of(DEPLOY, AUDIT);
    }

    /** The button action ids this front end answers. */
    public Set<String> actions() {
        return Set.of(
                EscalationMessages.APPROVE_ACTION,
                EscalationMessages.REJECT_ACTION,
                PauseMessages.PROMOTE_ACTION,
                PauseMessages.ROLLBACK_ACTION,
                ReviewMessages.REVIEW_ACTION);
    }

    /** Lets acknowledged work finish (up to {@code grace}), then stops. */
    public void close(Duration grace) {
        var socket = socketMode;
        if (socket != null) {
            socket.close(); // no new requests over the socket; the ones acknowledged finish below
        }
        work.shutdown();
        try {
            if (!work.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Stopped with Slack work still running after {} s", grace.toSeconds());
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        web.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private Response deploy(SlashCommandRequest req, SlashCommandContext ctx) {
        long started = System.nanoTime();
        var p = req.getPayload();
        // who, where, and the trigger id that makes a redelivery recognisable: without them nothing can be answered
        if (blank(p.getUserId()) || blank(p.getChannelId()) || blank(p.getTriggerId())) {
            return malformed(DEPLOY, "a slash command without user_id, channel_id or trigger_id");
        }
        var user = new SlackUser(p.getUserId(), p.getUserName());
        var channel = p.getChannelId();
        var key = "slack:" + p.getTriggerId();
        var parsed = parser.parse(p.getText());
        Response response;
        switch (parsed) {
            case Parsed.Invalid<DeployCommand>(var usage) -> {
                metrics.command(DEPLOY, "invalid");
                response = ephemeralAck(ctx, SlackMessage.text(usage.message()));
            }
            case Parsed.Ok<DeployCommand>(DeployCommand.Help h) -> {
                metrics.command(DEPLOY, "help");
                response = ephemeralAck(ctx, HelpMessage.deploy());
            }
            case Parsed.Ok<DeployCommand>(var command) -> {
                metrics.command(DEPLOY, subcommand(command));
                // a deploy's acknowledgement says it is being checked: its answer takes that message's place
                var checking = command instanceof DeployCommand.Deploy
                        ? Optional.ofNullable(p.getResponseUrl()).filter(u -> !u.isBlank())
                        : Optional.<String>empty();
                later(
                        "/deploy " + subcommand(command),
                        new Asker(channel, user, checking),
                        () -> run(command, user, channel, key, checking));
                response = switch (command) {
                    case DeployCommand.Deploy d ->
                        ephemeralAck(
                                ctx,
                                SlackMessage.text(":hourglass_flowing_sand: Checking `" + d.service() + "` `"
                                        + d.version() + "`…"));
                    default -> ctx.ack();
                };
            }
        }
        metrics.ack("command", Duration.ofNanos(System.nanoTime() - started));
        return response;
    }

    private void run(DeployCommand command, SlackUser user, String channel, String key, Optional<String> checking) {
        if (unkeyed(command) && !firstTime.test(key, clock.instant())) {
            // Slack never sends a command twice: this is a captured request replayed while its signature holds
            log.warn("/deploy {} from {}: a repeat of trigger id {} not run", subcommand(command), user.id(), key);
            metrics.command(DEPLOY, "replayed");
            return;
        }
        switch (command) {
            case DeployCommand.Deploy d -> requestDeploy(d, new Asker(channel, user, checking), key);
            case DeployCommand.Status s -> status(s, channel, user);
            case DeployCommand.Review r -> reviewTyped(desk.review(r.deployId(), user), channel, user);
            case DeployCommand.Rollback r -> act(desk.rollback(r, user, channel, key), channel, user);
            case DeployCommand.Lock l -> act(desk.lock(l, user, channel), channel, user);
            case DeployCommand.Unlock u -> act(desk.unlock(u, user, channel), channel, user);
            case DeployCommand.Resolve r -> act(desk.resolve(r, user, channel), channel, user);
            case DeployCommand.Help h -> web.ephemeral(channel, user.id(), HelpMessage.deploy());
        }
    }

    /**
     * {@code /deploy status}: what holds deploys back, the emergency deploys still awaiting review (with a link to each
     * one's thread), the deploys in flight and what each service last finished with.
     */
    private void status(DeployCommand.Status s, String channel, SlackUser user) {
        var awaiting = desk.awaitingReview(s.service(), DeployMessages.REVIEWS_SHOWN);
        var shown = awaiting.first().stream()
                .map(w -> new DeployMessages.ReviewWaitLine(
                        w.deploy(), w.thread().flatMap(t -> web.permalink(t).join())))
                .toList();
        web.ephemeral(
                channel,
                user.id(),
                DeployMessages.status(
                        desk.status(s.service()),
                        desk.holds(s.service()),
                        shown,
                        awaiting.total(),
                        clock.instant(),
                        desk.lastPromoted(s.service())));
    }

    /** {@code /deploy review <id>}: answered to the person; the thread's review request is closed by the notifier. */
    private void reviewTyped(DeployDesk.ReviewOutcome outcome, String channel, SlackUser user) {
        var text =
                switch (outcome) {
                    case DeployDesk.ReviewOutcome.Reviewed(var deploy, var how) ->
                        ":white_check_mark: " + Mrkdwn.escape(deploy) + ": " + how + ". Its thread says so.";
                    case DeployDesk.ReviewOutcome.AlreadyReviewed(var deploy, var how) ->
                        ReviewMessages.already(Mrkdwn.escape(deploy), how);
                    case DeployDesk.ReviewOutcome.Refused(var reason) -> ":no_entry: " + Mrkdwn.escape(reason);
                    case DeployDesk.ReviewOutcome.NotReviewable(var reason) -> sentence(reason);
                };
        web.ephemeral(channel, user.id(), SlackMessage.text(text));
    }

    /**
     * The engine's reason ("there is no deploy #9999: ...", "deploy #12 (...) is still canary: ...") as the answer's
     * own sentence: it starts the message, with nothing before it, so it starts with a capital.
     */
    private static String sentence(String reason) {
        var text = Mrkdwn.escape(reason);
        return (text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1)) + ".";
    }

    private void requestDeploy(DeployCommand.Deploy d, Asker asker, String key) {
        var user = asker.user();
        switch (desk.requestDeploy(d, user, asker.channel(), key)) {
            case DeployDesk.RequestOutcome.Accepted(var view) -> {
                var thread = openThread(view, DeployMessages.received(view), asker);
                // the parent message in the channel answers it; the "Checking …" above it points there (and stays
                // as it is if Slack does not take that: the parent message says it all)
                if (thread.isPresent() && asker.checking().isPresent()) {
                    var link = web.permalink(thread.get()).join();
                    web.replaceCommandAnswer(
                                    asker.checking().get(), SlackMessage.text(DeployMessages.started(view, link)))
                            .join();
                }
            }
            case DeployDesk.RequestOutcome.Duplicate(var view, var thread, var revert) -> {
                var link = thread.flatMap(t -> web.permalink(t).join());
                answer(asker, SlackMessage.text(DeployMessages.alreadyRequested(view, user.id(), link, revert)));
            }
            case DeployDesk.RequestOutcome.Refused(var reason, var people) ->
                answer(asker, SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason, people)));
        }
    }

    /**
     * Who typed a command, where, and the {@code response_url} of the command's acknowledgement when that said it was
     * being checked ("Checking …"), for the answer to take its place.
     */
    private record Asker(String channel, SlackUser user, Optional<String> checking) {
        Asker(String channel, SlackUser user) {
            this(channel, user, Optional.empty());
        }
    }

    /**
     * Tells {@code asker} the answer to their command, which only they see: in place of the acknowledgement that said
     * it was being checked (its response_url, {@code replace_original}), so that no stale "Checking …" stays above
     * it; as a new ephemeral message when there is none, or Slack does not take it there (expired, used up, out of
     * reach).
     */
    private void answer(Asker asker, SlackMessage message) {
        if (asker.checking().isPresent()
                && web.replaceCommandAnswer(asker.checking().get(), message)
                        .join()
                        .ok()) {
            return;
        }
        web.ephemeral(asker.channel(), asker.user().id(), message);
    }

    /**
     * Posts a new deploy's parent message in the asker's channel and opens its thread with {@code firstReply}; the
     * pipeline's notices follow there. When Slack does not take it, the asker is told how to follow the deploy.
     */
    private Optional<ThreadRef> openThread(DeployView view, SlackMessage firstReply, Asker asker) {
        var parent = web.post(asker.channel(), DeployMessages.parent(view)).join();
        if (parent instanceof SlackResult.Sent(var ch, var ts)) {
            var thread = new ThreadRef(ch, ts);
            web.reply(thread, firstReply);
            desk.threadOpened(view.deployId(), thread);
            return Optional.of(thread);
        }
        var error = parent instanceof SlackResult.Failed(var method, var e) ? e : "unknown_error";
        answer(
                asker,
                SlackMessage.text("Deploy #" + view.deployId() + " started, but I could not post its thread"
                        + " here (" + error + "). Invite me with `/invite @Harbormaster`; follow it with `"
                        + DeployCommandParser.STATUS_USAGE + "`."));
        return Optional.empty();
    }

    private void act(DeployDesk.ActionOutcome outcome, String channel, SlackUser user) {
        switch (outcome) {
            case DeployDesk.ActionOutcome.Started(var view, var firstReply) ->
                openThread(view, firstReply, new Asker(channel, user));
            case DeployDesk.ActionOutcome.Done(var announcement, var thread, var people) -> {
                var message =
                        SlackMessage.text(Mrkdwn.escape(announcement, people) + " (" + Mrkdwn.user(user.id()) + ")");
                if (thread.isPresent()) {
                    web.reply(thread.get(), message);
                } else {
                    web.post(channel, message);
                }
            }
            case DeployDesk.ActionOutcome.Duplicate(var note, var people) ->
                web.ephemeral(channel, user.id(), SlackMessage.text(Mrkdwn.escape(note, people)));
            case DeployDesk.ActionOutcome.Refused(var reason, var people) ->
                web.ephemeral(channel, user.id(), SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason, people)));
        }
    }

    private Response audit(SlashCommandRequest req, SlashCommandContext ctx) {
        long started = System.nanoTime();
        var p = req.getPayload();
        if (blank(p.getUserId()) || blank(p.getChannelId())) {
            return malformed(AUDIT, "a slash command without user_id or channel_id");
        }
        var user = new SlackUser(p.getUserId(), p.getUserName());
        var channel = p.getChannelId();
        var text = p.getText() == null ? "" : p.getText();
        Response response;
        switch (AuditCommandParser.parse(text, clock.instant())) {
            case Parsed.Invalid<AuditCommand>(var usage) -> {
                metrics.command(AUDIT, "invalid");
                response = ephemeralAck(ctx, SlackMessage.text(usage.message()));
            }
            case Parsed.Ok<AuditCommand>(AuditCommand.Help h) -> {
                metrics.command(AUDIT, "help");
                response = ephemeralAck(ctx, HelpMessage.audit());
            }
            case Parsed.Ok<AuditCommand>(var command) -> {
                metrics.command(AUDIT, command instanceof AuditCommand.Verify ? "verify" : "query");
                later("/audit", channel, user, () -> {
                    var outcome =
                            switch (command) {
                                case AuditCommand.Verify v -> audit.verify(user);
                                case AuditCommand.Query q -> audit.query(q.query(), user, text);
                                case AuditCommand.Help h -> throw new IllegalStateException("answered in the ack");
                            };
                    web.ephemeral(
                            channel,
                            user.id(),
                            switch (outcome) {
                                case AuditDesk.AuditOutcome.Summary(
                                        var q,
                                        var s,
                                        var links,
                                        var remark,
                                        var unreviewed) -> AuditMessages.summary(q, s, links, remark, unreviewed);
                                case AuditDesk.AuditOutcome.Verified(var report, var every) ->
                                    AuditMessages.verify(report, every);
                                case AuditDesk.AuditOutcome.Refused(var reason) ->
                                    SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason));
                            });
                });
                response = ctx.ack();
            }
        }
        metrics.ack("command", Duration.ofNanos(System.nanoTime() - started));
        return response;
    }

    /** What a click on a button whose value names a deploy does, after the ack. */
    private interface Click {
        void run(long deployId, SlackUser clicker, String channel, String messageTs, com.slack.api.model.Message shown);
    }

    private Response decide(BlockActionRequest req, ActionContext ctx, Approval.Decision decision) {
        return click(req, ctx, (deployId, clicker, channel, messageTs, message) -> {
            // The same person clicking the same button on the same message means the same thing: one key for all of
            // it.
            var key = "slack-action:" + channel + ":" + messageTs + ":" + clicker.id() + ":"
                    + (decision == Approval.Decision.APPROVE
                            ? EscalationMessages.APPROVE_ACTION
                            : EscalationMessages.REJECT_ACTION);
            // A counted decision is told by the notifier, in order with what it lets happen (the preflight and the
            // canary follow an approval at once): in the deploy's thread, and on the request it keeps with the deploy
            // (the count while more approvals are needed, the outcome in place of the buttons once decided). A request
            // it does not keep is closed here, from the clicked message: either way it is edited once per decision.
            switch (desk.decide(deployId, clicker, decision, key)) {
                case DeployDesk.DecisionOutcome.Recorded r -> {}
                case DeployDesk.DecisionOutcome.Settled(var settled, var note, var cardKept) -> {
                    if (!cardKept && message != null && message.getBlocks() != null) {
                        web.update(
                                        channel,
                                        messageTs,
                                        EscalationMessages.closedAsShown(
                                                message.getBlocks(),
                                                EscalationMessages.decided(settled, clicker.id(), note)))
                                .join();
                    }
                }
                case DeployDesk.DecisionOutcome.Refused(var reason, var people) ->
                    web.ephemeral(
                            channel, clicker.id(), SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason, people)));
                case DeployDesk.DecisionOutcome.Duplicate(var note) ->
                    web.ephemeral(channel, clicker.id(), SlackMessage.text(Mrkdwn.escape(note)));
            }
        });
    }

    /**
     * Promote anyway or Roll back on a paused canary: the thread tells what follows (the notifier); the clicked
     * message gets how the pause ended in place of its buttons, also when a click finds it decided already.
     */
    private Response decidePause(BlockActionRequest req, ActionContext ctx, PauseDecision.Choice choice) {
        return click(req, ctx, (deployId, clicker, channel, messageTs, message) -> {
            var ended =
                    switch (desk.decidePause(deployId, clicker, choice)) {
                        case DeployDesk.PauseOutcome.Decided(var how) -> Optional.of(how);
                        case DeployDesk.PauseOutcome.NoLongerWaiting(var reason, var how) -> {
                            web.ephemeral(channel, clicker.id(), PauseMessages.tooLate(reason, how));
                            yield Optional.of(how);
                        }
                        case DeployDesk.PauseOutcome.Refused(var reason) -> {
                            web.ephemeral(
                                    channel, clicker.id(), SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason)));
                            yield Optional.<String>empty();
                        }
                    };
            if (ended.isPresent() && message != null && message.getBlocks() != null) {
                web.update(channel, messageTs, PauseMessages.closed(message.getBlocks(), ended.get()))
                        .join();
            }
        });
    }

    /**
     * Mark reviewed on an emergency deploy's review request: the clicked message gets who reviewed it and when in
     * place of its button, also when a click finds it reviewed already (the notifier writes the same on the request
     * it keeps, which is this message unless it was not kept).
     */
    private Response review(BlockActionRequest req, ActionContext ctx) {
        return click(req, ctx, (deployId, clicker, channel, messageTs, message) -> {
            var closed =
                    switch (desk.review(deployId, clicker)) {
                        case DeployDesk.ReviewOutcome.Reviewed(var deploy, var how) -> Optional.of(how);
                        case DeployDesk.ReviewOutcome.AlreadyReviewed(var deploy, var how) -> {
                            web.ephemeral(
                                    channel,
                                    clicker.id(),
                                    SlackMessage.text(ReviewMessages.already(Mrkdwn.escape(deploy), how)));
                            yield Optional.of(how);
                        }
                        case DeployDesk.ReviewOutcome.Refused(var reason) -> {
                            web.ephemeral(
                                    channel, clicker.id(), SlackMessage.text(":no_entry: " + Mrkdwn.escape(reason)));
                            yield Optional.<String>empty();
                        }
                        case DeployDesk.ReviewOutcome.NotReviewable(var reason) -> {
                            web.ephemeral(channel, clicker.id(), SlackMessage.text(sentence(reason)));
                            yield Optional.<String>empty();
                        }
                    };
            if (closed.isPresent() && message != null && message.getBlocks() != null) {
                web.update(channel, messageTs, ReviewMessages.closed(message.getBlocks(), closed.get()))
                        .join();
            }
        });
    }

    private Response click(BlockActionRequest req, ActionContext ctx, Click what) {
        long started = System.nanoTime();
        var p = req.getPayload();
        var action = p.getActions().getFirst(); // Bolt routed the click by it: there is one
        var channel = p.getChannel() != null
                ? p.getChannel().getId()
                : p.getContainer() != null ? p.getContainer().getChannelId() : null;
        var message = p.getMessage();
        var messageTs = message != null
                ? message.getTs()
                : p.getContainer() != null ? p.getContainer().getMessageTs() : null;
        var threadTs = message != null && message.getThreadTs() != null
                ? message.getThreadTs()
                : p.getContainer() != null ? p.getContainer().getThreadTs() : null;
        if (p.getUser() == null || blank(p.getUser().getId()) || blank(channel) || blank(messageTs)) {
            return malformed(action.getActionId(), "a click without its user, channel or message");
        }
        metrics.action(action.getActionId());
        var clicker = new SlackUser(p.getUser().getId(), p.getUser().getUsername());
        long deployId;
        try {
            deployId = Long.parseLong(action.getValue());
        } catch (NumberFormatException | NullPointerException e) {
            later(
                    "button",
                    channel,
                    clicker,
                    () -> web.ephemeral(
                            channel,
                            clicker.id(),
                            SlackMessage.text("That button does not name a deploy; nothing was done.")));
            return ackAction(ctx, started);
        }
        later("button", channel, clicker, () -> {
            var home = desk.thread(deployId);
            if (home.isPresent() && !within(home.get(), channel, messageTs, threadTs)) {
                log.warn(
                        "{} by {} in {} names deploy #{}, whose thread is elsewhere: refused",
                        action.getActionId(),
                        clicker.id(),
                        channel,
                        deployId);
                web.ephemeral(
                        channel,
                        clicker.id(),
                        SlackMessage.text(":no_entry: That button names deploy #" + deployId + ", which is not this"
                                + " thread's deploy; nothing was done. Use the buttons in deploy #" + deployId
                                + "'s own thread (`/deploy status` links it)."));
                return;
            }
            what.run(deployId, clicker, channel, messageTs, message);
        });
        return ackAction(ctx, started);
    }

    /**
     * Whether the clicked message ({@code messageTs}, a reply in {@code threadTs} or none) is in {@code thread}: its
     * parent, or one of its replies, in its channel. Slack signs what the bot posted, so a button's value names the
     * deploy of the thread it is in; a click whose value names another deploy was not made on a message the bot posted
     * for it.
     */
    static boolean within(ThreadRef thread, String channel, String messageTs, String threadTs) {
        return thread.channel().equals(channel)
                && (thread.ts().equals(messageTs) || thread.ts().equals(threadTs));
    }

    private Response ackAction(ActionContext ctx, long started) {
        var response = ctx.ack();
        metrics.ack("action", Duration.ofNanos(System.nanoTime() - started));
        return response;
    }

    /** Runs work after the ack; a failure is logged, counted and told to the person, never lost silently. */
    private void later(String what, String channel, SlackUser user, Runnable task) {
        later(what, new Asker(channel, user), task);
    }

    /** ... told in place of the acknowledgement's "Checking …" when there is one. */
    private void later(String what, Asker asker, Runnable task) {
        work.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{} for {} failed", what, asker.user().id(), e);
                metrics.slackApiError("internal", e.getClass().getSimpleName());
                answer(
                        asker,
                        SlackMessage.text(":warning: `" + what + "` failed inside Harbormaster ("
                                + e.getClass().getSimpleName() + "). The details are in the bot's log."));
            }
        });
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * A signed request that lacks what every request from Slack carries: refused with 400 before anything runs, since
     * there is nobody to answer and nowhere to answer them (and no key to recognise a redelivery by).
     */
    private static Response malformed(String what, String why) {
        log.warn("{}: refused {}", what, why);
        return Response.builder()
                .statusCode(400)
                .contentType(Response.CONTENT_TYPE_APPLICATION_JSON_UTF8)
                .body("{\"error\":\"" + why + "\"}")
                .build();
    }

    private static Response ephemeralAck(SlashCommandContext ctx, SlackMessage message) {
        return ctx.ack(r -> r.responseType("ephemeral").text(message.text()).blocks(message.blocks()));
    }

    /**
     * Whether the desk takes {@code command} without an idempotency key, so that only the front end can tell a replay
     * of it (a deploy and a rollback carry the trigger id as their key; status and help change nothing).
     */
    private static boolean unkeyed(DeployCommand command) {
        return switch (command) {
            case DeployCommand.Lock l -> true;
            case DeployCommand.Unlock u -> true;
            case DeployCommand.Resolve r -> true;
            case DeployCommand.Review r -> true;
            case DeployCommand.Deploy d -> false;
            case DeployCommand.Rollback r -> false;
            case DeployCommand.Status s -> false;
            case DeployCommand.Help h -> false;
        };
    }

    private static String subcommand(DeployCommand command) {
        return switch (command) {
            case DeployCommand.Deploy d -> "deploy";
            case DeployCommand.Status s -> "status";
            case DeployCommand.Rollback r -> "rollback";
            case DeployCommand.Lock l -> "lock";
            case DeployCommand.Unlock u -> "unlock";
            case DeployCommand.Review r -> "review";
            case DeployCommand.Resolve r -> "resolve";
            case DeployCommand.Help h -> "help";
        };
    }
}
