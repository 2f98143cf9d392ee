package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.commands.DeployCommand;
import io.harbormaster.bot.slack.messages.DeployView;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.PauseDecision;
import io.harbormaster.engine.rollout.Revert;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Slack front end asks of the deploy pipeline. The pipeline implements it; every method returns quickly
 * with a plain outcome (the rollout itself runs elsewhere) and is called off Slack's request thread, after the ack.
 * An {@code idempotencyKey} is the same for redeliveries of the same request, so a retry never starts a second deploy.
 */
public interface DeployDesk {

    /** Takes a deploy request: intake, then scoring and the rest asynchronously. */
    RequestOutcome requestDeploy(
            DeployCommand.Deploy command, SlackUser requester, String channel, String idempotencyKey);

    /**
     * The deploy's thread exists: the pipeline posts its phase replies there and updates the parent message. Called
     * once per accepted deploy, after the parent message was posted (not at all if Slack could not take it).
     */
    default void threadOpened(long deployId, ThreadRef thread) {}

    /**
     * The deploy's thread, when it has one: every button that names the deploy is posted in it, so a click elsewhere
     * that names it (a value that is not the one the bot posted there) is refused. Empty: not known, nothing checked.
     */
    default Optional<ThreadRef> thread(long deployId) {
        return Optional.empty();
    }

    /**
     * The deploys in flight, then each service's last finished one (its outcome and when), for one service or all.
     */
    List<DeployView> status(Optional<String> service);

    /**
     * For each service (or the one asked for) whose last finished deploy was not promoted (rolled back, failed,
     * rejected, expired), its latest promoted deploy: the version Harbormaster last put in place, which still runs
     * unless someone changed the cluster since. A service with no promotion has no entry.
     */
    default Map<String, DeployView> lastPromoted(Optional<String> service) {
        return Map.of();
    }

    /**
     * What holds deploys back now (locks, automatic-deploy blocks, freezes, open incidents of dependencies), for one
     * service or every one; for one service, also its dependents that its own open incidents hold back.
     */
    default List<ServiceHold> holds(Optional<String> service) {
        return List.of();
    }

    /**
     * {@code /deploy rollback}: stops the service's deploy in flight, or with nothing in flight reverts its latest
     * promotion ({@link ActionOutcome.Started}).
     */
    ActionOutcome rollback(DeployCommand.Rollback command, SlackUser who, String channel, String idempotencyKey);

    ActionOutcome lock(DeployCommand.Lock command, SlackUser who, String channel);

    /**
     * {@code /deploy resolve}: an approver of the incident's service resolves it ({@link ActionOutcome.Done}, told in
     * the channel); resolved before ({@link ActionOutcome.Duplicate}, told to the person with by whom), or refused.
     */
    default ActionOutcome resolve(DeployCommand.Resolve command, SlackUser who, String channel) {
        return new ActionOutcome.Refused("Incidents cannot be resolved here.");
    }

    ActionOutcome unlock(DeployCommand.Unlock command, SlackUser who, String channel);

    /**
     * An Approve or Reject click on an escalated deploy. The desk authorizes the clicker (approver group, not the
     * author or requester) and counts approvals; the front end only reports what it answers.
     */
    DecisionOutcome decide(long deployId, SlackUser clicker, Approval.Decision decision, String idempotencyKey);

    /**
     * A Promote anyway or Roll back click on a canary paused for a human. The pipeline authorizes the clicker as for
     * approvals (approver group, not the author or requester) and takes the decision once.
     */
    PauseOutcome decidePause(long deployId, SlackUser clicker, PauseDecision.Choice choice);

    /**
     * A Mark reviewed click, or {@code /deploy review <id>}, on an emergency deploy that has ended. The pipeline
     * authorizes the reviewer as for approvals (approver group, not the author or requester) and records it once.
     */
    ReviewOutcome review(long deployId, SlackUser reviewer);

    /**
     * Emergency deploys that have ended and wait for their review, for one service or all: the {@code shown} longest
     * waiting, each with its thread when it has one, and how many wait in all (only the shown ones are looked up
     * further, however many wait).
     */
    default ReviewWaits awaitingReview(Optional<String> service, int shown) {
        return new ReviewWaits(List.of(), 0);
    }

    /** An emergency deploy waiting for its review, and its thread when it has one. */
    record ReviewWait(DeployView deploy, Optional<ThreadRef> thread) {}

    /** The first emergency deploys waiting for their review, and how many wait in all. */
    record ReviewWaits(List<ReviewWait> first, int total) {}

    /** What became of a review. */
    sealed interface ReviewOutcome {
        /**
         * Recorded (and audited): {@code outcome} (who reviewed {@code deploy}, and when) replaces the review
         * request's button.
         */
        record Reviewed(String deploy, String outcome) implements ReviewOutcome {}

