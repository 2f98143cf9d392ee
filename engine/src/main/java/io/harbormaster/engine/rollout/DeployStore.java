package io.harbormaster.engine.rollout;

import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.IntervalSample;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The engine's port to deploys, their transitions and their approvals. A store that keeps an {@link EventOutbox} records
 * the {@link DeployEvent} of every deploy it creates ({@link #intake}) and of every transition ({@link #transition},
 * {@link #recordDecision}) in the same transaction as the change.
 */
public interface DeployStore {
    /**
     * Stores a request and creates its deploy in state {@link DeployState#REQUESTED}, or, when a request with the same
     * idempotency key was stored before (also by a concurrent caller), returns that one's deploy and creates nothing.
     * Nothing in flight is taken for a repeat of it: {@link #intake(DeployRequest, BiPredicate)} with no deploy
     * repeated.
     */
    default Intake intake(DeployRequest request) {
        return intake(request, (d, r) -> false);
    }

    /**
     * Stores a request and creates its deploy, unless it repeats one: one step, taken for one request at a time per
     * service across every replica sharing the store, so that of two requests for the same deploy at the same moment
     * (on one replica or two) one creates it and the other is given it. In that step, in order: the first of the
     * service's deploys in flight, oldest first, that {@code repeats} accepts (given the deploy and the request it was
     * created for) is the one the request repeats ({@link Intake.AlreadyInFlight}); a request with the same
     * idempotency key stored before is the one it repeats ({@link Intake.Duplicate}); otherwise the request is stored
     * and its deploy created in state {@link DeployState#REQUESTED} ({@link Intake.Created}). What counts as a repeat
     * is the engine's rule ({@link DeployPipeline#repeats} for an ordinary request; for a revert, anything of the
     * service in flight): the store only applies it, to the service's deploys in flight as they are then.
     */
    Intake intake(DeployRequest request, BiPredicate<Deploy, DeployRequest> repeats);

    Optional<Deploy> find(long deployId);

    /** The deploy a request with this idempotency key created, if one was stored. */
    Optional<Deploy> forKey(String idempotencyKey);

    /** The request a deploy was created for. */
    Optional<DeployRequest> request(long deployId);

    /** Deploys that have not reached a terminal state, oldest first (what a restarted engine must pick up). */
    List<Deploy> inFlight();

    /** {@link #inFlight()} of one service only. */
    default List<Deploy> inFlight(String service) {
        return inFlight().stream().filter(d -> d.service().equals(service)).toList();
    }

    /**
     * For every service, the deploy that ended most recently (the latest {@link Deploy#updatedAt()} among those in a
     * terminal state, the larger id on a tie), ordered by service: what each service last finished with.
     */
    List<Deploy> lastFinished();

    /**
     * {@link #lastFinished()} of one service only: the deploy of {@code service} that ended most recently, if one has.
     * Asked for one service (a {@code /deploy rollback} moments after a person stopped its deploy), the store looks at
     * that service's deploys alone, not at every service's latest.
     */
    Optional<Deploy> lastFinished(String service);

    /**
     * The latest {@code limit} deploys of {@code service} that were promoted, newest first (by when they were promoted,
     * the larger id on a tie): what a revert of the latest promotion goes back from.
     */
    List<Deploy> promoted(String service, int limit);

    /**
     * Moves a deploy to {@code to} (and canary step {@code step}) if it is still at {@code expectedRevision}, and
     * records the transition; throws {@link StaleRevision} otherwise.
     */
    default Deploy transition(
            long deployId, int expectedRevision, DeployState to, int step, String actor, String reason, Instant at) {
        return transition(deployId, expectedRevision, to, step, actor, reason, List.of(), at);
    }

    /** {@link #transition} whose reason names {@code people} besides the actor ({@link Transition#people}). */
    Deploy transition(
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            List<String> people,
            Instant at);

    /**
     * {@link #transition} as one step with {@code beforeMoving} (an audit entry), taken one at a time per deploy across
     * every replica sharing the store: with the deploy held, when it is still at {@code expectedRevision},
     * {@code beforeMoving} runs (when it throws, nothing moves) and the deploy moves; otherwise it throws {@link
     * StaleRevision} and {@code beforeMoving} does not run. Of two decisions on one deploy at the same moment, exactly
     * one is audited and acted on.
     */
    Deploy transition(
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            Instant at,
            Runnable beforeMoving);

    /**
     * {@link #transition(long, int, DeployState, int, String, String, Instant, Runnable)} of a deploy that a person's
     * rollback request stops: in the same step, before {@code beforeMoving}, the request's idempotency key is recorded
     * as answered with this deploy ({@link #rollbackAnswer}), so that a redelivery of the request, on any replica, finds
     * both the stop and its answer or neither. Throws {@link StaleRevision}, with nothing audited, moved or recorded,
     * when the deploy moved since it was read or an answer is recorded for the key already (the same request,
     * delivered twice at the same moment: the caller looks that answer up).
     */
    Deploy stopForRollback(
            String rollbackKey,
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            Instant at,
            Runnable beforeMoving);

    /**
     * The deploy a person's rollback request with this idempotency key was answered with (the deploy it stopped, or
     * the revert it started or was given), as it is now, if an answer is recorded: what a redelivery of the request, on
     * any replica and however late, is answered with.
     */
    Optional<Deploy> rollbackAnswer(String rollbackKey);

    /**
     * Records that the rollback request with this idempotency key was answered with deploy {@code deployId}, unless an
     * answer is recorded for it already (by this engine or another, also at the same moment): the first one recorded
     * stays. Throws {@link java.util.NoSuchElementException} when there is no such deploy.
     */
    void recordRollbackAnswer(String rollbackKey, long deployId, String requestedBy, Instant at);

    /**
     * Takes or renews the right to drive a deploy until {@code until}: granted when no one holds it, {@code owner}
     * already holds it, or the holder's lease ran out before {@code now}. Two engines never drive one deploy at once.
     */
    boolean tryLease(long deployId, String owner, Instant now, Instant until);

    /** Gives up a lease early (on shutdown), so another engine can take the deploy over at once. */
    void releaseLease(long deployId, String owner);

    /**
     * Claims the right to roll out {@code service} for a deploy: granted when no deploy holds it, this one already
     * does, or the holder has ended (a claim left behind by a crash). At most one deploy per service holds it.
     */
    boolean claimRollout(String service, long deployId, Instant at);

    /**
     * {@link #claimRollout} for a deploy whose preflight checks passed: refused, with nothing claimed, when the service
     * is locked. One step, taken one at a time per service with the taking of a lock ({@link
     * io.harbormaster.engine.policy.PolicyStore#takeLock}) across every replica sharing the store, so that a lock taken
     * after the checks read the locks, and before this, still stops the deploy; and a lock taken after this sees the
     * claim (the deploy's canary goes on).
     */
    RolloutClaim claimRolloutUnlessLocked(String service, long deployId, Instant at);

    /** Releases a service's claim if {@code deployId} holds it. */
    void releaseRollout(String service, long deployId);

    /** Records the risk score and the escalation decision on the deploy (no state change). */
    Deploy recordRisk(long deployId, int expectedRevision, double score, boolean escalated, Instant at);

    /**
     * Records the canary policy deploy {@code deployId}'s canary starts with, unless one is recorded already (by this
     * engine or another, also at the same moment): the first one recorded stays. Returns the one recorded. Throws
     * {@link java.util.NoSuchElementException} when there is no such deploy.
     */
    StartedPolicy recordCanaryPolicy(long deployId, StartedPolicy policy, Instant at);

    /** The canary policy deploy {@code deployId}'s canary started with ({@link #recordCanaryPolicy}), if recorded. */
    Optional<StartedPolicy> canaryPolicy(long deployId);

    /**
     * Records that the deploy's metrics store stopped answering at {@code at}, unless an outage is recorded already,
     * and returns when the recorded outage began: the count towards a pause survives restarts and lease handovers.
     */
    Instant metricsDownSince(long deployId, Instant at);

    /**
     * Forgets the deploy's metrics outage (its metrics answer again, or it ended); returns whether one was recorded.
     */
    boolean metricsBack(long deployId);

    /** Every transition of a deploy, in order. */
    List<Transition> transitions(long deployId);

    /**
     * Records an approver's decision on a deploy that waits for one, and settles the deploy when the decisions add up:
     * one step, taken for one decision at a time per deploy across every replica sharing the store (so that of two
     * clicks at the same moment on two replicas exactly one is recorded, audited and acted on). In that step, in order:
     * a decision the approver made before wins ({@link ApprovalOutcome.AlreadyDecided}); a deploy that no longer waits
     * records nothing ({@link ApprovalOutcome.NotWaiting}); otherwise {@code beforeRecording} runs (the audit entry:
     * when it throws, nothing is recorded), the decision is stored, and {@code settle}, given every decision so far
     * (this one last), says where the deploy goes: the deploy moves there (a transition by the approver at the
     * decision's time) in the same transaction, or stays waiting when it says nothing.
     */
    ApprovalOutcome recordDecision(
            Approval approval,
            java.util.function.Function<List<Approval>, Optional<Settlement>> settle,
            Runnable beforeRecording);

    List<Approval> approvals(long deployId);

    /**
     * Records a review of an emergency deploy that has ended, once: one step, taken for one review at a time per
     * deploy across every replica sharing the store. In that step, in order: a review recorded before wins ({@link
     * ReviewOutcome.AlreadyReviewed}); a deploy that is not an emergency deploy, or has not ended, records nothing
     * ({@link ReviewOutcome.NotReviewable}); otherwise {@code beforeRecording} runs (the audit entry: when it throws,
     * nothing is recorded) and the review is stored. A deploy has at most one review, whoever stores it. Throws {@link
     * java.util.NoSuchElementException} when there is no such deploy.
     */
    ReviewOutcome recordReview(Review review, Runnable beforeRecording);

    /** The review of deploy {@code deployId}, if it has one. */
    Optional<Review> review(long deployId);

    /**
     * Emergency deploys that got past their routing (a move to preflight: from there on {@code --emergency} skips the
     * approval wait, windows and freezes), have ended and have no review yet, the longest waiting first (by when they
     * ended, the smaller id on a tie): what must not be forgotten.
     */
    List<Deploy> awaitingReview();

    /**
     * How many records of canary noise a store keeps per service, newest first; older ones may be forgotten. A canary
     * reads only the latest {@link CanaryNoise#CANARIES}; the margin of three times as many more keeps a short past
     * for audits to look back on ({@link #keptNoise}) and lets {@code CANARIES} grow in a later version without the
     * first canaries after the upgrade starting from less than it asks for. It bounds the table to a few rows per
     * service instead of one per promoted deploy forever.
     */
    int NOISE_KEPT_PER_SERVICE = 4 * CanaryNoise.CANARIES;

    /**
     * Keeps the noise (latency readings, error bursts) measured in the promoted canary of deploy {@code deployId},
     * under that deploy's service, for the service's later canaries to start from; then forgets the service's records
     * beyond its latest {@link #NOISE_KEPT_PER_SERVICE} (never one of those, whose latest {@link CanaryNoise#CANARIES}
     * the next canary reads). A deploy has at most one record: recording it again changes nothing. Throws {@link
     * java.util.NoSuchElementException} when there is no such deploy.
     */
    void recordCanaryNoise(long deployId, CanaryNoise noise, Instant at);

    /**
     * The latest {@code limit} records of {@code service}'s canary noise, newest first (the latest kept first, the
     * larger deploy id on a tie), each with the deploy it came from; none for a {@code limit} of 0 or less.
     */
    List<KeptNoise> keptNoise(String service, int limit);

    /**
     * Records what deploy {@code deployId}'s canary read from its service's stable track before it started (or why it
     * read nothing), unless one is recorded already (by this engine or another, also at the same moment): the first
     * one recorded stays. Returns the one recorded. Throws {@link java.util.NoSuchElementException} when there is no
     * such deploy.
     */
    StableTrackReading recordStableTrackReading(long deployId, StableTrackReading reading);

    /** What deploy {@code deployId}'s canary read from its stable track ({@link #recordStableTrackReading}), if any. */
    Optional<StableTrackReading> stableTrackReading(long deployId);

    /** The noise of {@code service}'s latest {@code limit} recorded canaries, newest first (see {@link #keptNoise}). */
    default List<CanaryNoise> canaryNoise(String service, int limit) {
        return keptNoise(service, limit).stream().map(KeptNoise::noise).toList();
    }

    /**
     * The canary samples frozen for deploy {@code deployId} (see {@link #freezeSamples}), in order of their interval's
     * start {@link IntervalSample#t()}; none for an unknown deploy or one whose canary froze nothing. A value stored
     * as "no data" reads back as {@code NaN}.
     */
    List<IntervalSample> frozenSamples(long deployId);

    /**
     * Freezes canary samples of deploy {@code deployId} (intervals whose metrics the canary was judged on, and will be
     * judged on again), insert-if-absent per interval {@code t}: an interval stored before, by this engine or another,
     * keeps its first value, and storing it again (also concurrently) neither fails nor changes it. {@code NaN} (no
     * data) is stored as such. Returns how many of {@code samples} were stored now (fewer than given when some were
     * frozen already). Throws {@link java.util.NoSuchElementException} when there is no such deploy.
     */
    int freezeSamples(long deployId, List<IntervalSample> samples, Instant at);
}
