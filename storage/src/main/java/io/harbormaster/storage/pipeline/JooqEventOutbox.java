package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.DEPLOY_EVENT_OUTBOX;
import static io.harbormaster.storage.jooq.Tables.EVENT_PUBLISHER;

import io.harbormaster.engine.rollout.DeployEvent;
import io.harbormaster.engine.rollout.DeployEventJson;
import io.harbormaster.engine.rollout.EventOutbox;
import io.harbormaster.storage.Database;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jooq.DSLContext;

/**
 * The outbox of {@code deploy.events} on H2 or PostgreSQL: {@link JooqDeployStore#withEventOutbox} records each
 * change's event in the change's transaction ({@link #record}); the relay reads, marks and deletes them here.
 */
public final class JooqEventOutbox implements EventOutbox {
    /** The outbox's row in {@code event_publisher}, whose lease says which replica publishes. */
    static final String PUBLISHER = "deploy_event_outbox";

    private final Database db;

    public JooqEventOutbox(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Records {@code event} in the caller's transaction: it is published only if the transaction commits. */
    static void record(DSLContext tx, DeployEvent event) {
        tx.insertInto(DEPLOY_EVENT_OUTBOX)
                .set(DEPLOY_EVENT_OUTBOX.DEPLOY_ID, event.deployId())
                .set(DEPLOY_EVENT_OUTBOX.ORDINAL, event.sequence())
                .set(DEPLOY_EVENT_OUTBOX.PAYLOAD, DeployEventJson.toJson(event))
                .execute();
    }

    @Override
    public List<Pending> pending(int limit) {
        return db.dsl()
                .select(DEPLOY_EVENT_OUTBOX.ID, DEPLOY_EVENT_OUTBOX.DEPLOY_ID, DEPLOY_EVENT_OUTBOX.PAYLOAD)
                .from(DEPLOY_EVENT_OUTBOX)
                .where(DEPLOY_EVENT_OUTBOX.PUBLISHED_AT.isNull())
                .orderBy(DEPLOY_EVENT_OUTBOX.ID)
                .limit(limit)
                .fetch(r -> read(r.value1(), r.value2(), r.value3()));
    }

    /** A row as the relay gets it: its event, or why this version cannot read it (one row never hides the others). */
    private static Pending read(long id, long deployId, String payload) {
        try {
            return new Pending(id, DeployEventJson.fromJson(payload));
        } catch (RuntimeException e) {
            return Pending.unreadable(id, deployId, String.valueOf(e.getMessage()));
        }
    }

    @Override
    public long pendingCount() {
        return db.dsl().fetchCount(DEPLOY_EVENT_OUTBOX, DEPLOY_EVENT_OUTBOX.PUBLISHED_AT.isNull());
    }

    @Override
    public void published(List<Long> ids, Instant at) {
        if (ids.isEmpty()) {
            return;
        }
        db.dsl()
                .update(DEPLOY_EVENT_OUTBOX)
                .set(DEPLOY_EVENT_OUTBOX.PUBLISHED_AT, odt(at))
                .where(DEPLOY_EVENT_OUTBOX.ID.in(ids))
                .and(DEPLOY_EVENT_OUTBOX.PUBLISHED_AT.isNull())
                .execute();
    }

    @Override
    public int forgetPublished(Instant before) {
        return db.dsl()
                .deleteFrom(DEPLOY_EVENT_OUTBOX)
                .where(DEPLOY_EVENT_OUTBOX.PUBLISHED_AT.lt(odt(before)))
                .execute();
    }

    @Override
    public boolean tryLead(String owner, Instant now, Instant until) {
        return db.dsl()
                        .update(EVENT_PUBLISHER)
                        .set(EVENT_PUBLISHER.LEASE_OWNER, owner)
                        .set(EVENT_PUBLISHER.LEASE_UNTIL, odt(until))
                        .where(EVENT_PUBLISHER.NAME.eq(PUBLISHER))
                        .and(EVENT_PUBLISHER
                                .LEASE_OWNER
                                .isNull()
                                .or(EVENT_PUBLISHER.LEASE_OWNER.eq(owner))
                                .or(EVENT_PUBLISHER.LEASE_UNTIL.lt(odt(now))))
                        .execute()
                == 1;
    }

    @Override
    public void releaseLead(String owner) {
        db.dsl()
                .update(EVENT_PUBLISHER)
                .setNull(EVENT_PUBLISHER.LEASE_OWNER)
                .setNull(EVENT_PUBLISHER.LEASE_UNTIL)
                .where(EVENT_PUBLISHER.NAME.eq(PUBLISHER))
                .and(EVENT_PUBLISHER.LEASE_OWNER.eq(owner))
                .execute();
    }
}
