package io.harbormaster.bot.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.slack.api.SlackResult;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.messages.AdviceMessages;
import io.harbormaster.bot.slack.messages.DeployMessages;
import io.harbormaster.bot.slack.messages.EscalationCard;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.messages.EscalationView;
import io.harbormaster.bot.slack.messages.Mrkdwn;
import io.harbormaster.bot.slack.messages.PastIncidentView;
import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.messages.PreflightCheckView;
import io.harbormaster.bot.slack.messages.RevertMessages;
import io.harbormaster.bot.slack.messages.ReviewMessages;
import io.harbormaster.bot.slack.messages.RollbackMessages;
import io.harbormaster.bot.slack.messages.RollbackNotice;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.engine.canary.Verdict;
import io.harbormaster.engine.policy.CheckResult;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.policy.ServiceSpec;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.Notifier;
import io.harbormaster.engine.rollout.PauseDecision;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.RollbackCause;
import io.harbormaster.engine.rollout.SimilarIncident;
import io.harbormaster.engine.text.Numbers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Slack what the pipeline does: one parent message per deploy kept current with {@code chat.update}, one thread
 * reply per phase, the approval request with its buttons, a paused canary's buttons (replaced by how the pause ended
 * once it has, however it ended), an ended emergency deploy's review request with its button, and the rollback notice
 * broadcast to the channel. Notices
 * are handled off the pipeline's thread, in order per deploy; a notice that cannot be delivered is logged and the
 * rollout goes on. Deploys CI started have no thread yet: their parent message goes to the service's channel.
 */