        /** Reviewed before, by whoever: {@code outcome} says by whom and when, and nothing new was recorded. */
        record AlreadyReviewed(String deploy, String outcome) implements ReviewOutcome {}

        /** Not allowed: told only to the reviewer, with who may. */
        record Refused(String reason) implements ReviewOutcome {}

        /** Nothing to review (no such deploy, not an emergency deploy, not ended yet): told only to the person. */
        record NotReviewable(String reason) implements ReviewOutcome {}
    }

    /** What became of a Promote anyway or Roll back click. */
    sealed interface PauseOutcome {
        /** Taken: the paused message's buttons are replaced by {@code outcome} (who decided what). */
        record Decided(String outcome) implements PauseOutcome {}

        /**
         * The deploy no longer waits (decided, rolled back or resumed meanwhile): {@code reason} is told to the
         * clicker, and the buttons are replaced by how the pause ended ({@code outcome}).
         */
        record NoLongerWaiting(String reason, String outcome) implements PauseOutcome {}

        /** Not allowed: told only to the clicker, who may decide. */
        record Refused(String reason) implements PauseOutcome {}
    }

    /** What became of a deploy request. */
    sealed interface RequestOutcome {
        /** A new deploy: the front end posts its parent message and opens its thread. */
        record Accepted(DeployView deploy) implements RequestOutcome {}

        /**
         * The same request arrived before, or the same version is in flight; nothing new started. {@code revert}: what
         * the deploy reverts, when it is a revert that puts the version asked for back.
         */
        record Duplicate(DeployView deploy, Optional<ThreadRef> thread, Optional<Revert> revert)
                implements RequestOutcome {
            /** A deploy that is not a revert. */
            public Duplicate(DeployView deploy, Optional<ThreadRef> thread) {
                this(deploy, thread, Optional.empty());
            }
        }

        /**
         * Nothing started, for this reason (a person can act on it); {@code people}: the Slack members it names (who
         * holds a lock), shown as mentions.
         */
        record Refused(String reason, List<String> people) implements RequestOutcome {
            public Refused(String reason) {
                this(reason, List.of());
            }
        }
    }

    /** What became of a rollback, lock or unlock. */
    sealed interface ActionOutcome {
        /**
         * Done: {@code announcement} is posted for everyone, in {@code thread} when given, else in the channel the
         * command came from.
         */
        record Done(String announcement, Optional<ThreadRef> thread, List<String> people) implements ActionOutcome {
            /** ... naming no one: {@code people} are the Slack members the announcement names, shown as mentions. */
            public Done(String announcement, Optional<ThreadRef> thread) {
                this(announcement, thread, List.of());
            }
        }

        /**
         * A deploy was started for it (a revert of the service's latest promotion): the front end posts its parent
         * message in the channel the command came from and opens its thread, with {@code firstReply}, as for an
         * accepted deploy request.
         */
        record Started(DeployView deploy, SlackMessage firstReply) implements ActionOutcome {}

        /**
         * Already done by an earlier delivery, or by someone else; told only to the person. {@code people}: the Slack
         * members the note names (who resolved an incident), shown as mentions.
         */
        record Duplicate(String note, List<String> people) implements ActionOutcome {
            public Duplicate(String note) {
                this(note, List.of());
            }
        }

        /** Not done, for this reason; {@code people}: the Slack members it names, shown as mentions. */
        record Refused(String reason, List<String> people) implements ActionOutcome {
            public Refused(String reason) {
                this(reason, List.of());
            }
        }
    }

    /** What became of an Approve or Reject click. */
    sealed interface DecisionOutcome {
        /**
         * Counted, but the escalation needs more approvals: the buttons stay. (The notifier tells the count, in the
         * thread and on the request.)
         */
        record Recorded(String note) implements DecisionOutcome {}

        /**
         * The escalation is decided ({@code note}: what it means). The notifier tells it in the thread. When the
         * request is kept with the deploy ({@code cardKept}) the notifier also replaces its buttons by the outcome;
         * when it is not (posted before requests were kept, or its record was not saved or cannot be read), the front
         * end does it on the clicked message.
         */
        record Settled(Approval.Decision decision, String note, boolean cardKept) implements DecisionOutcome {}

        /**
         * Not counted (not an approver, own change, expired, no longer waiting...): told only to the clicker;
         * {@code people}: the Slack members the reason names (who stopped or rejected the deploy), shown as mentions.
         */
        record Refused(String reason, List<String> people) implements DecisionOutcome {
            public Refused(String reason) {
                this(reason, List.of());
            }
        }

        /** The same click arrived before. */
        record Duplicate(String note) implements DecisionOutcome {}
    }
}
