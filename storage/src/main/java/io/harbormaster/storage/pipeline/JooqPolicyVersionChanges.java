package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.POLICY_VERSION_CHANGE;

import io.harbormaster.engine.policy.PolicyVersionChanges;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.tables.records.PolicyVersionChangeRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The changes of the policy version on H2 or PostgreSQL (table {@code policy_version_change}). A claim reads the
 * changes after the replica's last one and, when none is the one it sees, inserts the next place and runs the audit
 * entry in the same transaction: the primary key makes a replica inserting the same place at the same moment wait for
 * that transaction, and then fail if it committed, so that it reads again and finds the change recorded.
 */
public final class JooqPolicyVersionChanges implements PolicyVersionChanges {
    /**
     * Failures after which a claim reads again, as long as the audit entry has not been written: the place taken by a
     * replica that committed first (unique violation), and H2 giving up waiting for it (lock timeout, or an MVCC
     * conflict).
     */
    private static final Set<String> TAKEN_MEANWHILE = Set.of("23505", "HYT00", "90131");

    /** Reads again at most this often: each failure means another replica recorded a change in between. */
    private static final int ATTEMPTS = 10;

    private final Database db;

    public JooqPolicyVersionChanges(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public long newest() {
        var newest = db.dsl()
                .select(DSL.max(POLICY_VERSION_CHANGE.PLACE))
                .from(POLICY_VERSION_CHANGE)
                .fetchOne(0, Long.class);
        return newest == null ? 0 : newest;
    }

    @Override
    public Claim claim(long since, String from, String to, String replica, Instant at, Runnable beforeRecording) {
        Objects.requireNonNull(beforeRecording, "beforeRecording");
        for (int attempt = 1; ; attempt++) {
            var audited = new boolean[1];
            try {
                return db.dsl().transactionResult(cfg -> {
                    var tx = DSL.using(cfg);
                    var after = tx.selectFrom(POLICY_VERSION_CHANGE)
                            .where(POLICY_VERSION_CHANGE.PLACE.gt(since))
                            .orderBy(POLICY_VERSION_CHANGE.PLACE)
                            .fetch();
                    var seen = seen(after, to);
                    if (seen.isPresent()) {
                        return seen.get();
                    }
                    long place = (after.isEmpty() ? since : after.getLast().getPlace()) + 1;
                    tx.insertInto(POLICY_VERSION_CHANGE)
                            .set(POLICY_VERSION_CHANGE.PLACE, place)
                            .set(POLICY_VERSION_CHANGE.POLICY_VERSION, to)
                            .set(POLICY_VERSION_CHANGE.FROM_VERSION, from)
                            .set(POLICY_VERSION_CHANGE.REPLICA, replica)
                            .set(POLICY_VERSION_CHANGE.RECORDED_AT, odt(at))
                            .execute();
                    audited[0] = true;
                    beforeRecording.run();
                    return new Claim.Recorded(place);
                });
            } catch (DataAccessException e) {
                if (audited[0] || !TAKEN_MEANWHILE.contains(e.sqlState()) || attempt == ATTEMPTS) {
                    throw e;
                }
                if (!isUniqueViolation(e)) {
                    pause(); // H2 stopped waiting for the other transaction: give it a moment to end
                }
            }
        }
    }

    /**
     * The change among {@code after} (the changes after the replica's last, oldest first) that a replica seeing the
     * file at {@code to} sees: the newest if it is to {@code to} (the replica caught up with every change), else the
     * first to {@code to} (the file went on, or back, after it).
     */
    private static Optional<Claim> seen(List<PolicyVersionChangeRecord> after, String to) {
        if (after.isEmpty()) {
            return Optional.empty();
        }
        var newest = after.getLast();
        var found = newest.getPolicyVersion().equals(to)
                ? Optional.of(newest)
                : after.stream().filter(r -> r.getPolicyVersion().equals(to)).findFirst();
        return found.map(r -> new Claim.Seen(r.getPlace(), r.getReplica()));
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while claiming a change of the policy version", e);
        }
    }
}