public final class SlackNotifier implements Notifier, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlackNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many times a count is written on a request while approvals keep coming in the meantime, at the most. */
    private static final int MAX_COUNTS = 5;

    private final SlackWebApi web;
    private final DeployThreads threads;
    private final DeployStore deploys;
    private final BuildCatalog builds;
    private final Supplier<ServiceCatalog> catalog;
    private final Duration threadWait;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> queues = new ConcurrentHashMap<>();

    /**
     * @param threadWait how long a notice for a {@code /deploy} waits for the front end to post the deploy's parent
     *     message before it is dropped
     */
    public SlackNotifier(
            SlackWebApi web,
            DeployThreads threads,
            DeployStore deploys,
            BuildCatalog builds,
            Supplier<ServiceCatalog> catalog,
            Duration threadWait) {
        this.web = web;
        this.threads = threads;
        this.deploys = deploys;
        this.builds = builds;
        this.catalog = catalog;
        this.threadWait = threadWait;
    }

    @Override
    public void notify(DeployNotice notice) {
        try {
            long id = notice.deploy().id();
            var cause = causeOf(notice);
            var next = queues.compute(id, (k, previous) -> {
                var before = previous == null ? CompletableFuture.<Void>completedFuture(null) : previous;
                return CompletableFuture.allOf(before, cause)
                        .handleAsync(
                                (ignored, error) -> {
                                    deliver(notice);
                                    return null;
                                },
                                executor);
            });
            if (notice.deploy().state().terminal()) {
                next.whenComplete((ignored, error) -> queues.remove(id, next));
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Notice {} for deploy {} not queued: {}",
                    kind(notice),
                    notice.deploy().id(),
                    e.toString());
        }
    }

    /**
     * What must be delivered before {@code notice}, besides the notices of its own deploy: an incident resolved by a
     * promotion is told in another thread than the promotion, so by another queue, and would often overtake it (its
     * message is quicker to make); it waits for what the promoting deploy has queued so far, its promotion included,
     * so that the channel reads the promotion first. Done, when nothing is queued for it (delivered already).
     */
    private CompletableFuture<?> causeOf(DeployNotice notice) {
        if (notice instanceof DeployNotice.IncidentResolved r && r.promotion().isPresent()) {
            var promoting = queues.get(r.promotion().getAsLong());
            if (promoting != null) {
                return promoting;
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Waits up to {@code grace} for the notices in hand to be delivered, then stops. */
    public void close(Duration grace) {
        executor.shutdown();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private void deliver(DeployNotice notice) {
        var d = notice.deploy();
        try {
            var thread = threadOf(d);
            if (thread.isEmpty()) {
                log.warn("Deploy {}: no Slack thread; notice {} not shown", d.id(), kind(notice));
                return;
            }
            tell(notice, thread.get());
            closeEndedPauses(d);
            updateParent(d, thread.get());
        } catch (RuntimeException e) {
            log.warn("Deploy {}: notice {} not delivered: {}", d.id(), kind(notice), e.toString());
        }
    }

    /** The deploy's thread: stored, or about to be opened by the front end, or (for CI) opened here. */
    private Optional<ThreadRef> threadOf(Deploy d) {
        var stored = threads.find(d.id());
        if (stored.isPresent()) {
            return stored;
        }
        var request = deploys.request(d.id());
        if (request.isPresent() && request.get().source() == RequestSource.SLACK) {
            return threads.await(d.id(), threadWait);
        }
        var channel = catalog.get().service(d.service()).map(s -> s.channel()).orElse("#deploys");
        var view = DeployViews.of(d, deploys);
        var parent = web.post(channel, DeployMessages.parent(view)).join();
        if (!(parent instanceof SlackResult.Sent(var ch, var ts))) {
            log.warn("Deploy {}: could not post its parent message in {}: {}", d.id(), channel, parent);
            return Optional.empty();
        }
        var thread = threads.opened(d.id(), new ThreadRef(ch, ts));
        web.reply(thread, DeployMessages.received(view)).join();
        return Optional.of(thread);
    }

    private void tell(DeployNotice notice, ThreadRef thread) {
        switch (notice) {
            case DeployNotice.Accepted a -> {} // the parent message and the first reply say it
            case DeployNotice.Scored s ->
                web.reply(thread, DeployMessages.risk(s.assessment(), s.deploy().emergency()))
                        .join();
            case DeployNotice.Escalated e -> {
                var view = new EscalationView(
                        DeployViews.of(e.deploy(), deploys),
                        e.assessment(),
                        whatChanged(builds.find(e.deploy().service(), e.deploy().version())),
                        pastIncidents(e.pastIncidents()),
                        Optional.empty(),
                        e.approverGroup(),
                        e.requiredApprovals(),
                        List.of(),
                        e.expiresAt());
                var posted = web.reply(thread, EscalationMessages.request(view)).join();
                if (posted instanceof SlackResult.Sent(var ch, var ts)) {
                    keepCard(e.deploy(), new ThreadRef(ch, ts), EscalationMessages.card(view));
                }
            }
            case DeployNotice.ApprovalCounted c -> approvalCounted(c, thread);
            case DeployNotice.Expired x -> {
                card(x.deploy()).ifPresent(posted -> close(posted, EscalationMessages.EXPIRED));
                web.reply(
                                thread,
                                SlackMessage.text(":hourglass: Nobody decided in time; the deploy expired."
                                        + " Request it again to start over."))
                        .join();
            }
            case DeployNotice.Waiting w -> {
                // said in the thread once; when what it waits for changes, the parent (updated below) says it
                if (w.started()) {
                    web.reply(thread, DeployMessages.waiting(w.reason())).join();
                }
            }
            case DeployNotice.PreflightChecked p ->
                // the engine announces each canary step, the first included, with the pods it got
                web.reply(thread, DeployMessages.preflight(checks(p.results()))).join();
            case DeployNotice.CanaryProgress c ->
                web.reply(thread, DeployMessages.canaryStep(c.deploy().step(), c.steps(), c.plan(), c.evidence()))
                        .join();
            case DeployNotice.CanaryRestarting r ->
                web.reply(
                                thread,
                                DeployMessages.restarting(
                                        r.restarts(), r.baselineRestarts(), r.limit(), r.windowSeconds()))
                        .join();
            case DeployNotice.Paused p -> {
                var posted = web.reply(
                                thread,
                                PauseMessages.paused(
                                        p.deploy().id(), p.deploy().service(), p.reason(), approvers(p.deploy())))
                        .join();
                if (posted instanceof SlackResult.Sent(var ch, var ts)) {
                    keepPause(p, new ThreadRef(ch, ts));
                }
            }
            case DeployNotice.Resumed r ->
                web.reply(thread, SlackMessage.text(":arrow_forward: *Resumed*: " + Mrkdwn.escape(r.reason()) + "."))
                        .join();
            case DeployNotice.Promoted p ->
                web.reply(
                                thread,
                                DeployMessages.decision(
                                        DeployViews.of(p.deploy(), deploys),
                                        new Verdict.Promote(secondsInCanary(p.deploy()), p.evidence()),
                                        promotedBy(p.deploy())))
                        .join();
            case DeployNotice.RolledBack r -> rolledBack(r, thread);
            case DeployNotice.Reverting r ->
                web.reply(thread, RevertMessages.reverting(r.revert())).join();
            case DeployNotice.Reverted r ->
                // in the thread and in the channel: the service runs another version now
                web.broadcast(
                                thread,
                                RevertMessages.reverted(
                                        DeployViews.of(r.deploy(), deploys),
                                        r.revert(),
                                        r.requester(),
                                        r.blockedUntil(),
                                        web.permalink(thread).join()))
                        .join();
            case DeployNotice.Failed f -> {
                var named = DeployViews.people(deploys, f.deploy().id()); // a lock's holder in a blocked preflight
                web.reply(thread, SlackMessage.text(":x: *The deploy stopped*: " + Mrkdwn.escape(f.reason(), named)))
                        .join();
            }
            case DeployNotice.Stopped s -> {
                // The command's answer says it in the thread; a request it waited on loses its buttons, as a decision
                // takes them (the parent, updated below, shows it stopped).
                if (s.from() == DeployState.AWAITING_APPROVAL) {
                    card(s.deploy())
                            .ifPresent(posted -> close(
                                    posted,
                                    EscalationMessages.stopped(
                                            s.by(), s.deploy().service())));
                }
            }
            case DeployNotice.Advised a -> {
                // a hypothesis after a person's rollback names them ("U1 stopped the canary ... ask them")
                var named = DeployViews.people(deploys, a.deploy().id());
                web.reply(thread, AdviceMessages.advice(a.advice(), named)).join();
            }
            case DeployNotice.ReviewDue r -> {
                var posted = web.reply(
                                thread, ReviewMessages.due(DeployViews.of(r.deploy(), deploys), reviewers(r.deploy())))
                        .join();
                if (posted instanceof SlackResult.Sent(var ch, var ts)) {
                    keepReviewCard(r.deploy(), new ThreadRef(ch, ts));
                }
            }
            case DeployNotice.Reviewed r -> reviewed(r, thread);
            case DeployNotice.IncidentResolved r -> {
                var i = r.incident();
                var dependents = catalog.get().dependents(i.service());
                // the engine's resolution says which promotion it was; a person's, who and what they said
                var by = r.by().equals("engine")
                        ? Mrkdwn.escape(i.resolution().orElse("resolved"))
                        : "resolved by " + DeployMessages.requester(r.by())
                                + (r.note().isBlank() ? "" : ": " + Mrkdwn.escape(r.note()));
                web.reply(
                                thread,
                                SlackMessage.text(":white_check_mark: *Incident #" + i.id() + " is resolved*: " + by
                                        + (dependents.isEmpty()
                                                ? "."
                                                : ". Deploys of " + String.join(", ", dependents)
                                                        + " are no longer held back by it.")))
                        .join();
            }
        }
    }

    /**
     * The incidents an approval request lists, each with the people who moved the deploy whose rollback opened it:
     * its summary names who asked for a rollback by member id, which reads as a mention.
     */
    private List<PastIncidentView> pastIncidents(List<SimilarIncident> incidents) {
        return incidents.stream()
                .map(s -> new PastIncidentView(
                        s.incident(), DeployViews.people(deploys, s.incident().deployId()), s.traits()))
                .toList();
    }

    /** The service's approver group, who decide its pauses. */
    private String approvers(Deploy d) {
        return catalog.get()
                .service(d.service())
                .map(ServiceSpec::approverGroup)
                .orElse("the approvers");
    }

    /** Who review the deploy if it was an emergency: its service's approvers, or the auditors once it is not configured. */
    private String reviewers(Deploy d) {
        return catalog.get().reviewerGroup(d.service());
    }

    /**
     * Keeps where the review request was posted, so that a review recorded on another replica, or typed as {@code
     * /deploy review}, replaces its button. One not kept is closed from the click on it, and a typed review of it is
     * told in the thread instead.
     */
    private void keepReviewCard(Deploy d, ThreadRef message) {
        try {
            threads.reviewCardPosted(d.id(), message);
        } catch (RuntimeException e) {
            log.warn("Deploy {}: its review request was posted but not recorded ({})", d.id(), e.toString());
        }
    }

    /**
     * Keeps where the pause was posted, so that whichever replica sees the pause end, also after a restart, replaces
     * its buttons by how it ended. One not kept keeps its buttons until they are clicked, and the click is told the
     * pause is over.
     */
    private void keepPause(DeployNotice.Paused p, ThreadRef message) {
        try {
            threads.pausePosted(p.deploy().id(), p.transition(), message, p.reason());
        } catch (RuntimeException e) {
            log.warn(
                    "Deploy {}: its pause was posted but not recorded ({})",
                    p.deploy().id(),
                    e.toString());
        }
    }

    /**
     * Replaces the buttons of each of the deploy's pauses that has ended since it was posted, however it ended (a
     * click here or on another replica, {@code /deploy rollback}, the metrics back, the analysis deciding, the deploy
     * failing), by how it ended and who or what ended it. Run after every notice of the deploy: each move of a paused
     * deploy that ends its pause is followed by one, whichever replica made it. A message Slack does not update stays
     * open and is tried again at the next notice.
     */
    private void closeEndedPauses(Deploy d) {
        try {
            var open = threads.openPauses(d.id());
            if (open.isEmpty()) {
                return;
            }
            var transitions = deploys.transitions(d.id());
            for (var pause : open) {
                var ended = PauseMessages.ended(transitions, pause.pauseOrdinal());
                if (ended.isEmpty()) {
                    continue; // still paused: its buttons are live
                }
                var message = pause.message();
                var updated = web.update(
                                message.channel(),
                                message.ts(),
                                PauseMessages.closed(d.id(), d.service(), pause.reason(), ended.get()))
                        .join();
                if (updated.ok()) {
                    threads.pauseClosed(pause, ended.get());
                } else {
                    log.warn(
                            "Deploy {}: its ended pause kept its buttons ({}); tried again at its next notice",
                            d.id(),
                            updated);
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Deploy {}: its ended pauses were not closed ({}); tried again at its next notice",
                    d.id(),
                    e.toString());
        }
    }

    /** A review: written on the review request in place of its button, or told in the thread when it has none. */
    private void reviewed(DeployNotice.Reviewed r, ThreadRef thread) {
        var d = r.deploy();
        var outcome = ReviewMessages.reviewedBy(r.review(), d.updatedAt());
        var card = threads.reviewCard(d.id());
        if (card.isPresent()) {
            var message = card.get();
            web.update(
                            message.channel(),
                            message.ts(),
                            ReviewMessages.reviewed(DeployViews.of(d, deploys), reviewers(d), outcome))
                    .join();
        } else {
            web.reply(thread, SlackMessage.text(":white_check_mark: " + outcome + "."))
                    .join();
        }
    }

    /**
     * Keeps the posted request with the deploy: the approvals may be counted, and the request expire, after a restart
     * or on another replica. The request is posted whatever becomes of its record: one that is not saved is closed from
     * the click that decides it, and only its count is lost.
     */
    private void keepCard(Deploy d, ThreadRef message, EscalationCard card) {
        try {
            threads.cardPosted(d.id(), message, card);
        } catch (RuntimeException e) {
            log.warn(
                    "Deploy {}: its approval card was posted but not recorded ({}); it is closed from the click that"
                            + " decides it, and not counted before",
                    d.id(),
                    e.toString());
        }
    }

    /**
     * An approver's decision, told in the thread before what it lets happen (the preflight and the canary follow an
     * approval at once), and on the approval request, edited once per decision: the count and who approved while more
     * approvals are needed, the outcome where the buttons were once it is decided. The request is found in the
     * database, so a restarted bot (or another replica) writes on the card it did not post.
     */
    private void approvalCounted(DeployNotice.ApprovalCounted c, ThreadRef thread) {
        var a = c.approval();
        var outcome = EscalationMessages.decided(
                a.decision(), a.approver(), EscalationMessages.tally(a.decision(), c.approvals(), c.required()));
        web.reply(thread, SlackMessage.text(outcome)).join();
        var found = card(c.deploy());
        if (found.isEmpty()) {
            return;
        }
        var posted = found.get();
        if (a.decision() == Approval.Decision.REJECT || c.approvals() >= c.required()) {
            close(posted, outcome);
        } else {
            count(c.deploy().id(), posted);
        }
    }

    /**
     * Writes on the request who approved so far, as the database has it when it is written: another replica may be
     * counting a later approval at the same time, and the last count written must not be an earlier one. Each count
     * written is checked against the database again: a later approval, or the decision, may have been written before
     * it landed, and would otherwise be hidden by it (a decided request with its buttons back).
     */
    private void count(long deployId, DeployThreads.PostedCard posted) {
        var required = posted.card().requiredApprovals();
        List<String> written = null;
        for (int writes = 0; ; writes++) {
            var ended = ended(deployId, required);
            if (ended.isPresent()) {
                if (written != null) {
                    // the decision's own notice may have closed the request before this count landed on it
                    close(posted, ended.get());
                }
                return; // nothing written over it: the decision's notice closes the request
            }
            var approvedBy = approvedBy(deployId);
            if (approvedBy.equals(written)) {
                return;
            }
            if (writes == MAX_COUNTS) {
                log.warn("Deploy {}: its approvals kept changing while they were counted on its request", deployId);
                return;
            }
            var message = posted.message();
            web.update(message.channel(), message.ts(), EscalationMessages.request(posted.card(), approvedBy))
                    .join();
            written = approvedBy;
        }
    }

    /** Who approved the deploy so far, in order. */
    private List<String> approvedBy(long deployId) {
        return deploys.approvals(deployId).stream()
                .filter(a -> a.decision() == Approval.Decision.APPROVE)
                .map(Approval::approver)
                .toList();
    }

    /**
     * How the request ended, as the database has it, if it has: decided by its approvals (in the words of the
     * deciding approval's own notice), stopped by a person (in the words of the stop's notice), or no longer waiting
     * for them.
     */
    private Optional<String> ended(long deployId, int required) {
        var decided = EscalationMessages.decidedBy(deploys.approvals(deployId), required);
        if (decided.isPresent()) {
            return decided;
        }
        var deploy = deploys.find(deployId).filter(d -> d.state() != DeployState.AWAITING_APPROVAL);
        if (deploy.isEmpty()) {
            return Optional.empty();
        }
        var stoppedBy = deploys.transitions(deployId).stream()
                .filter(t -> t.from() == DeployState.AWAITING_APPROVAL && t.to() == DeployState.FAILED)
                .filter(t -> !t.actor().equals("engine"))
                .findFirst();
        return Optional.of(stoppedBy
                .map(t -> EscalationMessages.stopped(t.actor(), deploy.get().service()))
                .orElseGet(() -> EscalationMessages.ended(deploy.get().state())));
    }

    private void close(DeployThreads.PostedCard posted, String outcome) {
        var message = posted.message();
        web.update(message.channel(), message.ts(), EscalationMessages.closed(posted.card(), outcome))
                .join();
    }

    /** The deploy's approval card as it was recorded when posted; empty (and said so) when none was. */
    private Optional<DeployThreads.PostedCard> card(Deploy d) {
        var card = threads.card(d.id());
        if (card.isEmpty()) {
            log.warn("Deploy {}: no approval card recorded; a decision closes it from its click", d.id());
        }
        return card;
    }

    private void rolledBack(DeployNotice.RolledBack r, ThreadRef thread) {
        var d = r.deploy();
        // A person's rollback has no evidence: say who asked, not empty figures.
        var requestedBy = r.cause() instanceof RollbackCause.Requested asked
                ? Optional.of(asked)
                : Optional.<RollbackCause.Requested>empty();
        var why = r.evidence().isEmpty()
                ? requestedBy
                        .map(asked -> "Requested by " + DeployMessages.requester(asked.by()) + " with "
                                + RollbackMessages.how(asked, d.service()) + ".")
                        .orElse(Mrkdwn.escape(r.reason()))
                : "";
        web.reply(
                        thread,
                        DeployMessages.decision(
                                DeployViews.of(d, deploys),
                                new Verdict.Rollback(secondsInCanary(d), r.evidence()),
                                why))
                .join();
        var notice = new RollbackNotice(
                d.id(),
                d.service(),
                d.version(),
                d.environment(),
                r.evidence().isEmpty()
                        ? Optional.empty()
                        : Optional.of(r.evidence().getFirst()),
                r.evidence().isEmpty()
                        ? List.of()
                        : r.evidence().subList(1, r.evidence().size()),
                r.judged(),
                r.reason(),
                r.evidence().isEmpty() ? requestedBy : Optional.empty(),
                Optional.of("#" + r.incident().id()),
                web.permalink(thread).join(),
                r.blockedUntil());
        var message = RollbackMessages.broadcast(notice);
        web.broadcast(thread, message).join();
        // an automatic rollback also reaches the service's on-call channel, when it has one of its own
        var spec = catalog.get().service(d.service());
        var oncall = spec.flatMap(ServiceSpec::oncallChannel)
                .filter(c -> !c.equals(thread.channel()) && !c.equals(spec.get().channel()));
        if (requestedBy.isEmpty() && oncall.isPresent()) {
            web.post(oncall.get(), message).join();
        }
    }

    private void updateParent(Deploy d, ThreadRef thread) {
        // Re-read: notices are delivered after the fact, and the parent should show where the deploy is now.
        var now = deploys.find(d.id()).orElse(d);
        web.update(thread.channel(), thread.ts(), DeployMessages.parent(DeployViews.of(now, deploys)))
                .join();
    }

    /** Who promoted a paused canary ("Promoted by <@U1> after the pause."), or nothing when the analysis did. */
    private String promotedBy(Deploy d) {
        return deploys.transitions(d.id()).stream()
                .filter(t -> t.to() == DeployState.PROMOTING)
                .reduce((a, b) -> b)
                .filter(t -> !t.actor().equals("engine"))
                .map(t -> PauseMessages.decided(PauseDecision.Choice.PROMOTE, t.actor()) + ".")
                .orElse("");
    }

    private long secondsInCanary(Deploy d) {
        return deploys.transitions(d.id()).stream()
                .filter(t -> t.to() == DeployState.CANARY)
                .findFirst()
                .map(t -> Math.max(0, Duration.between(t.at(), d.updatedAt()).toSeconds()))
                .orElse(0L);
    }

    private static List<PreflightCheckView> checks(List<CheckResult> results) {
        return results.stream()
                .map(r -> switch (r) {
                    case CheckResult.Pass p -> new PreflightCheckView(p.check(), true, p.note());
                    case CheckResult.Block b ->
                        new PreflightCheckView(
                                b.check(),
                                false,
                                b.reason() + (b.unblock().isBlank() ? "" : " (to unblock: " + b.unblock() + ")"),
                                b.people());
                })
                .toList();
    }

    /** The change in a few words, from the build's announced metadata: files, lines added and deleted. */
    static String whatChanged(Optional<AnnouncedBuild> build) {
        if (build.isEmpty()) {
            return "No build announced this version (emergency deploy): no change metadata.";
        }
        JsonNode change;
        try {
            change = JSON.readTree(build.get().changeJson());
        } catch (Exception e) {
            return "";
        }
        var parts = new ArrayList<String>();
        var files = new ArrayList<String>();
        change.path("files").forEach(f -> files.add(f.asText()));
        int shown = Math.min(files.size(), 5);
        if (!files.isEmpty()) {
            parts.add(Numbers.count(files.size(), "file", "files") + ": " + String.join(", ", files.subList(0, shown))
                    + (files.size() > shown ? ", and " + (files.size() - shown) + " more" : ""));
        } else if (change.has("nf")) {
            parts.add(Numbers.count(change.path("nf").asLong(), "file", "files"));
        }
        if (change.has("la") || change.has("ld")) {
            parts.add("+" + change.path("la").asLong() + " / -"
                    + change.path("ld").asLong() + " lines");
        }
        parts.add("commit " + build.get().commitSha() + ", build " + build.get().buildId() + ", CI "
                + build.get().ciStatus());
        return String.join("\n", parts);
    }

    private static String kind(DeployNotice n) {
        return n.getClass().getSimpleName();
    }
}
