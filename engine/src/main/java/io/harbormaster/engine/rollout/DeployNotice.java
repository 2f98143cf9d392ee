package io.harbormaster.engine.rollout;

import io.harbormaster.engine.advice.Advice;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.canary.JudgedWindow;
import io.harbormaster.engine.policy.CheckResult;
import io.harbormaster.engine.risk.RiskAssessment;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** What the engine tells the humans, phase by phase; each carries the deploy as it is after the phase. */
public sealed interface DeployNotice {
    Deploy deploy();

    /** A request was accepted and the deploy created. */
    record Accepted(Deploy deploy, String requester, boolean emergency) implements DeployNotice {}

    /** The risk score and the factors and rules behind it. */
    record Scored(Deploy deploy, RiskAssessment assessment) implements DeployNotice {}

    /**
     * A human must decide: the context package and who may. {@code pastIncidents}: the service's past incidents most
     * like the change, each with what it shares with it, or its latest when none is alike (at most three: {@link
     * SimilarIncidents}), for the notifier to show as people read them.
     */
    record Escalated(
            Deploy deploy,
            RiskAssessment assessment,
            String approverGroup,
            int requiredApprovals,
            Instant expiresAt,
            List<String> dependents,
            List<SimilarIncident> pastIncidents)
            implements DeployNotice {}

    /** An approver's click was counted. */
    record ApprovalCounted(Deploy deploy, Approval approval, int approvals, int required) implements DeployNotice {}

    /** Nobody decided in time. */
    record Expired(Deploy deploy) implements DeployNotice {}

    /**
     * The deploy waits its turn in preflight: another deploy of its service, or of one it depends on, is rolling out
     * ({@code reason} names them). Told when it starts waiting ({@code started}) and again whenever what it waits for
     * changes, so that what people read of it stays true; it starts by itself once nothing is in its way.
     */
    record Waiting(Deploy deploy, String reason, boolean started) implements DeployNotice {}

    /** The preflight checks ran. */
    record PreflightChecked(Deploy deploy, List<CheckResult> results) implements DeployNotice {}

    /** The canary moved to a new traffic weight, or was judged at the end of a step. */
    /** {@code steps}: how many the canary's policy (the one it started with) has. */
    record CanaryProgress(Deploy deploy, ReplicaPlan plan, int steps, List<Evidence> evidence) implements DeployNotice {
        /** The step's weight, as the policy gives it (the pods may give the canary another share: {@link #plan}). */
        public int weightPercent() {
            return plan.weightPercent();
        }
    }

    /**
     * The canary's pods restart, below the restart trigger's limit so far: {@code restarts} in the trigger's window of
     * {@code windowSeconds} (the baseline's {@code baselineRestarts} beside them, {@code NaN} without data), and the
     * trigger rolls back at {@code limit}. Told when the first restarts are seen, and again only when they have at
     * least doubled since last told, so that a crash loop is not silent until its rollback and not told every interval.
     */
    record CanaryRestarting(Deploy deploy, double restarts, double baselineRestarts, double limit, long windowSeconds)
            implements DeployNotice {}

    /**
     * The analysis cannot decide (no data for too long): a human must look. {@code transition} is the ordinal of the
     * move that paused it ({@link Transition#ordinal()}): the pause ends with the deploy's next move, whoever makes it.
     */
    record Paused(Deploy deploy, String reason, int transition) implements DeployNotice {}

    /** The analysis goes on after a pause that was not a human's to end (metrics answer again after an outage). */
    record Resumed(Deploy deploy, String reason) implements DeployNotice {}

    /** The new version is live. */
    record Promoted(Deploy deploy, List<Evidence> evidence) implements DeployNotice {}

    /**
     * The canary was rolled back automatically (or by a person); automatic deploys are blocked until a time. The
     * {@code cause} says which; {@code evidence} is what tripped, the deciding piece first (empty unless the analysis
     * decided it), and {@code judged} the stretch of the canary it was judged on (when the deciding judge's is known).
     */
    record RolledBack(
            Deploy deploy,
            RollbackCause cause,
            String reason,
            List<Evidence> evidence,
            Optional<JudgedWindow> judged,
            Incident incident,
            Instant blockedUntil)
            implements DeployNotice {
        /** A rollback no analysis judged a window for. */
        public RolledBack(
                Deploy deploy,
                RollbackCause cause,
                String reason,
                List<Evidence> evidence,
                Incident incident,
                Instant blockedUntil) {
            this(deploy, cause, reason, evidence, Optional.empty(), incident, blockedUntil);
        }
    }

    /**
     * A revert ({@code /deploy rollback} after a promotion) was audited and goes to the cluster now: the stable
     * Deployment gets {@code revert}'s image at full size; automatic deploys are blocked until {@code blockedUntil}.
     */
    record Reverting(Deploy deploy, Revert revert, String requester, Instant blockedUntil) implements DeployNotice {}

    /** The revert is done: the stable Deployment runs the earlier image again and its pods are ready. */
    record Reverted(Deploy deploy, Revert revert, String requester, Instant blockedUntil) implements DeployNotice {}

    /** The deploy ended without reaching the cluster, or the cluster refused it. */
    record Failed(Deploy deploy, String reason) implements DeployNotice {}

    /**
     * A person stopped the deploy before it reached the cluster ({@code /deploy rollback} while it waited for an
     * approval, for its turn or in preflight): {@code by} who, {@code from} the state it was stopped in (an approval
     * request it waited on is closed).
     */
    record Stopped(Deploy deploy, String by, DeployState from) implements DeployNotice {}

    /**
     * An emergency deploy ended (told after its outcome): it skipped the approval wait, and a member of its service's
     * approver group must review it.
     */
    record ReviewDue(Deploy deploy) implements DeployNotice {}

    /** An emergency deploy was reviewed. */
    record Reviewed(Deploy deploy, Review review) implements DeployNotice {}

    /**
     * An incident was resolved, by a person ({@code /deploy resolve}) or by a promotion of its service: {@code deploy}
     * is the deploy whose rollback opened it (its thread is told), {@code by} who resolved it ({@code engine} for a
     * promotion, which the incident's resolution names), {@code note} what the person said of it (may be empty), and
     * {@code promotion} the deploy whose promotion resolved it. Told after that deploy's {@link Promoted}, and a
     * notifier that tells deploys side by side tells this one after it: the cause before its effect.
     */
    record IncidentResolved(Deploy deploy, Incident incident, String by, String note, OptionalLong promotion)
            implements DeployNotice {
        /** Resolved by a person. */
        public IncidentResolved(Deploy deploy, Incident incident, String by, String note) {
            this(deploy, incident, by, note, OptionalLong.empty());
        }
    }

    /**
     * The advisor's context package (after {@link Escalated}) or incident hypothesis (after {@link RolledBack}), told
     * after the notice it belongs to and never before; the deploy is as it was then.
     */
    record Advised(Deploy deploy, Advice advice) implements DeployNotice {}
}
