package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.isH2LockTimeout;
import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.jooq.Tables.DEPLOY_INTAKE;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.Sql;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * A service's intake step: one transaction that holds the service's {@code deploy_intake} row ({@code SELECT ... FOR
 * UPDATE}) until it commits. Every change that must not interleave with a deploy of the service being stored (the
 * storing itself, {@link JooqDeployStore#intake}; a later announcement of one of its builds, {@link
 * JooqBuildCatalog#replace}), and every claim of the service's rollout and taking of its lock (which must not
 * interleave with each other: {@link JooqDeployStore#claimRolloutUnlessLocked}, {@link JooqPolicyStore#takeLock}),
 * takes it, from any replica: it waits there, and then, each statement reading what was
 * committed before it (both databases' default READ COMMITTED), finds what the step before it stored. H2 gives up
 * waiting for a row lock after its lock timeout (PostgreSQL waits): nothing of the step was kept, and it waits its turn
 * again, up to {@link Sql#LOCK_ATTEMPTS} times.
 */
final class IntakeStep {
    private IntakeStep() {}

    /** Runs {@code step} in the service's intake step and returns what it returned. */
    static <T> T run(Database db, String service, Function<DSLContext, T> step) {
        createRow(db, service);
        return Sql.waitingItsTurn(() -> db.dsl().transactionResult(cfg -> {
            var tx = DSL.using(cfg);
            tx.selectFrom(DEPLOY_INTAKE)
                    .where(DEPLOY_INTAKE.SERVICE.eq(service))
                    .forUpdate()
                    .fetchSingle();
            return step.apply(tx);
        }));
    }

    /**
     * Creates the service's {@code deploy_intake} row unless it exists, in a statement of its own: the step's
     * transaction then only has to lock it (two first steps for a service at once both find it there). Only when it is
     * not there yet: on H2, even an insert that would do nothing waits for the row while another step holds it, and
     * gives up after the lock timeout, outside the waits {@link #run} repeats.
     */
    private static void createRow(Database db, String service) {
        if (db.dsl().fetchExists(DEPLOY_INTAKE, DEPLOY_INTAKE.SERVICE.eq(service))) {
            return;
        }
        try {
            db.dsl()
                    .insertInto(DEPLOY_INTAKE)
                    .set(DEPLOY_INTAKE.SERVICE, service)
                    .onConflictDoNothing()
                    .execute();
        } catch (DataAccessException e) {
            // a unique violation, or H2's lock timeout, is another step creating it at the same moment (or holding it
            // just after): it is there
            if (!isUniqueViolation(e) && !isH2LockTimeout(e)) {
                throw e;
            }
        }
    }
}
