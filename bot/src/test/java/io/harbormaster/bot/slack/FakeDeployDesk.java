package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.DeployState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A deploy desk that remembers what it was asked and answers like a simple pipeline. */
final class FakeDeployDesk implements DeployDesk {
    record Request(DeployCommand.Deploy command, SlackUser requester, String channel, String key) {}

    record Decision(long deployId, SlackUser clicker, Approval.Decision decision, String key) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Decision> decisions = new CopyOnWriteArrayList<>();
    final List<Object> otherCalls = new CopyOnWriteArrayList<>();
    /** Whether a decided request is kept with its deploy (closed by the notifier) or left to the front end to close. */
    volatile boolean cardKept = true;

    final Map<Long, ThreadRef> threads = new ConcurrentHashMap<>();
    final Map<String, Long> byKey = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(41);

    @Override
    public RequestOutcome requestDeploy(DeployCommand.Deploy command, SlackUser requester, String channel, String key) {
        requests.add(new Request(command, requester, channel, key));
        if (command.version().equals("0.0.0-unannounced")) {
            return new RequestOutcome.Refused("No build announced checkout 0.0.0-unannounced.");
        }
        var known = byKey.get(key);
        if (known != null) {
            return new RequestOutcome.Duplicate(
                    view(known, command, requester), Optional.ofNullable(threads.get(known)));
        }
        long id = ids.incrementAndGet();
        byKey.put(key, id);
        return new RequestOutcome.Accepted(view(id, command, requester));
    }

    static DeployView view(long id, DeployCommand.Deploy c, SlackUser requester) {
        return new DeployView(
                id,
                c.service(),
                c.version(),
                c.environment().orElse("production"),
                requester.id(),
                DeployState.REQUESTED,
                "scoring risk",
                c.emergency(),
                java.time.Instant.parse("2026-11-24T10:00:00Z"));
    }

    @Override
    public void threadOpened(long deployId, ThreadRef thread) {
        threads.put(deployId, thread);
    }

    @Override
    public Optional<ThreadRef> thread(long deployId) {
        return Optional.ofNullable(threads.get(deployId));
    }

    @Override
    public List<DeployView> status(Optional<String> service) {
        otherCalls.add(service);
        return List.of();
    }

    @Override
    public ActionOutcome rollback(DeployCommand.Rollback command, SlackUser who, String channel, String key) {
        otherCalls.add(command);
        return new ActionOutcome.Done("Rolling back " + command.service(), Optional.empty());
    }

    @Override
    public ActionOutcome lock(DeployCommand.Lock command, SlackUser who, String channel) {
        otherCalls.add(command);
        return new ActionOutcome.Done(":lock: " + command.service() + " locked: " + command.reason(), Optional.empty());
    }

    @Override
    public ActionOutcome unlock(DeployCommand.Unlock command, SlackUser who, String channel) {
        otherCalls.add(command);
        return new ActionOutcome.Refused(command.service() + " is not locked.");
    }

    @Override
    public DecisionOutcome decide(long deployId, SlackUser clicker, Approval.Decision decision, String key) {
        decisions.add(new Decision(deployId, clicker, decision, key));
        if (!clicker.id().equals("U0APPROVER")) {
            return new DecisionOutcome.Refused("Only members of approvers may decide.");
        }
        return new DecisionOutcome.Settled(decision, "preflight next", cardKept);
    }

    @Override
    public PauseOutcome decidePause(
            long deployId, SlackUser clicker, io.harbormaster.engine.rollout.PauseDecision.Choice choice) {
        otherCalls.add(choice);
        return new PauseOutcome.Refused("Only members of approvers may decide.");
    }

    /** What a review is answered with. */
    volatile ReviewOutcome review = new ReviewOutcome.Refused("Only members of approvers may review it.");

    @Override
    public ReviewOutcome review(long deployId, SlackUser reviewer) {
        otherCalls.add("review " + deployId);
        return review;
    }

    int calls() {
        return requests.size() + decisions.size() + otherCalls.size();
    }
}
