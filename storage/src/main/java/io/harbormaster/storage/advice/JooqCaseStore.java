package io.harbormaster.storage.advice;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.ADVISOR_CASE;
import static io.harbormaster.storage.jooq.Tables.INCIDENT;

import io.harbormaster.engine.advice.CaseStore;
import io.harbormaster.engine.advice.PastCase;
import io.harbormaster.storage.Database;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** The advisor's past cases and their embeddings on H2 or PostgreSQL. */
public final class JooqCaseStore implements CaseStore {
    private final Database db;

    public JooqCaseStore(Database db) {
        this.db = db;
    }

    /** Stores a case; a case already stored for the same model (a retry, another replica) is kept as it was. */
    @Override
    public void save(PastCase c, String embeddingModel, float[] embedding) {
        try {
            db.dsl()
                    .insertInto(ADVISOR_CASE)
                    .set(ADVISOR_CASE.CASE_KEY, c.ref())
                    .set(ADVISOR_CASE.KIND, c.kind().name())
                    .set(ADVISOR_CASE.DEPLOY_ID, c.deployId())
                    .set(
                            ADVISOR_CASE.INCIDENT_ID,
                            c.incidentId().isPresent() ? c.incidentId().getAsLong() : null)
                    .set(ADVISOR_CASE.SERVICE, c.service())
                    .set(ADVISOR_CASE.VERSION, c.version())
                    .set(ADVISOR_CASE.TEXT, c.text())
                    .set(ADVISOR_CASE.OUTCOME, c.outcome())
                    .set(ADVISOR_CASE.HAPPENED_AT, odt(c.at()))
                    .set(ADVISOR_CASE.EMBEDDING_MODEL, embeddingModel)
                    .set(ADVISOR_CASE.EMBEDDING, encode(embedding))
                    .execute();
        } catch (DataAccessException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    @Override
    public List<StoredCase> recent(String embeddingModel, int limit) {
        var outcome = DSL.coalesce(INCIDENT.RESOLUTION, ADVISOR_CASE.OUTCOME);
        return db.dsl()
                .select(ADVISOR_CASE.asterisk(), outcome.as("current_outcome"))
                .from(ADVISOR_CASE)
                .leftJoin(INCIDENT)
                .on(INCIDENT.ID.eq(ADVISOR_CASE.INCIDENT_ID))
                .where(ADVISOR_CASE.EMBEDDING_MODEL.eq(embeddingModel))
                .orderBy(ADVISOR_CASE.ID.desc())
                .limit(limit)
                .fetch(r -> new StoredCase(
                        new PastCase(
                                PastCase.Kind.valueOf(r.get(ADVISOR_CASE.KIND)),
                                r.get(ADVISOR_CASE.DEPLOY_ID),
                                r.get(ADVISOR_CASE.INCIDENT_ID) == null
                                        ? OptionalLong.empty()
                                        : OptionalLong.of(r.get(ADVISOR_CASE.INCIDENT_ID)),
                                r.get(ADVISOR_CASE.SERVICE),
                                r.get(ADVISOR_CASE.VERSION),
                                r.get(ADVISOR_CASE.TEXT),
                                r.get("current_outcome", String.class),
                                r.get(ADVISOR_CASE.HAPPENED_AT).toInstant()),
                        decode(r.get(ADVISOR_CASE.EMBEDDING))));
    }

    static String encode(float[] vector) {
        var buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            buffer.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    static float[] decode(String text) {
        var buffer = ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
        var vector = new float[buffer.remaining() / Float.BYTES];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = buffer.getFloat();
        }
        return vector;
    }
}
