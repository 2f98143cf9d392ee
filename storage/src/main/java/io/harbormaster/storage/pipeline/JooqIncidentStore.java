package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.INCIDENT;

import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.IncidentStore;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.Sql;
import io.harbormaster.storage.jooq.tables.records.IncidentRecord;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import org.jooq.impl.DSL;

/** Incidents on H2 or PostgreSQL. */
public final class JooqIncidentStore implements IncidentStore {
    private final Database db;

    public JooqIncidentStore(Database db) {
        this.db = db;
    }

    @Override
    public Incident open(
            OptionalLong deployId,
            String service,
            String version,
            String metric,
            String summary,
            String hypothesis,
            Instant at) {
        return toIncident(Sql.waitingItsTurn(() -> db.dsl()
                .insertInto(INCIDENT)
                .set(INCIDENT.DEPLOY_ID, deployId.isPresent() ? deployId.getAsLong() : null)
                .set(INCIDENT.SERVICE, service)
                .set(INCIDENT.VERSION, version)
                .set(INCIDENT.OPENED_AT, odt(at))
                .set(INCIDENT.METRIC, metric)
                .set(INCIDENT.SUMMARY, summary)
                .set(INCIDENT.HYPOTHESIS, hypothesis)
                .returning()
                .fetchSingle()));
    }

    /**
     * Holds the incident's row while {@code beforeResolving} writes its audit entry on another connection (taking one
     * of {@link Database#rowHolders} first), then stores the resolution in the same transaction: a resolution at the
     * same moment, here or on another replica, waits for the row and then finds the incident resolved. H2 gives up
     * waiting for the row after its lock timeout (PostgreSQL waits), as it does for the deploy store's steps: while
     * nothing was audited, nothing happened, and the resolution waits its turn again rather than failing because
     * another one (a person's, a promotion's) held the row a little longer than that.
     */
    @Override
    public Optional<Incident> resolve(long incidentId, String resolution, Instant at, Runnable beforeResolving) {
        try {
            db.rowHolders().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to resolve incident " + incidentId);
        }
        try {
            return Sql.waitingItsTurn(
                    audit -> db.dsl().transactionResult(cfg -> {
                        var tx = DSL.using(cfg);
                        var held = tx.selectFrom(INCIDENT)
                                .where(INCIDENT.ID.eq(incidentId))
                                .forUpdate()
                                .fetchOptional();
                        if (held.isEmpty() || held.get().getResolvedAt() != null) {
                            return held.map(JooqIncidentStore::toIncident);
                        }
                        audit.run();
                        return tx.update(INCIDENT)
                                .set(INCIDENT.RESOLVED_AT, odt(at))
                                .set(INCIDENT.RESOLUTION, resolution)
                                .where(INCIDENT.ID.eq(incidentId))
                                .returning()
                                .fetchOptional()
                                .map(JooqIncidentStore::toIncident);
                    }),
                    beforeResolving);
        } finally {
            db.rowHolders().release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The update waits for the incident's row while a resolution holds it (writing its audit entry), here or on
     * another replica, past H2's lock timeout as {@link #resolve} does: the advisor's hypothesis is not lost because a
     * person resolved the incident at that moment.
     */
    @Override
    public Incident hypothesize(long incidentId, String hypothesis) {
        return Sql.waitingItsTurn(() -> db.dsl()
                        .update(INCIDENT)
                        .set(INCIDENT.HYPOTHESIS, hypothesis)
                        .where(INCIDENT.ID.eq(incidentId))
                        .returning()
                        .fetchOptional())
                .map(JooqIncidentStore::toIncident)
                .orElseThrow(() -> new NoSuchElementException("no incident " + incidentId));
    }

    @Override
    public List<Incident> recent(String service, Instant since) {
        return db.dsl()
                .selectFrom(INCIDENT)
                .where(INCIDENT.SERVICE.eq(service))
                .and(INCIDENT.OPENED_AT.ge(odt(since)))
                .orderBy(INCIDENT.OPENED_AT.desc(), INCIDENT.ID.desc())
                .fetch(JooqIncidentStore::toIncident);
    }

    @Override
    public List<Incident> latest(String service, int limit) {
        return db.dsl()
                .selectFrom(INCIDENT)
                .where(INCIDENT.SERVICE.eq(service))
                .orderBy(INCIDENT.OPENED_AT.desc(), INCIDENT.ID.desc())
                .limit(limit)
                .fetch(JooqIncidentStore::toIncident);
    }

    @Override
    public List<Incident> ofVersion(String service, String version) {
        return db.dsl()
                .selectFrom(INCIDENT)
                .where(INCIDENT.SERVICE.eq(service))
                .and(INCIDENT.VERSION.eq(version))
                .orderBy(INCIDENT.OPENED_AT.desc(), INCIDENT.ID.desc())
                .fetch(JooqIncidentStore::toIncident);
    }

    @Override
    public Optional<Incident> find(long incidentId) {
        return db.dsl()
                .selectFrom(INCIDENT)
                .where(INCIDENT.ID.eq(incidentId))
                .fetchOptional()
                .map(JooqIncidentStore::toIncident);
    }

    @Override
    public List<Incident> unresolved(String service) {
        return db.dsl()
                .selectFrom(INCIDENT)
                .where(INCIDENT.SERVICE.eq(service))
                .and(INCIDENT.RESOLVED_AT.isNull())
                .orderBy(INCIDENT.OPENED_AT, INCIDENT.ID)
                .fetch(JooqIncidentStore::toIncident);
    }

    private static Incident toIncident(IncidentRecord r) {
        return new Incident(
                r.getId(),
                r.getDeployId() == null ? OptionalLong.empty() : OptionalLong.of(r.getDeployId()),
                r.getService(),
                r.getVersion(),
                r.getOpenedAt().toInstant(),
                r.getMetric(),
                r.getSummary(),
                r.getHypothesis(),
                Optional.ofNullable(r.getResolvedAt()).map(t -> t.toInstant()),
                Optional.ofNullable(r.getResolution()));
    }
}
