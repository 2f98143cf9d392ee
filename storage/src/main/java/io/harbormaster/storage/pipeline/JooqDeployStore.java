package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.APPROVAL;
import static io.harbormaster.storage.jooq.Tables.CANARY_NOISE;
import static io.harbormaster.storage.jooq.Tables.CANARY_POLICY;
import static io.harbormaster.storage.jooq.Tables.CANARY_SAMPLE;
import static io.harbormaster.storage.jooq.Tables.CANARY_STABLE_NOISE;
import static io.harbormaster.storage.jooq.Tables.DEPLOY;
import static io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST;
import static io.harbormaster.storage.jooq.Tables.DEPLOY_REVIEW;
import static io.harbormaster.storage.jooq.Tables.DEPLOY_TRANSITION;
import static io.harbormaster.storage.jooq.Tables.METRICS_OUTAGE;
import static io.harbormaster.storage.jooq.Tables.ROLLBACK_REQUEST;
import static io.harbormaster.storage.jooq.Tables.SERVICE_ROLLOUT;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.canary.CanaryNoise;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.ApprovalOutcome;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.DeployStore;
import io.harbormaster.engine.rollout.Intake;
import io.harbormaster.engine.rollout.KeptNoise;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.engine.rollout.Review;
import io.harbormaster.engine.rollout.ReviewOutcome;
import io.harbormaster.engine.rollout.RolloutClaim;
import io.harbormaster.engine.rollout.Settlement;
import io.harbormaster.engine.rollout.StableTrackReading;
import io.harbormaster.engine.rollout.StaleRevision;
import io.harbormaster.engine.rollout.StartedPolicy;
import io.harbormaster.engine.rollout.Transition;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.Sql;
import io.harbormaster.storage.jooq.tables.records.CanarySampleRecord;
import io.harbormaster.storage.jooq.tables.records.DeployRecord;
import io.harbormaster.storage.jooq.tables.records.DeployRequestRecord;
import io.harbormaster.storage.jooq.tables.records.DeployTransitionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Semaphore;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Deploys, their transitions and approvals on H2 or PostgreSQL. Made {@link #withEventOutbox}, it also records the
 * {@link DeployEvent} of each request and transition in the same transaction, for {@link JooqEventOutbox}'s relay to
 * publish.
 */
public final class JooqDeployStore implements DeployStore {
    /** The noise each service keeps for its later canaries ({@link #keptNoise}). */
    private static final NoiseColumns KEPT_NOISE = NoiseColumns.in(CANARY_NOISE);

    /** The noise a first canary read from its service's stable track ({@link #stableTrackReading}). */
    private static final NoiseColumns STABLE_NOISE = NoiseColumns.in(CANARY_STABLE_NOISE);

    private final Database db;

    /** Whether each change's event is recorded in the outbox with it. */
    private final boolean recordsEvents;

    /**
     * A decision holds a connection (and the deploy's row) while its audit entry is written on another: at most one
     * fewer decisions than the pool has connections are taken at once (with the other stores that do so, {@link
     * Database#rowHolders}), so that the audit log always finds one.
     */
    private final Semaphore deciding;

    /** A store that records no events (they are published by the engine as they happen: the in-process bus). */
    public JooqDeployStore(Database db) {
        this(db, false);
    }

    private JooqDeployStore(Database db, boolean recordsEvents) {
        this.db = db;
        this.recordsEvents = recordsEvents;
        this.deciding = db.rowHolders();
    }

    /**
     * A store that records the event of every request it creates a deploy for and of every transition in the outbox,
     * in the same transaction: an event is in the outbox if and only if its change was committed.
     */
    public static JooqDeployStore withEventOutbox(Database db) {
        return new JooqDeployStore(db, true);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The step is the service's {@link IntakeStep}: it holds the service's {@code deploy_intake} row until it
     * commits, and an intake for the service from any replica waits there, then finds the deploy the one before it
     * created.
     */
    @Override
    public Intake intake(DeployRequest request, BiPredicate<Deploy, DeployRequest> repeats) {
        Objects.requireNonNull(repeats, "repeats");
        try {
            return IntakeStep.run(db, request.service(), tx -> {
                var repeated = inFlightWithRequests(tx, request.service()).stream()
                        .filter(d -> repeats.test(d.deploy(), d.request()))
                        .map(InFlight::deploy)
                        .findFirst();
                if (repeated.isPresent()) {
                    return new Intake.AlreadyInFlight(repeated.get());
                }
                var earlier = deployForKey(tx, request.idempotencyKey());
                if (earlier.isPresent()) {
                    return new Intake.Duplicate(earlier.get());
                }
                return new Intake.Created(insert(tx, request));
            });
        } catch (DataAccessException e) {
            // The same key stored for another service at the same moment (one service's intakes queue, so the key of
            // a request stored for it before is found above): that one's deploy is the one.
            if (isUniqueViolation(e)) {
                return new Intake.Duplicate(deployForKey(db.dsl(), request.idempotencyKey())
                        .orElseThrow(() -> new IllegalStateException(
                                "request " + request.idempotencyKey() + " conflicted but cannot be found", e)));
            }
            throw e;
        }
    }

    /** A deploy in flight and the request it was created for. */
    private record InFlight(Deploy deploy, DeployRequest request) {}

    /** {@link #inFlight(DSLContext, String)}, each with its request: what the engine's rule of repeats is given. */
    private static List<InFlight> inFlightWithRequests(DSLContext dsl, String service) {
        return dsl.select(DEPLOY.fields())
                .select(DEPLOY_REQUEST.fields())
                .from(DEPLOY)
                .join(DEPLOY_REQUEST)
                .on(DEPLOY_REQUEST.ID.eq(DEPLOY.REQUEST_ID))
                .where(DEPLOY.SERVICE.eq(service).and(DEPLOY.STATE.notIn(terminalStates())))
                .orderBy(DEPLOY.ID)
                .fetch(r -> new InFlight(toDeploy(r.into(DEPLOY)), toRequest(r.into(DEPLOY_REQUEST))));
    }

    private Deploy insert(DSLContext tx, DeployRequest r) {
        var requestId = tx.insertInto(DEPLOY_REQUEST)
                .set(DEPLOY_REQUEST.IDEMPOTENCY_KEY, r.idempotencyKey())
                .set(DEPLOY_REQUEST.SOURCE, r.source().name())
                .set(DEPLOY_REQUEST.SERVICE, r.service())
                .set(DEPLOY_REQUEST.VERSION, r.version())
                .set(DEPLOY_REQUEST.ENVIRONMENT, r.environment())
                .set(DEPLOY_REQUEST.REQUESTED_BY, r.requestedBy())
                .set(DEPLOY_REQUEST.EMERGENCY, r.emergency())
                .set(DEPLOY_REQUEST.PAYLOAD, r.payloadJson())
                .set(DEPLOY_REQUEST.RECEIVED_AT, odt(r.receivedAt()))
                .returningResult(DEPLOY_REQUEST.ID)
                .fetchSingle()
                .value1();
        var deploy = toDeploy(tx.insertInto(DEPLOY)
                .set(DEPLOY.REQUEST_ID, requestId)
                .set(DEPLOY.SERVICE, r.service())
                .set(DEPLOY.VERSION, r.version())
                .set(DEPLOY.ENVIRONMENT, r.environment())
                .set(DEPLOY.STATE, DeployState.REQUESTED.name())
                .set(DEPLOY.STEP, 0)
                .set(DEPLOY.EMERGENCY, r.emergency())
                .set(DEPLOY.CREATED_AT, odt(r.receivedAt()))
                .set(DEPLOY.UPDATED_AT, odt(r.receivedAt()))
                .set(DEPLOY.REVISION, 0)
                .returning()
                .fetchSingle());
        if (recordsEvents) {
            JooqEventOutbox.record(tx, DeployEvent.requested(deploy, r));
        }
        return deploy;
    }

    private static Optional<Deploy> deployForKey(DSLContext dsl, String key) {
        return dsl.select(DEPLOY.fields())
                .from(DEPLOY)
                .join(DEPLOY_REQUEST)
                .on(DEPLOY_REQUEST.ID.eq(DEPLOY.REQUEST_ID))
                .where(DEPLOY_REQUEST.IDEMPOTENCY_KEY.eq(key))
                .fetchOptional(r -> toDeploy(r.into(DEPLOY)));
    }

    @Override
    public Optional<Deploy> forKey(String idempotencyKey) {
        return deployForKey(db.dsl(), idempotencyKey);
    }

    @Override
    public Optional<Deploy> find(long deployId) {
        return db.dsl().selectFrom(DEPLOY).where(DEPLOY.ID.eq(deployId)).fetchOptional(JooqDeployStore::toDeploy);
    }

    @Override
    public Optional<DeployRequest> request(long deployId) {
        return db.dsl()
                .select(DEPLOY_REQUEST.fields())
                .from(DEPLOY_REQUEST)
                .join(DEPLOY)
                .on(DEPLOY.REQUEST_ID.eq(DEPLOY_REQUEST.ID))
                .where(DEPLOY.ID.eq(deployId))
                .fetchOptional(r -> toRequest(r.into(DEPLOY_REQUEST)));
    }

    @Override
    public List<Deploy> inFlight() {
        return db.dsl()
                .selectFrom(DEPLOY)
                .where(DEPLOY.STATE.notIn(terminalStates()))
                .orderBy(DEPLOY.ID)
                .fetch(JooqDeployStore::toDeploy);
    }

    @Override
    public List<Deploy> inFlight(String service) {
        return inFlight(db.dsl(), service);
    }

    /** The service's deploys in flight, oldest first, as {@code dsl} (a transaction, say) reads them. */
    static List<Deploy> inFlight(DSLContext dsl, String service) {
        return dsl.selectFrom(DEPLOY)
                .where(DEPLOY.SERVICE.eq(service).and(DEPLOY.STATE.notIn(terminalStates())))
                .orderBy(DEPLOY.ID)
                .fetch(JooqDeployStore::toDeploy);
    }

    @Override
    public List<Deploy> lastFinished() {
        var latest = DSL.rowNumber()
                .over(DSL.partitionBy(DEPLOY.SERVICE).orderBy(DEPLOY.UPDATED_AT.desc(), DEPLOY.ID.desc()))
                .as("latest");
        var ranked = db.dsl()
                .select(DEPLOY.ID, latest)
                .from(DEPLOY)
                .where(DEPLOY.STATE.in(terminalStates()))
                .asTable("ranked");
        return db.dsl()
                .select(DEPLOY.fields())
                .from(DEPLOY)
                .join(ranked)
                .on(DEPLOY.ID.eq(ranked.field(DEPLOY.ID)))
                .where(ranked.field(latest).eq(1))
                .orderBy(DEPLOY.SERVICE)
                .fetch(r -> toDeploy(r.into(DEPLOY)));
    }

    @Override
    public Optional<Deploy> lastFinished(String service) {
        return db.dsl()
                .selectFrom(DEPLOY)
                .where(DEPLOY.SERVICE.eq(service).and(DEPLOY.STATE.in(terminalStates())))
                .orderBy(DEPLOY.UPDATED_AT.desc(), DEPLOY.ID.desc())
                .limit(1)
                .fetchOptional(JooqDeployStore::toDeploy);
    }

    @Override
    public List<Deploy> promoted(String service, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.dsl()
                .selectFrom(DEPLOY)
                .where(DEPLOY.SERVICE.eq(service).and(DEPLOY.STATE.eq(DeployState.PROMOTED.name())))
                .orderBy(DEPLOY.UPDATED_AT.desc(), DEPLOY.ID.desc())
                .limit(limit)
                .fetch(JooqDeployStore::toDeploy);
    }

    static List<String> terminalStates() {
        return java.util.Arrays.stream(DeployState.values())
                .filter(DeployState::terminal)
                .map(DeployState::name)
                .toList();
    }

    @Override
    public Deploy transition(
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            List<String> people,
            Instant at) {
        // nothing outside the transaction: it waits its turn while a decision holds the row (see tryLease)
        return Sql.waitingItsTurn(() -> db.dsl().transactionResult(cfg -> {
            var tx = DSL.using(cfg);
            var current = tx.selectFrom(DEPLOY)
                    .where(DEPLOY.ID.eq(deployId))
                    .fetchOptional()
                    .orElseThrow(() -> new NoSuchElementException("no deploy " + deployId));
            return move(tx, current, expectedRevision, to, step, actor, reason, people, at);
        }));
    }

    @Override
    public Deploy transition(
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            Instant at,
            Runnable beforeMoving) {
        return moveHeld(Optional.empty(), deployId, expectedRevision, to, step, actor, reason, at, beforeMoving);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The answer's row ({@code rollback_request}) is inserted in the transaction that holds the deploy's row and
     * moves it: a second delivery of the request at the same moment, on another replica, waits for the deploy's row
     * and finds it moved, or, stopping another deploy, waits for the key's row and finds it taken.
     */
    @Override
    public Deploy stopForRollback(
            String rollbackKey,
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            Instant at,
            Runnable beforeMoving) {
        Objects.requireNonNull(rollbackKey, "rollbackKey");
        try {
            return moveHeld(
                    Optional.of(rollbackKey), deployId, expectedRevision, to, step, actor, reason, at, beforeMoving);
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                // the key's answer was inserted by another delivery at the same moment: nothing was audited here
                throw new StaleRevision(deployId, expectedRevision);
            }
            throw e;
        }
    }

    /**
     * Moves a deploy as one step with {@code beforeMoving}, holding its row, and records the answer to rollback request
     * {@code answering} in the same step when given, before {@code beforeMoving} runs.
     */
    private Deploy moveHeld(
            Optional<String> answering,
            long deployId,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            Instant at,
            Runnable beforeMoving) {
        Objects.requireNonNull(beforeMoving, "beforeMoving");
        // like a decision, it holds the deploy's row while its audit entry is written on another connection
        return holdingTheDeploy("move deploy " + deployId, beforeMoving, (tx, audit) -> {
            // the deploy's row is held until the move is stored: a decision taken on it at the same moment, here or
            // on another replica, waits, then finds it moved
            var current = held(tx, deployId);
            if (current.getRevision() != expectedRevision) {
                throw new StaleRevision(deployId, expectedRevision);
            }
            if (answering.isPresent()) {
                if (rollbackAnswer(tx, answering.get()).isPresent()) {
                    throw new StaleRevision(deployId, expectedRevision);
                }
                insertRollbackAnswer(tx, answering.get(), deployId, actor, at).execute();
            }
            audit.run();
            return move(tx, current, expectedRevision, to, step, actor, reason, List.of(), at);
        });
    }

    @Override
    public Optional<Deploy> rollbackAnswer(String rollbackKey) {
        return rollbackAnswer(db.dsl(), rollbackKey);
    }

    private static Optional<Deploy> rollbackAnswer(DSLContext dsl, String rollbackKey) {
        return dsl.select(DEPLOY.fields())
                .from(ROLLBACK_REQUEST)
                .join(DEPLOY)
                .on(DEPLOY.ID.eq(ROLLBACK_REQUEST.DEPLOY_ID))
                .where(ROLLBACK_REQUEST.IDEMPOTENCY_KEY.eq(rollbackKey))
                .fetchOptional(r -> toDeploy(r.into(DEPLOY)));
    }

    @Override
    public void recordRollbackAnswer(String rollbackKey, long deployId, String requestedBy, Instant at) {
        firstOneStays(deployId, () -> insertRollbackAnswer(db.dsl(), rollbackKey, deployId, requestedBy, at)
                .onDuplicateKeyIgnore()
                .execute());
    }

    /** The row saying rollback request {@code key} was answered with deploy {@code deployId}. */
    private static org.jooq.InsertSetMoreStep<?> insertRollbackAnswer(
            DSLContext dsl, String key, long deployId, String requestedBy, Instant at) {
        return dsl.insertInto(ROLLBACK_REQUEST)
                .set(ROLLBACK_REQUEST.IDEMPOTENCY_KEY, key)
                .set(ROLLBACK_REQUEST.DEPLOY_ID, deployId)
                .set(ROLLBACK_REQUEST.REQUESTED_BY, requestedBy)
                .set(ROLLBACK_REQUEST.ANSWERED_AT, odt(at));
    }

    /**
     * Runs {@code step} in one transaction that holds a deploy's row (the step reads it {@link #held}) while
     * {@code audit}, which the step runs as it sees fit, writes its entry on another connection. At most one fewer such
     * steps than the pool has connections run at once, so that the audit log always finds one. H2 gives up waiting for
     * a row lock after its lock timeout (PostgreSQL waits): while nothing was audited, nothing happened, and the step
     * waits its turn again.
     */
    private <T> T holdingTheDeploy(
            String what, Runnable audit, java.util.function.BiFunction<DSLContext, Runnable, T> step) {
        try {
            deciding.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what);
        }
        try {
            return Sql.waitingItsTurn(
                    once -> db.dsl().transactionResult(cfg -> step.apply(DSL.using(cfg), once)), audit);
        } finally {
            deciding.release();
        }
    }

    /**
     * The deploy's row, held until the transaction ends: every step that holds it, from any replica, queues here, and
     * reads what the step before left.
     */
    private static DeployRecord held(DSLContext tx, long deployId) {
        return tx.selectFrom(DEPLOY)
                .where(DEPLOY.ID.eq(deployId))
                .forUpdate()
                .fetchOptional()
                .orElseThrow(() -> new NoSuchElementException("no deploy " + deployId));
    }

    /**
     * Moves the deploy {@code current} was read as, if it is still at {@code expectedRevision}, and records the
     * transition (and its event, with an outbox), in the caller's transaction.
     */
    private Deploy move(
            DSLContext tx,
            DeployRecord current,
            int expectedRevision,
            DeployState to,
            int step,
            String actor,
            String reason,
            List<String> people,
            Instant at) {
        long deployId = current.getId();
        var updated = tx.update(DEPLOY)
                .set(DEPLOY.STATE, to.name())
                .set(DEPLOY.STEP, step)
                .set(DEPLOY.UPDATED_AT, odt(at))
                .set(DEPLOY.REVISION, DEPLOY.REVISION.plus(1))
                .where(DEPLOY.ID.eq(deployId).and(DEPLOY.REVISION.eq(expectedRevision)))
                .returning()
                .fetchOptional()
                .orElseThrow(() -> new StaleRevision(deployId, expectedRevision));
        int ordinal = tx.select(DSL.coalesce(DSL.max(DEPLOY_TRANSITION.ORDINAL), 0))
                        .from(DEPLOY_TRANSITION)
                        .where(DEPLOY_TRANSITION.DEPLOY_ID.eq(deployId))
                        .fetchSingle()
                        .value1()
                + 1;
        var stored = tx.insertInto(DEPLOY_TRANSITION)
                .set(DEPLOY_TRANSITION.DEPLOY_ID, deployId)
                .set(DEPLOY_TRANSITION.ORDINAL, ordinal)
                .set(DEPLOY_TRANSITION.FROM_STATE, current.getState())
                .set(DEPLOY_TRANSITION.TO_STATE, to.name())
                .set(DEPLOY_TRANSITION.ACTOR, actor)
                .set(DEPLOY_TRANSITION.REASON, reason)
                .set(DEPLOY_TRANSITION.PEOPLE, String.join(",", people))
                .set(DEPLOY_TRANSITION.AT, odt(at))
                .returning()
                .fetchSingle();
        var moved = toDeploy(updated);
        if (recordsEvents) {
            // the transition as stored (its time at the database's precision), as transitions() reads it back
            JooqEventOutbox.record(tx, DeployEvent.of(moved, toTransition(stored)));
        }
        return moved;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The update waits for the deploy's row while another step holds it (a decision writing its audit entry, a
     * move, from here or another replica); on H2 it waits its turn past the lock timeout rather than failing the
     * engine's step, as do {@link #releaseLease}, {@link #recordRisk} and {@link #transition}'s plain move: each is
     * one statement or transaction that does nothing outside the database, so trying it again is safe.
     */
    @Override
    public boolean tryLease(long deployId, String owner, Instant now, Instant until) {
        return Sql.waitingItsTurn(() -> db.dsl()
                        .update(DEPLOY)
                        .set(DEPLOY.LEASE_OWNER, owner)
                        .set(DEPLOY.LEASE_UNTIL, odt(until))
                        .where(DEPLOY.ID.eq(deployId))
                        .and(DEPLOY.LEASE_OWNER
                                .isNull()
                                .or(DEPLOY.LEASE_OWNER.eq(owner))
                                .or(DEPLOY.LEASE_UNTIL.lt(odt(now))))
                        .execute())
                == 1;
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the service's {@link IntakeStep}, as every claim and the taking of a lock ({@link JooqPolicyStore#takeLock})
     * are: the claims of one service queue there, across replicas.
     */
    @Override
    public boolean claimRollout(String service, long deployId, Instant at) {
        return IntakeStep.run(db, service, tx -> claim(tx, service, deployId, at));
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the service's {@link IntakeStep}: a lock taken on any replica is stored in the same step ({@link
     * JooqPolicyStore#takeLock}), so the lock this reads, after holding the step, is every lock committed before it, and
     * a lock stored after it finds its claim.
     */
    @Override
    public RolloutClaim claimRolloutUnlessLocked(String service, long deployId, Instant at) {
        return IntakeStep.run(db, service, tx -> {
            var lock = JooqPolicyStore.lockOf(tx, service);
            if (lock.isPresent()) {
                return new RolloutClaim.Locked(lock.get());
            }
            return claim(tx, service, deployId, at) ? new RolloutClaim.Claimed() : new RolloutClaim.Held();
        });
    }

    /**
     * Claims the service's rollout for the deploy in the caller's step (which holds the service's intake row, so no
     * other claim runs meanwhile; a release may). Granted when no deploy holds it, this one does, or the holder has
     * ended without releasing it (a crash).
     */
    private static boolean claim(DSLContext tx, String service, long deployId, Instant at) {
        var holder = tx.select(SERVICE_ROLLOUT.DEPLOY_ID, DEPLOY.STATE)
                .from(SERVICE_ROLLOUT)
                .join(DEPLOY)
                .on(DEPLOY.ID.eq(SERVICE_ROLLOUT.DEPLOY_ID))
                .where(SERVICE_ROLLOUT.SERVICE.eq(service))
                .fetchOptional();
        if (holder.isEmpty()) {
            return tx.insertInto(SERVICE_ROLLOUT)
                            .set(SERVICE_ROLLOUT.SERVICE, service)
                            .set(SERVICE_ROLLOUT.DEPLOY_ID, deployId)
                            .set(SERVICE_ROLLOUT.CLAIMED_AT, odt(at))
                            .onConflictDoNothing()
                            .execute()
                    == 1;
        }
        long holderId = holder.get().value1();
        if (holderId == deployId) {
            return true;
        }
        if (DeployState.valueOf(holder.get().value2()).terminal()) {
            // the holder ended without releasing (a crash): take over
            return tx.update(SERVICE_ROLLOUT)
                            .set(SERVICE_ROLLOUT.DEPLOY_ID, deployId)
                            .set(SERVICE_ROLLOUT.CLAIMED_AT, odt(at))
                            .where(SERVICE_ROLLOUT.SERVICE.eq(service).and(SERVICE_ROLLOUT.DEPLOY_ID.eq(holderId)))
                            .execute()
                    == 1;
        }
        return false;
    }

    @Override
    public void releaseRollout(String service, long deployId) {
        db.dsl()
                .deleteFrom(SERVICE_ROLLOUT)
                .where(SERVICE_ROLLOUT.SERVICE.eq(service).and(SERVICE_ROLLOUT.DEPLOY_ID.eq(deployId)))
                .execute();
    }

    @Override
    public void releaseLease(long deployId, String owner) {
        Sql.waitingItsTurn(() -> db.dsl()
                .update(DEPLOY)
                .setNull(DEPLOY.LEASE_OWNER)
                .setNull(DEPLOY.LEASE_UNTIL)
                .where(DEPLOY.ID.eq(deployId).and(DEPLOY.LEASE_OWNER.eq(owner)))
                .execute());
    }

    @Override
    public Deploy recordRisk(long deployId, int expectedRevision, double score, boolean escalated, Instant at) {
        // waits its turn while another step holds the row, see tryLease
        return Sql.waitingItsTurn(() -> db.dsl()
                        .update(DEPLOY)
                        .set(DEPLOY.RISK_SCORE, score)
                        .set(DEPLOY.ESCALATED, escalated)
                        .set(DEPLOY.UPDATED_AT, odt(at))
                        .set(DEPLOY.REVISION, DEPLOY.REVISION.plus(1))
                        .where(DEPLOY.ID.eq(deployId).and(DEPLOY.REVISION.eq(expectedRevision)))
                        .returning()
                        .fetchOptional())
                .map(JooqDeployStore::toDeploy)
                .orElseThrow(() -> new StaleRevision(deployId, expectedRevision));
    }

    /**
     * Runs an insert that keeps the first row stored for its key: a duplicate is ignored, also one inserted by another
     * engine at the same moment, which the statement's ignore could not see yet; an unknown deploy is said as such.
     * Returns the rows inserted (0 for a duplicate).
     */
    private static int firstOneStays(long deployId, java.util.function.IntSupplier insert) {
        try {
            return insert.getAsInt();
        } catch (DataAccessException e) {
            if (FOREIGN_KEY_VIOLATIONS.contains(e.sqlState())) {
                throw new NoSuchElementException("no deploy " + deployId);
            }
            if (!isUniqueViolation(e)) {
                throw e;
            }
            return 0;
        }
    }

    @Override
    public StartedPolicy recordCanaryPolicy(long deployId, StartedPolicy policy, Instant at) {
        firstOneStays(deployId, () -> db.dsl()
                .insertInto(CANARY_POLICY)
                .set(CANARY_POLICY.DEPLOY_ID, deployId)
                .set(CANARY_POLICY.VARIANT, policy.variant())
                .set(CANARY_POLICY.POLICY_JSON, policy.json())
                .set(CANARY_POLICY.POLICY_HASH, policy.hash())
                .set(
                        CANARY_POLICY.METRIC_TEMPLATES,
                        policy.metricTemplates().map(CanonicalJson::of).orElse(null))
                .set(CANARY_POLICY.RECORDED_AT, odt(at))
                .onDuplicateKeyIgnore()
                .execute());
        return canaryPolicy(deployId)
                .orElseThrow(() -> new IllegalStateException(
                        "the canary policy of deploy " + deployId + " was stored but cannot be read back"));
    }

    @Override
    public Optional<StartedPolicy> canaryPolicy(long deployId) {
        return db.dsl()
                .selectFrom(CANARY_POLICY)
                .where(CANARY_POLICY.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> new StartedPolicy(
                        r.getVariant().equals("escalated"),
                        r.getPolicyJson(),
                        r.getPolicyHash(),
                        Optional.ofNullable(r.getMetricTemplates()).map(json -> templates(deployId, json))));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The metrics templates a canary started with, as stored.
     *
     * @throws IllegalArgumentException when they are not the JSON object of strings this store writes
     */
    private static Map<String, String> templates(long deployId, String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the metrics templates stored for the canary of deploy " + deployId
                    + " are not a JSON object of templates: " + e.getOriginalMessage());
        }
    }

    @Override
    public Instant metricsDownSince(long deployId, Instant at) {
        db.dsl()
                .insertInto(METRICS_OUTAGE)
                .set(METRICS_OUTAGE.DEPLOY_ID, deployId)
                .set(METRICS_OUTAGE.SINCE, odt(at))
                .onDuplicateKeyIgnore()
                .execute();
        return db.dsl()
                .select(METRICS_OUTAGE.SINCE)
                .from(METRICS_OUTAGE)
                .where(METRICS_OUTAGE.DEPLOY_ID.eq(deployId))
                .fetchOptional(METRICS_OUTAGE.SINCE)
                .map(java.time.OffsetDateTime::toInstant)
                .orElse(at); // forgotten in between by an engine that saw the metrics answer: the outage starts now
    }

    @Override
    public boolean metricsBack(long deployId) {
        return db.dsl()
                        .deleteFrom(METRICS_OUTAGE)
                        .where(METRICS_OUTAGE.DEPLOY_ID.eq(deployId))
                        .execute()
                > 0;
    }

    @Override
    public List<Transition> transitions(long deployId) {
        return transitions(db.dsl(), deployId);
    }

    private static List<Transition> transitions(DSLContext dsl, long deployId) {
        return dsl.selectFrom(DEPLOY_TRANSITION)
                .where(DEPLOY_TRANSITION.DEPLOY_ID.eq(deployId))
                .orderBy(DEPLOY_TRANSITION.ORDINAL)
                .fetch(JooqDeployStore::toTransition);
    }

    private static Transition toTransition(DeployTransitionRecord r) {
        return new Transition(
                r.getDeployId(),
                r.getOrdinal(),
                DeployState.valueOf(r.getFromState()),
                DeployState.valueOf(r.getToState()),
                r.getActor(),
                r.getReason(),
                r.getAt().toInstant(),
                java.util.Arrays.stream(r.getPeople().split(","))
                        .filter(p -> !p.isBlank())
                        .toList());
    }

    @Override
    public ApprovalOutcome recordDecision(
            Approval a, Function<List<Approval>, Optional<Settlement>> settle, Runnable beforeRecording) {
        Objects.requireNonNull(settle, "settle");
        Objects.requireNonNull(beforeRecording, "beforeRecording");
        return holdingTheDeploy(
                "record a decision on deploy " + a.deployId(),
                beforeRecording,
                (tx, audit) -> decide(tx, a, settle, audit));
    }

    /** The decision's step, in one transaction that holds the deploy's row until it ends. */
    private ApprovalOutcome decide(
            DSLContext tx,
            Approval a,
            Function<List<Approval>, Optional<Settlement>> settle,
            Runnable beforeRecording) {
        // Every decision on this deploy, from any replica, queues here until this transaction ends; a state or an
        // approval read after it is the one the decision before left.
        var current = held(tx, a.deployId());
        var earlier = approvals(tx, a.deployId());
        var first =
                earlier.stream().filter(x -> x.approver().equals(a.approver())).findFirst();
        if (first.isPresent()) {
            return new ApprovalOutcome.AlreadyDecided(first.get());
        }
        var deploy = toDeploy(current);
        if (deploy.state() != DeployState.AWAITING_APPROVAL) {
            return new ApprovalOutcome.NotWaiting(deploy);
        }
        var all = new ArrayList<>(earlier);
        all.add(a);
        var settlement = settle.apply(List.copyOf(all));
        beforeRecording.run();
        tx.insertInto(APPROVAL)
                .set(APPROVAL.DEPLOY_ID, a.deployId())
                .set(APPROVAL.APPROVER, a.approver())
                .set(APPROVAL.DECISION, a.decision().name())
                .set(APPROVAL.COMMENT, a.comment())
                .set(APPROVAL.DECIDED_AT, odt(a.decidedAt()))
                .execute();
        if (settlement.isEmpty()) {
            return new ApprovalOutcome.Recorded(List.copyOf(all), deploy, Optional.empty());
        }
        var to = settlement.get();
        var moved =
                move(tx, current, deploy.revision(), to.to(), 0, a.approver(), to.reason(), List.of(), a.decidedAt());
        var transitions = transitions(tx, a.deployId());
        return new ApprovalOutcome.Recorded(List.copyOf(all), moved, Optional.of(transitions.getLast()));
    }

    @Override
    public List<Approval> approvals(long deployId) {
        return approvals(db.dsl(), deployId);
    }

    private static List<Approval> approvals(DSLContext dsl, long deployId) {
        return dsl.selectFrom(APPROVAL)
                .where(APPROVAL.DEPLOY_ID.eq(deployId))
                .orderBy(APPROVAL.ID)
                .fetch(r -> new Approval(
                        r.getDeployId(),
                        r.getApprover(),
                        Approval.Decision.valueOf(r.getDecision()),
                        r.getComment(),
                        r.getDecidedAt().toInstant()));
    }

    @Override
    public ReviewOutcome recordReview(Review review, Runnable beforeRecording) {
        Objects.requireNonNull(beforeRecording, "beforeRecording");
        return holdingTheDeploy("record a review of deploy " + review.deployId(), beforeRecording, (tx, audit) -> {
            var current = held(tx, review.deployId());
            var first = review(tx, review.deployId());
            if (first.isPresent()) {
                return new ReviewOutcome.AlreadyReviewed(first.get());
            }
            var deploy = toDeploy(current);
            if (!deploy.emergency() || !deploy.state().terminal()) {
                return new ReviewOutcome.NotReviewable(deploy);
            }
            audit.run();
            // the primary key is the last word: one review per deploy, whoever writes it
            var stored = tx.insertInto(DEPLOY_REVIEW)
                    .set(DEPLOY_REVIEW.DEPLOY_ID, review.deployId())
                    .set(DEPLOY_REVIEW.REVIEWER, review.reviewer())
                    .set(DEPLOY_REVIEW.REVIEWED_AT, odt(review.reviewedAt()))
                    .returning()
                    .fetchSingle();
            return new ReviewOutcome.Recorded(
                    new Review(
                            stored.getDeployId(),
                            stored.getReviewer(),
                            stored.getReviewedAt().toInstant()),
                    deploy);
        });
    }

    @Override
    public Optional<Review> review(long deployId) {
        return review(db.dsl(), deployId);
    }

    private static Optional<Review> review(DSLContext dsl, long deployId) {
        return dsl.selectFrom(DEPLOY_REVIEW)
                .where(DEPLOY_REVIEW.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> new Review(
                        r.getDeployId(), r.getReviewer(), r.getReviewedAt().toInstant()));
    }

    @Override
    public List<Deploy> awaitingReview() {
        return db.dsl()
                .selectFrom(DEPLOY)
                .where(DEPLOY.EMERGENCY.isTrue())
                .and(DEPLOY.STATE.in(terminalStates()))
                // routed: only from preflight on does --emergency skip anything (the pipeline asks the same)
                .andExists(DSL.selectOne()
                        .from(DEPLOY_TRANSITION)
                        .where(DEPLOY_TRANSITION.DEPLOY_ID.eq(DEPLOY.ID))
                        .and(DEPLOY_TRANSITION.TO_STATE.eq(DeployState.PREFLIGHT.name())))
                .andNotExists(DSL.selectOne().from(DEPLOY_REVIEW).where(DEPLOY_REVIEW.DEPLOY_ID.eq(DEPLOY.ID)))
                .orderBy(DEPLOY.UPDATED_AT, DEPLOY.ID)
                .fetch(JooqDeployStore::toDeploy);
    }

    @Override
    public void recordCanaryNoise(long deployId, CanaryNoise noise, Instant at) {
        Objects.requireNonNull(noise, "noise");
        Objects.requireNonNull(at, "at");
        try {
            db.dsl().transaction(cfg -> {
                var tx = DSL.using(cfg);
                // the service is the deploy's own (a deploy's service never changes): no caller can file one
                // deploy's noise under another service
                var service = tx.select(DEPLOY.SERVICE)
                        .from(DEPLOY)
                        .where(DEPLOY.ID.eq(deployId))
                        .fetchOptional(DEPLOY.SERVICE)
                        .orElseThrow(() -> new NoSuchElementException("no deploy " + deployId));
                var insert = tx.insertInto(CANARY_NOISE)
                        .set(CANARY_NOISE.DEPLOY_ID, deployId)
                        .set(CANARY_NOISE.SERVICE, service)
                        .set(CANARY_NOISE.RECORDED_AT, odt(at));
                KEPT_NOISE.set(insert, noise).execute();
                forgetOldNoise(tx, service);
            });
        } catch (DataAccessException e) {
            // recorded before (a retry, another replica, a concurrent duplicate): the first record stays
            if (!isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /**
     * Deletes {@code service}'s records beyond its latest {@link #NOISE_KEPT_PER_SERVICE}, in the order {@link
     * #keptNoise} reads them: whatever a later canary reads is among the kept ones. Concurrent records of the same
     * service (which one rollout per service at a time makes rare) can leave a record too many until the next one,
     * never delete one too many: the boundary is the oldest kept among the rows this transaction sees, never newer
     * than the oldest kept among all of them.
     */
    private static void forgetOldNoise(DSLContext tx, String service) {
        var oldestKept = tx.select(CANARY_NOISE.RECORDED_AT, CANARY_NOISE.DEPLOY_ID)
                .from(CANARY_NOISE)
                .where(CANARY_NOISE.SERVICE.eq(service))
                .orderBy(CANARY_NOISE.RECORDED_AT.desc(), CANARY_NOISE.DEPLOY_ID.desc())
                .offset(NOISE_KEPT_PER_SERVICE - 1)
                .limit(1)
                .fetchOptional();
        if (oldestKept.isEmpty()) {
            return; // no more than are kept
        }
        tx.deleteFrom(CANARY_NOISE)
                .where(CANARY_NOISE.SERVICE.eq(service))
                .and(DSL.row(CANARY_NOISE.RECORDED_AT, CANARY_NOISE.DEPLOY_ID)
                        .lt(oldestKept.get().value1(), oldestKept.get().value2()))
                .execute();
    }

    @Override
    public StableTrackReading recordStableTrackReading(long deployId, StableTrackReading reading) {
        Objects.requireNonNull(reading, "reading");
        firstOneStays(deployId, () -> {
            var insert = db.dsl()
                    .insertInto(CANARY_STABLE_NOISE)
                    .set(CANARY_STABLE_NOISE.DEPLOY_ID, deployId)
                    .set(CANARY_STABLE_NOISE.WINDOW_FROM, odt(reading.from()))
                    .set(CANARY_STABLE_NOISE.WINDOW_TO, odt(reading.to()))
                    .set(CANARY_STABLE_NOISE.RECORDED_AT, odt(reading.readAt()));
            switch (reading) {
                case StableTrackReading.NotRead n -> insert.set(CANARY_STABLE_NOISE.NOT_READ, n.why());
                case StableTrackReading.Read r -> {
                    insert.set(CANARY_STABLE_NOISE.INTERVALS, r.intervals());
                    STABLE_NOISE.set(insert, r.noise());
                }
            }
            return insert.onDuplicateKeyIgnore().execute();
        });
        return stableTrackReading(deployId)
                .orElseThrow(() -> new IllegalStateException(
                        "the stable track reading of deploy " + deployId + " was stored but cannot be read back"));
    }

    @Override
    public Optional<StableTrackReading> stableTrackReading(long deployId) {
        return db.dsl()
                .selectFrom(CANARY_STABLE_NOISE)
                .where(CANARY_STABLE_NOISE.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> {
                    var from = r.getWindowFrom().toInstant();
                    var to = r.getWindowTo().toInstant();
                    var at = r.getRecordedAt().toInstant();
                    if (r.getNotRead() != null) {
                        return new StableTrackReading.NotRead(from, to, at, r.getNotRead());
                    }
                    return new StableTrackReading.Read(from, to, at, r.getIntervals(), STABLE_NOISE.read(r));
                });
    }

    @Override
    public List<KeptNoise> keptNoise(String service, int limit) {
        requireService(service);
        if (limit <= 0) {
            return List.of();
        }
        return db.dsl()
                .select(CANARY_NOISE.fields())
                .select(DEPLOY.VERSION)
                .from(CANARY_NOISE)
                .join(DEPLOY)
                .on(DEPLOY.ID.eq(CANARY_NOISE.DEPLOY_ID))
                .where(CANARY_NOISE.SERVICE.eq(service))
                .orderBy(CANARY_NOISE.RECORDED_AT.desc(), CANARY_NOISE.DEPLOY_ID.desc())
                .limit(limit)
                .fetch(row -> {
                    var r = row.into(CANARY_NOISE);
                    return new KeptNoise(
                            r.getDeployId(),
                            row.get(DEPLOY.VERSION),
                            r.getRecordedAt().toInstant(),
                            KEPT_NOISE.read(r));
                });
    }

    @Override
    public List<IntervalSample> frozenSamples(long deployId) {
        return db.dsl()
                .selectFrom(CANARY_SAMPLE)
                .where(CANARY_SAMPLE.DEPLOY_ID.eq(deployId))
                .orderBy(CANARY_SAMPLE.T)
                .fetch(JooqDeployStore::toSample);
    }

    @Override
    public int freezeSamples(long deployId, List<IntervalSample> samples, Instant at) {
        Objects.requireNonNull(at, "at");
        int stored = 0;
        // One statement per interval, outside a transaction: an interval frozen before (by a retry, or by another
        // replica at the same moment) is skipped without aborting the others, and each row is whole on its own.
        for (IntervalSample s : samples) {
            stored += firstOneStays(deployId, () -> db.dsl()
                    .insertInto(CANARY_SAMPLE)
                    .set(CANARY_SAMPLE.DEPLOY_ID, deployId)
                    .set(CANARY_SAMPLE.T, s.t())
                    .set(CANARY_SAMPLE.BASELINE_REQUESTS, orNull(s.baseline().requests()))
                    .set(CANARY_SAMPLE.BASELINE_ERRORS, orNull(s.baseline().errors()))
                    .set(CANARY_SAMPLE.BASELINE_P50_MS, orNull(s.baseline().p50Ms()))
                    .set(CANARY_SAMPLE.BASELINE_P99_MS, orNull(s.baseline().p99Ms()))
                    .set(CANARY_SAMPLE.BASELINE_RESTARTS, orNull(s.baseline().restarts()))
                    .set(CANARY_SAMPLE.CANARY_REQUESTS, orNull(s.canary().requests()))
                    .set(CANARY_SAMPLE.CANARY_ERRORS, orNull(s.canary().errors()))
                    .set(CANARY_SAMPLE.CANARY_P50_MS, orNull(s.canary().p50Ms()))
                    .set(CANARY_SAMPLE.CANARY_P99_MS, orNull(s.canary().p99Ms()))
                    .set(CANARY_SAMPLE.CANARY_RESTARTS, orNull(s.canary().restarts()))
                    .set(CANARY_SAMPLE.RECORDED_AT, odt(at))
                    .onDuplicateKeyIgnore()
                    .execute());
        }
        return stored;
    }

    /** SQLSTATEs of a row that refers to a missing one: PostgreSQL's (23503) and H2's (23506). */
    private static final java.util.Set<String> FOREIGN_KEY_VIOLATIONS = java.util.Set.of("23503", "23506");

    /** NaN (no data) as SQL NULL: the column says "nothing observed" rather than a number that is not one. */
    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static IntervalSample toSample(CanarySampleRecord r) {
        return new IntervalSample(
                r.getT(),
                new TrackSample(
                        orNaN(r.getBaselineRequests()),
                        orNaN(r.getBaselineErrors()),
                        orNaN(r.getBaselineP50Ms()),
                        orNaN(r.getBaselineP99Ms()),
                        orNaN(r.getBaselineRestarts())),
                new TrackSample(
                        orNaN(r.getCanaryRequests()),
                        orNaN(r.getCanaryErrors()),
                        orNaN(r.getCanaryP50Ms()),
                        orNaN(r.getCanaryP99Ms()),
                        orNaN(r.getCanaryRestarts())));
    }

    private static void requireService(String service) {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException(
                    "service must be a service name, got " + (service == null ? "null" : "'" + service + "'"));
        }
    }

    static Deploy toDeploy(DeployRecord r) {
        return new Deploy(
                r.getId(),
                r.getRequestId(),
                r.getService(),
                r.getVersion(),
                r.getEnvironment(),
                DeployState.valueOf(r.getState()),
                r.getStep(),
                r.getRiskScore() == null ? OptionalDouble.empty() : OptionalDouble.of(r.getRiskScore()),
                Optional.ofNullable(r.getEscalated()),
                r.getEmergency(),
                r.getCreatedAt().toInstant(),
                r.getUpdatedAt().toInstant(),
                r.getRevision());
    }

    private static DeployRequest toRequest(DeployRequestRecord r) {
        return new DeployRequest(
                r.getIdempotencyKey(),
                RequestSource.valueOf(r.getSource()),
                r.getService(),
                r.getVersion(),
                r.getEnvironment(),
                r.getRequestedBy(),
                r.getEmergency(),
                r.getPayload(),
                r.getReceivedAt().toInstant());
    }
}
