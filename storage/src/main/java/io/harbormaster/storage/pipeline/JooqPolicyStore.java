package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.AUTO_DEPLOY_BLOCK;
import static io.harbormaster.storage.jooq.Tables.CHANGE_FREEZE;
import static io.harbormaster.storage.jooq.Tables.SERVICE_LOCK;
import static io.harbormaster.storage.jooq.Tables.SERVICE_ROLLOUT;

import io.harbormaster.engine.policy.AutoDeployBlock;
import io.harbormaster.engine.policy.Freeze;
import io.harbormaster.engine.policy.LockTaken;
import io.harbormaster.engine.policy.PolicyStore;
import io.harbormaster.engine.policy.ServiceLock;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.tables.records.AutoDeployBlockRecord;
import io.harbormaster.storage.jooq.tables.records.ChangeFreezeRecord;
import io.harbormaster.storage.jooq.tables.records.ServiceLockRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Locks, freezes and automatic-deploy blocks on H2 or PostgreSQL. */
public final class JooqPolicyStore implements PolicyStore {
    private final Database db;

    public JooqPolicyStore(Database db) {
        this.db = db;
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the service's {@link IntakeStep}, as every claim of its rollout is ({@link
     * JooqDeployStore#claimRolloutUnlessLocked}): the claim this reads, after holding the step, is the one committed
     * before it, and a claim after it finds the lock.
     */
    @Override
    public LockTaken takeLock(ServiceLock lock) {
        return IntakeStep.run(db, lock.service(), tx -> {
            int stored = tx.insertInto(SERVICE_LOCK)
                    .set(SERVICE_LOCK.SERVICE, lock.service())
                    .set(SERVICE_LOCK.REASON, lock.reason())
                    .set(SERVICE_LOCK.LOCKED_BY, lock.lockedBy())
                    .set(SERVICE_LOCK.LOCKED_AT, odt(lock.lockedAt()))
                    .onConflictDoNothing()
                    .execute();
            if (stored == 0) {
                var existing = lockOf(tx, lock.service())
                        .orElseThrow(() -> new IllegalStateException(
                                "the lock of " + lock.service() + " conflicted but cannot be found"));
                return new LockTaken(existing, OptionalLong.empty());
            }
            var rollingOut = tx.select(SERVICE_ROLLOUT.DEPLOY_ID)
                    .from(SERVICE_ROLLOUT)
                    .where(SERVICE_ROLLOUT.SERVICE.eq(lock.service()))
                    .fetchOptional(SERVICE_ROLLOUT.DEPLOY_ID);
            return new LockTaken(lock, rollingOut.map(OptionalLong::of).orElse(OptionalLong.empty()));
        });
    }

    @Override
    public Optional<ServiceLock> unlock(String service) {
        return db.dsl().transactionResult(cfg -> {
            var tx = DSL.using(cfg);
            var existing = tx.selectFrom(SERVICE_LOCK)
                    .where(SERVICE_LOCK.SERVICE.eq(service))
                    .forUpdate()
                    .fetchOptional(JooqPolicyStore::toLock);
            existing.ifPresent(l -> tx.deleteFrom(SERVICE_LOCK)
                    .where(SERVICE_LOCK.SERVICE.eq(service))
                    .execute());
            return existing;
        });
    }

    @Override
    public Optional<ServiceLock> lockOf(String service) {
        return lockOf(db.dsl(), service);
    }

    /** The service's lock as {@code dsl} (a step's transaction, say) reads it. */
    static Optional<ServiceLock> lockOf(DSLContext dsl, String service) {
        return dsl.selectFrom(SERVICE_LOCK)
                .where(SERVICE_LOCK.SERVICE.eq(service))
                .fetchOptional(JooqPolicyStore::toLock);
    }

    @Override
    public Freeze addFreeze(
            Optional<String> service, Instant startsAt, Instant endsAt, String reason, String createdBy) {
        if (!startsAt.isBefore(endsAt)) {
            throw new IllegalArgumentException("a freeze must start before it ends");
        }
        return toFreeze(db.dsl()
                .insertInto(CHANGE_FREEZE)
                .set(CHANGE_FREEZE.SERVICE, service.orElse(null))
                .set(CHANGE_FREEZE.STARTS_AT, odt(startsAt))
                .set(CHANGE_FREEZE.ENDS_AT, odt(endsAt))
                .set(CHANGE_FREEZE.REASON, reason)
                .set(CHANGE_FREEZE.CREATED_BY, createdBy)
                .returning()
                .fetchSingle());
    }

    @Override
    public List<Freeze> freezesCovering(String service, Instant at) {
        return db.dsl()
                .selectFrom(CHANGE_FREEZE)
                .where(CHANGE_FREEZE.SERVICE.eq(service).or(CHANGE_FREEZE.SERVICE.isNull()))
                .and(CHANGE_FREEZE.STARTS_AT.le(odt(at)))
                .and(CHANGE_FREEZE.ENDS_AT.gt(odt(at)))
                .orderBy(CHANGE_FREEZE.ID)
                .fetch(JooqPolicyStore::toFreeze);
    }

    @Override
    public AutoDeployBlock blockAutoDeploys(String service, Instant until, String reason, OptionalLong deployId) {
        return db.dsl().transactionResult(cfg -> {
            var tx = DSL.using(cfg);
            var existing = tx.selectFrom(AUTO_DEPLOY_BLOCK)
                    .where(AUTO_DEPLOY_BLOCK.SERVICE.eq(service))
                    .forUpdate()
                    .fetchOptional();
            Long deploy = deployId.isPresent() ? deployId.getAsLong() : null;
            if (existing.isEmpty()) {
                tx.insertInto(AUTO_DEPLOY_BLOCK)
                        .set(AUTO_DEPLOY_BLOCK.SERVICE, service)
                        .set(AUTO_DEPLOY_BLOCK.UNTIL_AT, odt(until))
                        .set(AUTO_DEPLOY_BLOCK.REASON, reason)
                        .set(AUTO_DEPLOY_BLOCK.DEPLOY_ID, deploy)
                        .execute();
            } else if (existing.get().getUntilAt().toInstant().isBefore(until)) {
                tx.update(AUTO_DEPLOY_BLOCK)
                        .set(AUTO_DEPLOY_BLOCK.UNTIL_AT, odt(until))
                        .set(AUTO_DEPLOY_BLOCK.REASON, reason)
                        .set(AUTO_DEPLOY_BLOCK.DEPLOY_ID, deploy)
                        .where(AUTO_DEPLOY_BLOCK.SERVICE.eq(service))
                        .execute();
            }
            return toBlock(tx.selectFrom(AUTO_DEPLOY_BLOCK)
                    .where(AUTO_DEPLOY_BLOCK.SERVICE.eq(service))
                    .fetchSingle());
        });
    }

    @Override
    public Optional<AutoDeployBlock> autoDeployBlock(String service, Instant at) {
        return db.dsl()
                .selectFrom(AUTO_DEPLOY_BLOCK)
                .where(AUTO_DEPLOY_BLOCK.SERVICE.eq(service))
                .and(AUTO_DEPLOY_BLOCK.UNTIL_AT.gt(odt(at)))
                .fetchOptional(JooqPolicyStore::toBlock);
    }

    private static ServiceLock toLock(ServiceLockRecord r) {
        return new ServiceLock(
                r.getService(), r.getReason(), r.getLockedBy(), r.getLockedAt().toInstant());
    }

    private static Freeze toFreeze(ChangeFreezeRecord r) {
        return new Freeze(
                r.getId(),
                Optional.ofNullable(r.getService()),
                r.getStartsAt().toInstant(),
                r.getEndsAt().toInstant(),
                r.getReason(),
                r.getCreatedBy());
    }

    private static AutoDeployBlock toBlock(AutoDeployBlockRecord r) {
        return new AutoDeployBlock(
                r.getService(),
                r.getUntilAt().toInstant(),
                r.getReason(),
                r.getDeployId() == null ? OptionalLong.empty() : OptionalLong.of(r.getDeployId()));
    }
}
