package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.bot.slack.messages.EscalationMessages;
import io.harbormaster.bot.slack.messages.PauseMessages;
import io.harbormaster.bot.slack.messages.RevertMessages;
import io.harbormaster.bot.slack.messages.ReviewMessages;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.policy.CommandPolicy;
import io.harbormaster.engine.policy.PolicyStore;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.engine.policy.ServiceSpec;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.Decision;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.IncidentResolution;
import io.harbormaster.engine.rollout.PauseDecision;
import io.harbormaster.engine.rollout.PipelineSettings;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Revert;
import io.harbormaster.engine.rollout.ReviewDecision;
import io.harbormaster.engine.rollout.Submission;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The deploy desk backed by the real pipeline: Slack commands become pipeline submissions, rollbacks, locks and
 * decisions. Every method returns once the request is stored; {@code nudge} gets the rollout moving at once.
 */
public final class PipelineDesk implements DeployDesk {
    /** How many recent rollback keys are remembered to recognise a redelivered command. */
    private static final int REMEMBERED_KEYS = 1000;

    private final DeployPipeline pipeline;
    private final DeployStore deploys;
    private final PolicyStore policies;
    private final AuditLog audit;
    private final DeployThreads threads;
    private final PipelineSettings settings;
    private final LongConsumer nudge;
    private final Clock clock;
    /**
     * Rollback requests by key that the store does not answer: one still being handled here (a redelivery at the same
     * moment), or refused (the store records only the rollbacks it took, so a redelivery would be refused, and audited,
     * again). A request that fails is forgotten, so that its retry is handled anew.
     */
    private final Map<String, Optional<ActionOutcome.Refused>> rollbackKeys = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<ActionOutcome.Refused>> eldest) {
            return size() > REMEMBERED_KEYS;
        }
    };

    /**
     * @param nudge advances a deploy soon, off the caller's thread (the pipeline runner's {@code nudge})
     */
    public PipelineDesk(
            DeployPipeline pipeline,
            DeployStore deploys,
            PolicyStore policies,
            AuditLog audit,
            DeployThreads threads,
            PipelineSettings settings,
            LongConsumer nudge,
            Clock clock) {
        this.pipeline = pipeline;
        this.deploys = deploys;
        this.policies = policies;
        this.audit = audit;
        this.threads = threads;
        this.settings = settings;
        this.nudge = nudge;
        this.clock = clock;
    }

    @Override
    public RequestOutcome requestDeploy(
            DeployCommand.Deploy command, SlackUser requester, String channel, String idempotencyKey) {
        var details = new LinkedHashMap<String, Object>();
        details.put("version", command.version());
        details.put("emergency", command.emergency());
        var refused = refusal(CommandPolicy.Command.DEPLOY, command.service(), requester, details);
        if (refused.isPresent()) {
            return new RequestOutcome.Refused(refused.get());
        }
        // One instance deploys to one environment (its cluster): `to <other>` is refused, never deployed here.
        var here = pipeline.environment();
        if (command.environment().isPresent() && !command.environment().get().equals(here)) {
            return new RequestOutcome.Refused(elsewhere(command, here));
        }
        var lock = policies.lockOf(command.service());
        if (lock.isPresent()) {
            var l = lock.get();
            var approvers = pipeline.catalog()
                    .service(command.service())
                    .map(ServiceSpec::approverGroup)
                    .orElse("the approvers");
            return new RequestOutcome.Refused(
                    command.service() + " is locked by " + l.lockedBy() + ": " + l.shownReason()
                            + ". Nothing was started; "
                            + l.lockedBy() + " or a member of *" + approvers + "* lifts the lock with `/deploy unlock "
                            + command.service() + "`.",
                    List.of(l.lockedBy()));
        }
        var request = new DeployRequest(
                idempotencyKey,
                RequestSource.SLACK,
                command.service(),
                command.version(),
                here,
                requester.id(),
                command.emergency(),
                CanonicalJson.of(Map.of("channel", channel, "user", requester.id())),
                clock.instant());
        return switch (pipeline.submit(request)) {
            case Submission.Accepted a
            when a.duplicate() ->
                new RequestOutcome.Duplicate(
                        DeployViews.of(a.deploy(), deploys),
                        threads.find(a.deploy().id()),
                        revertOf(a.deploy()));
            case Submission.Accepted a -> {
                nudge.accept(a.deploy().id());
                yield new RequestOutcome.Accepted(
                        DeployViews.of(a.deploy(), requester.id(), "request received; scoring risk next"));
            }
            case Submission.Refused r -> new RequestOutcome.Refused(r.reason(), r.people());
        };
    }

    /**
     * Why a deploy that names an environment other than this instance's is refused, and what to type instead. A
     * service's namespace, or a short form of this instance's environment ({@code to prod} on production), is a
     * slip, not a request for another cluster: the answer says how environment and namespace are chosen (neither is
     * typed) and gives the command without {@code to}.
     */
    private String elsewhere(DeployCommand.Deploy command, String here) {
        var there = command.environment().orElseThrow();
        var without = "`/deploy " + command.service() + " " + command.version()
                + (command.emergency() ? " --emergency" : "") + "`";
        var namespace = pipeline.catalog().service(command.service()).map(ServiceSpec::namespace);
        if (namespace.isPresent() && namespace.get().equals(there)) {
            return "`" + there + "` is the Kubernetes namespace of " + command.service() + ", not an environment:"
                    + " harbormaster.yml gives each service its namespace (`services." + command.service()
                    + ".namespace`), and this Harbormaster deploys to *" + here + "* only. Nothing was started. Did you"
                    + " mean " + without + "?";
        }
        if (DeployCommandParser.meant(there, Set.of(here)).isPresent()) {
            return "`" + there + "` is not the name of this Harbormaster's environment, so nothing was started. It"
                    + " deploys to *" + here + "* only (its `defaults.environment`), and " + command.service()
                    + " into the namespace harbormaster.yml gives it"
                    + namespace.map(n -> " (`" + n + "`)").orElse("")
                    + ": neither is typed, and `to` may be left out. Did you mean " + without + "?";
        }
        return "This Harbormaster deploys to *" + here + "* only, so nothing was started: deploy to " + there
                + " with the Harbormaster instance of " + there + ". " + without + " (without `to`) deploys to " + here
                + ".";
    }

    @Override
    public void threadOpened(long deployId, ThreadRef thread) {
        threads.opened(deployId, thread);
    }

    @Override
    public Optional<ThreadRef> thread(long deployId) {
        return threads.find(deployId);
    }

    @Override
    public List<DeployView> status(Optional<String> service) {
        // In flight first, then what each service last finished with (outcome and when): a promoted deploy remains
        // what is running until the next one ends.
        return java.util.stream.Stream.concat(deploys.inFlight().stream(), deploys.lastFinished().stream())
                .filter(d -> service.isEmpty() || service.get().equals(d.service()))
                .map(d -> DeployViews.of(d, deploys))
                .toList();
    }

    @Override
    public Map<String, DeployView> lastPromoted(Optional<String> service) {
        var out = new java.util.TreeMap<String, DeployView>();
        for (var last : deploys.lastFinished()) {
            if (last.state() == DeployState.PROMOTED
                    || service.isPresent() && !service.get().equals(last.service())) {
                continue;
            }
            deploys.promoted(last.service(), 1).stream()
                    .findFirst()
                    .ifPresent(p -> out.put(p.service(), DeployViews.of(p, deploys)));
        }
        return out;
    }

    @Override
    public List<ServiceHold> holds(Optional<String> service) {
        var now = clock.instant();
        var catalog = pipeline.catalog();
        var names = service.map(List::of)
                .orElseGet(() -> List.copyOf(catalog.services().keySet()));
        var holds = new java.util.ArrayList<ServiceHold>();
        for (var name : names) {
            policies.lockOf(name)
                    .ifPresent(l -> holds.add(new ServiceHold(
                            name,
                            ServiceHold.Kind.LOCK,
                            l.shownReason(),
                            Optional.of(l.lockedBy()),
                            Optional.of(l.lockedAt()),
                            Optional.empty())));
            policies.autoDeployBlock(name, now).ifPresent(b -> {
                // its reason names who asked for the rollback it came of
                var people = DeployViews.people(deploys, b.deployId());
                holds.add(new ServiceHold(
                                name,
                                ServiceHold.Kind.AUTO_DEPLOY_BLOCK,
                                b.reason(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.of(b.until()))
                        .naming(people));
            });
            for (var f : policies.freezesCovering(name, now)) {
                holds.add(new ServiceHold(
                        name,
                        ServiceHold.Kind.FREEZE,
                        f.reason(),
                        Optional.of(f.createdBy()),
                        Optional.of(f.startsAt()),
                        Optional.of(f.endsAt())));
            }
            catalog.freezes().stream()
                    .filter(f -> f.covers(name, now))
                    .forEach(f -> holds.add(new ServiceHold(
                            name,
                            ServiceHold.Kind.FREEZE,
                            f.reason() + " (harbormaster.yml)",
                            Optional.empty(),
                            Optional.of(f.from()),
                            Optional.of(f.to()))));
            pipeline.dependencyIncidents(name).forEach(i -> holds.add(ServiceHold.dependencyIncident(name, i)));
        }
        // asked of one service: the dependents its own open incidents hold back, so that whoever may resolve them sees
        service.ifPresent(
                s -> catalog.dependents(s).forEach(dependent -> pipeline.dependencyIncidents(dependent).stream()
                        .filter(i -> i.service().equals(s))
                        .forEach(i -> holds.add(ServiceHold.dependencyIncident(dependent, i)))));
        return holds;
    }

    @Override
    public ActionOutcome resolve(DeployCommand.Resolve command, SlackUser who, String channel) {
        return switch (pipeline.resolveIncident(command.incidentId(), who.id(), command.note())) {
            case IncidentResolution.Resolved r -> {
                var i = r.incident();
                var dependents = pipeline.catalog().dependents(i.service());
                // its summary names who asked for the rollback that opened it
                yield new ActionOutcome.Done(
                        ":white_check_mark: Incident #" + i.id() + " of " + i.service() + " (" + i.summary()
                                + ") is resolved"
                                + (command.note().isBlank()
                                        ? ""
                                        : ": " + command.note().strip())
                                + (dependents.isEmpty()
                                        ? "."
                                        : ". It no longer holds back deploys of " + String.join(", ", dependents)
                                                + "."),
                        Optional.empty(),
                        peopleOf(i));
            }
            case IncidentResolution.AlreadyResolved a ->
                new ActionOutcome.Duplicate(
                        "Incident #" + a.incident().id() + " of " + a.incident().service()
                                + " was resolved already, "
                                + a.incident()
                                        .resolvedAt()
                                        .map(t -> "at " + io.harbormaster.engine.text.Times.words(t) + ", ")
                                        .orElse("")
                                + a.incident().resolution().orElse("") + ". Nothing was changed.",
                        peopleOf(a.incident()));
            case IncidentResolution.Refused f -> new ActionOutcome.Refused(capitalized(f.reason()) + ".");
            case IncidentResolution.NotFound n -> new ActionOutcome.Refused(capitalized(n.reason()) + ".");
        };
    }

    /**
     * Who an incident's texts name: those who moved the deploy whose rollback opened it (its summary, "rollback
     * requested by U1"), and the members of the group that resolves it by hand (its resolution, "resolved by U2": only
     * they may).
     */
    private List<String> peopleOf(io.harbormaster.engine.rollout.Incident i) {
        var people = new java.util.LinkedHashSet<>(DeployViews.people(deploys, i.deployId()));
        var catalog = pipeline.catalog();
        people.addAll(catalog.members(catalog.reviewerGroup(i.service())));
        return List.copyOf(people);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public ActionOutcome rollback(DeployCommand.Rollback command, SlackUser who, String channel, String key) {
        var refused = refusal(CommandPolicy.Command.ROLLBACK, command.service(), who, Map.of());
        if (refused.isPresent()) {
            return new ActionOutcome.Refused(refused.get());
        }
        synchronized (rollbackKeys) {
            if (rollbackKeys.containsKey(key)) {
                // the same request again: its refusal is said again, not audited again
                return rollbackKeys
                        .get(key)
                        .<ActionOutcome>map(r -> r)
                        .orElseGet(() -> new ActionOutcome.Duplicate(
                                "That rollback of " + command.service() + " is being handled: its answer follows."));
            }
            rollbackKeys.put(key, Optional.empty());
        }
        ActionOutcome answer;
        try {
            answer = rollbackAnswer(command, who, key);
        } catch (RuntimeException e) {
            synchronized (rollbackKeys) {
                rollbackKeys.remove(key);
            }
            throw e;
        }
        synchronized (rollbackKeys) {
            if (answer instanceof ActionOutcome.Refused r) {
                rollbackKeys.put(key, Optional.of(r));
            } else {
                rollbackKeys.remove(key); // the store answers it from now on, on every replica
            }
        }
        return answer;
    }

    /** What the pipeline does with a rollback request, in Slack's words. */
    private ActionOutcome rollbackAnswer(DeployCommand.Rollback command, SlackUser who, String key) {
        return switch (pipeline.rollbackRequested(command.service(), who.id(), key)) {
            case Submission.Accepted a
            when a.duplicate() && revertOf(a.deploy()).isPresent() -> revertAlready(a.deploy());
            case Submission.Accepted a
            when a.duplicate() -> {
                // this request, delivered again (on this replica or another): it stopped this deploy before
                var d = a.deploy();
                yield new ActionOutcome.Duplicate(
                        "That rollback of " + command.service() + " was already taken: deploy #" + d.id() + " ("
                                + d.service() + " " + d.version() + ") " + stopped(d) + ".");
            }
            case Submission.Accepted a
            when revertOf(a.deploy()).isPresent() -> {
                nudge.accept(a.deploy().id());
                var view = DeployViews.of(a.deploy(), who.id(), "revert requested");
                yield new ActionOutcome.Started(
                        view, RevertMessages.received(view, revertOf(a.deploy()).get(), settings.autoDeployBlock()));
            }
            case Submission.Accepted a -> {
                var d = a.deploy();
                yield new ActionOutcome.Done(
                        ":rewind: Deploy #" + d.id() + " (" + d.service() + " " + d.version() + ") " + stopped(d)
                                + ", as requested",
                        threads.find(d.id()));
            }
            case Submission.Refused r -> new ActionOutcome.Refused(r.reason(), r.people());
        };
    }

    /** Where a deploy a rollback stopped is. */
    private static String stopped(Deploy d) {
        return d.state() == DeployState.ROLLED_BACK
                ? "rolled back; traffic is on the stable version"
                : d.state() == DeployState.FAILED ? "stopped before it reached the cluster" : "rolling back";
    }

    private Optional<Revert> revertOf(Deploy d) {
        return deploys.request(d.id()).flatMap(Revert::of);
    }

    /**
     * The answer to a {@code /deploy rollback} that found a revert of the service asked for already (the same request
     * again, someone's at the same moment, or one while the revert runs): which revert, who asked for it and when, and
     * what to do. Deploys waiting their turn behind a revert in flight are named, since this rollback did not stop them.
     */
    private ActionOutcome revertAlready(Deploy revert) {
        var view = DeployViews.of(revert, deploys);
        var behind = revert.state().terminal()
                ? List.<DeployView>of()
                : deploys.inFlight(revert.service()).stream()
                        .filter(d -> d.id() != revert.id())
                        .map(d -> DeployViews.of(d, deploys))
                        .toList();
        var people = new java.util.LinkedHashSet<String>();
        people.add(view.requesterId());
        behind.forEach(b -> people.add(b.requesterId()));
        return new ActionOutcome.Duplicate(
                RevertMessages.already(view, revertOf(revert), revert.createdAt(), behind), List.copyOf(people));
    }

    @Override
    public ActionOutcome lock(DeployCommand.Lock command, SlackUser who, String channel) {
        var refused =
                refusal(CommandPolicy.Command.LOCK, command.service(), who, Map.of("lock_reason", command.reason()));
        if (refused.isPresent()) {
            return new ActionOutcome.Refused(refused.get());
        }
        var existing = policies.lockOf(command.service());
        if (existing.isPresent()) {
            return alreadyLocked(existing.get(), command, who);
        }
        // Written to the audit log before it is acted on, like every decision.
        record(who, "service.locked", command.service(), "lock", Map.of("reason", command.reason()));
        var ours = new ServiceLock(command.service(), command.reason(), who.id(), clock.instant());
        var taken = policies.takeLock(ours);
        if (!taken.held().equals(ours)) {
            return alreadyLocked(taken.held(), command, who); // someone locked it in between
        }
        var inFlight = deploys.inFlight(command.service()).stream()
                .map(d -> underLock(d, taken.rollingOut()))
                .toList();
        return new ActionOutcome.Done(
                ":lock: " + command.service() + " is locked: " + ours.shownReason() + ". No new deploy of "
                        + command.service() + " starts until `/deploy unlock " + command.service() + "`."
                        + (inFlight.isEmpty() ? "" : "\n" + String.join("\n", inFlight)),
                Optional.empty());
    }

    /**
     * What a lock taken now does to {@code d}, a deploy of the service in flight, in one line. The lock is looked at
     * only by the preflight (and by a request to revert): a deploy that has not passed its preflight yet is stopped
     * there, and one past it (its canary, its promotion, a rollback, a revert) is not stopped by it. {@code d} is read
     * after the lock is stored, so one before its preflight reads the lock there. Of one in its preflight, the lock's
     * own step says which it is ({@code rollingOut}): a preflight whose checks passed claims the service's rollout in
     * one step with the lock's, refused under a lock, so the deploy that held the rollout as the lock was stored is
     * past it (its canary starts), and any other is stopped by it.
     */
    private String underLock(Deploy d, java.util.OptionalLong rollingOut) {
        var which =
                "• Deploy #" + d.id() + " (`" + d.version() + "`, " + d.state().words() + ")";
        var revert = revertOf(d);
        if (revert.isPresent()) {
            return which + ", a revert of `" + revert.get().fromVersion() + "`, goes on: the lock does not stop a"
                    + " revert under way.";
        }
        boolean pastPreflight = rollingOut.isPresent() && rollingOut.getAsLong() == d.id();
        return switch (d.state()) {
            case REQUESTED, SCORED, AWAITING_APPROVAL, APPROVED ->
                which + " will be stopped by its preflight, unless the lock is lifted before it gets there.";
            case PREFLIGHT ->
                pastPreflight
                        ? which + " goes on: its checks passed before the lock was taken, and its canary starts (to"
                                + " stop it, `/deploy rollback " + d.service() + "`)."
                        : which + " is stopped by its preflight: the lock was taken before its checks passed.";
            case CANARY ->
                which + " goes on: the lock does not stop a running canary, which the analysis still promotes or"
                        + " rolls back. To stop it, `/deploy rollback " + d.service() + "`.";
            case PROMOTING -> which + " goes on: its promotion finishes.";
            case ROLLING_BACK -> which + " goes on: its rollback finishes.";
            case REJECTED, EXPIRED, PROMOTED, ROLLED_BACK, FAILED -> which + " has ended.";
        };
    }

    private ActionOutcome alreadyLocked(ServiceLock held, DeployCommand.Lock command, SlackUser who) {
        if (held.lockedBy().equals(who.id())) {
            return held.reason().equals(command.reason())
                    ? new ActionOutcome.Duplicate(
                            command.service() + " is already locked by you: " + held.shownReason())
                    : new ActionOutcome.Refused(command.service() + " is already locked by you (" + held.shownReason()
                            + "); unlock it first to change the reason.");
        }
        // someone else's lock: say who may lift it (CommandPolicy.unlock), so nobody is sent to unlock it in vain
        var approvers = pipeline.catalog()
                .service(command.service())
                .map(spec -> " or a member of *" + spec.approverGroup() + "*")
                .orElse("");
        return new ActionOutcome.Refused(
                command.service() + " is already locked by " + held.lockedBy() + " (" + held.shownReason() + "); only "
                        + held.lockedBy() + approvers + " may unlock it.",
                List.of(held.lockedBy()));
    }

    @Override
    public ActionOutcome unlock(DeployCommand.Unlock command, SlackUser who, String channel) {
        var existing = policies.lockOf(command.service());
        if (existing.isEmpty()) {
            var refused = refusal(CommandPolicy.Command.UNLOCK, command.service(), who, Map.of());
            return new ActionOutcome.Refused(refused.orElse(command.service() + " is not locked."));
        }
        var was = existing.get();
        var catalog = pipeline.catalog();
        var spec = catalog.service(command.service());
        var as = "anyone";
        if (spec.isPresent()) {
            switch (CommandPolicy.unlock(catalog, spec.get(), was, who.id())) {
                case CommandPolicy.Verdict.Refused r -> {
                    var reasoning = lockFacts(was);
                    reasoning.put("reason", r.reason());
                    reasoning.put("allowed_groups", r.groups());
                    record(who, "unlock.refused", command.service(), "refused", reasoning);
                    return new ActionOutcome.Refused(r.reason(), List.of(was.lockedBy()));
                }
                case CommandPolicy.Verdict.Allowed a -> as = a.as();
            }
        }
        // Written before it is acted on; whose lock it was, and as whom it was lifted, stay in the log.
        var reasoning = lockFacts(was);
        reasoning.put("unlocked_as", as);
        record(who, "service.unlocked", command.service(), "unlock", reasoning);
        var removed = policies.unlock(command.service());
        if (removed.isPresent() && !removed.get().equals(was)) {
            // Someone unlocked and locked it again in between: that new lock was not the one allowed to be lifted.
            policies.lock(removed.get());
            return new ActionOutcome.Refused(
                    command.service() + " was unlocked and locked again meanwhile (by "
                            + removed.get().lockedBy() + ": " + removed.get().shownReason() + "); it stays locked. Try"
                            + " again if you still mean to lift it.",
                    List.of(removed.get().lockedBy()));
        }
        return new ActionOutcome.Done(
                ":unlock: " + command.service() + " is unlocked (it was locked by " + was.lockedBy() + ": "
                        + was.shownReason() + ").",
                Optional.empty(),
                List.of(was.lockedBy()));
    }

    private static LinkedHashMap<String, Object> lockFacts(ServiceLock lock) {
        var facts = new LinkedHashMap<String, Object>();
        facts.put("lock_reason", lock.reason());
        facts.put("locked_by", lock.lockedBy());
        facts.put("locked_at", lock.lockedAt().toString());
        return facts;
    }

    /**
     * Why {@code who} may not run {@code command} on {@code service}, audited as {@code <command>.refused} with
     * {@code details}; empty when they may (or the service is unknown, which is answered as before).
     */
    private Optional<String> refusal(
            CommandPolicy.Command command, String service, SlackUser who, Map<String, Object> details) {
        var catalog = pipeline.catalog();
        var spec = catalog.service(service);
        if (spec.isEmpty()
                || !(CommandPolicy.check(catalog, spec.get(), who.id(), command)
                        instanceof CommandPolicy.Verdict.Refused r)) {
            return Optional.empty();
        }
        var reasoning = new LinkedHashMap<String, Object>(details);
        reasoning.put("reason", r.reason());
        reasoning.put("allowed_groups", r.groups());
        record(who, command.id() + ".refused", service, "refused", reasoning);
        return Optional.of(r.reason());
    }

    @Override
    public DecisionOutcome decide(long deployId, SlackUser clicker, Approval.Decision decision, String key) {
        var earlier = deploys.approvals(deployId).stream()
                .filter(a -> a.approver().equals(clicker.id()))
                .findFirst();
        if (earlier.isPresent()) {
            return duplicate(earlier.get());
        }
        // A click that passed the look above can still come second: the other request of a double click, taken at
        // the same moment by this replica or another one. The pipeline tells it so, and it is answered the same way.
        return switch (pipeline.decide(deployId, clicker.id(), decision, "")) {
            case Decision.AlreadyDecided a -> duplicate(a.first());
            case Decision.Refused r -> new DecisionOutcome.Refused(r.reason(), DeployViews.people(deploys, deployId));
            case Decision.Counted c
            when c.deploy().state() == DeployState.AWAITING_APPROVAL ->
                new DecisionOutcome.Recorded(EscalationMessages.tally(decision, c.approvals(), c.required()));
            case Decision.Counted c
            when c.deploy().state() == DeployState.REJECTED ->
                new DecisionOutcome.Settled(
                        Approval.Decision.REJECT,
                        EscalationMessages.tally(Approval.Decision.REJECT, c.approvals(), c.required()),
                        threads.card(deployId).isPresent());
            case Decision.Counted c -> {
                nudge.accept(deployId);
                yield new DecisionOutcome.Settled(
                        Approval.Decision.APPROVE,
                        EscalationMessages.tally(Approval.Decision.APPROVE, c.approvals(), c.required()),
                        threads.card(deployId).isPresent());
            }
        };
    }

    @Override
    public PauseOutcome decidePause(long deployId, SlackUser clicker, PauseDecision.Choice choice) {
        return switch (pipeline.decidePause(deployId, clicker.id(), choice)) {
            case PauseDecision.Taken t -> {
                nudge.accept(deployId); // a promotion or rollback this replica could not drive goes on soon
                yield new PauseOutcome.Decided(PauseMessages.decided(choice, clicker.id()));
            }
            case PauseDecision.NotWaiting n -> new PauseOutcome.NoLongerWaiting(n.reason(), pauseEnded(n.deploy()));
            case PauseDecision.Refused r -> new PauseOutcome.Refused(r.reason());
        };
    }

    @Override
    public ReviewOutcome review(long deployId, SlackUser reviewer) {
        return switch (pipeline.review(deployId, reviewer.id())) {
            case ReviewDecision.Recorded r ->
                new ReviewOutcome.Reviewed(
                        which(r.deploy()),
                        ReviewMessages.reviewedBy(r.review(), r.deploy().updatedAt()));
            case ReviewDecision.AlreadyReviewed a ->
                new ReviewOutcome.AlreadyReviewed(
                        which(a.deploy()),
                        ReviewMessages.reviewedBy(a.first(), a.deploy().updatedAt()));
            case ReviewDecision.Refused r -> new ReviewOutcome.Refused(r.reason());
            case ReviewDecision.NotReviewable n -> new ReviewOutcome.NotReviewable(n.reason());
        };
    }

    @Override
    public ReviewWaits awaitingReview(Optional<String> service, int shown) {
        var waiting = deploys.awaitingReview().stream()
                .filter(d -> service.isEmpty() || service.get().equals(d.service()))
                .toList();
        var first = waiting.stream()
                .limit(shown)
                .map(d -> new ReviewWait(DeployViews.of(d, deploys), threads.find(d.id())))
                .toList();
        return new ReviewWaits(first, waiting.size());
    }

    private static String which(Deploy d) {
        return "Deploy #" + d.id() + " (" + d.service() + " " + d.version() + ")";
    }

    /**
     * How a deploy's last pause ended, from its first move after it ({@link PauseMessages#ended}), or else the state the
     * deploy is in.
     */
    private String pauseEnded(Deploy d) {
        var transitions = deploys.transitions(d.id());
        var lastPause = transitions.stream()
                .filter(t -> t.reason().startsWith("paused: "))
                .reduce((a, b) -> b);
        return lastPause
                .flatMap(p -> PauseMessages.ended(transitions, p.ordinal()))
                .orElseGet(() -> EscalationMessages.ended(d.state()));
    }

    private static DecisionOutcome duplicate(Approval first) {
        return new DecisionOutcome.Duplicate("You already "
                + (first.decision() == Approval.Decision.APPROVE ? "approved" : "rejected") + " deploy #"
                + first.deployId() + "; your first decision stands.");
    }

    private void record(SlackUser who, String action, String service, String decision, Map<String, ?> reasoning) {
        audit.append(new AuditRecord(
                clock.instant(),
                who.id(),
                action,
                "",
                service,
                "",
                decision,
                CanonicalJson.of(reasoning),
                settings.engineVersion(),
                settings.policyVersion()));
    }
}
