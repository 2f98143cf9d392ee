package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.RISK_MODEL;

import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskModelStore;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.tables.records.RiskModelRecord;
import java.time.Instant;
import java.util.Optional;
import org.jooq.impl.DSL;

/** Risk models on H2 or PostgreSQL. */
public final class JooqRiskModelStore implements RiskModelStore {
    private final Database db;

    public JooqRiskModelStore(Database db) {
        this.db = db;
    }

    @Override
    public StoredModel activate(String name, RiskModel model, Instant at) {
        return db.dsl().transactionResult(cfg -> {
            var tx = DSL.using(cfg);
            tx.update(RISK_MODEL)
                    .set(RISK_MODEL.ACTIVE, false)
                    .where(RISK_MODEL.ACTIVE.isTrue())
                    .execute();
            return toStored(tx.insertInto(RISK_MODEL)
                    .set(RISK_MODEL.NAME, name)
                    .set(RISK_MODEL.TRAINED_AT, odt(at))
                    .set(RISK_MODEL.TRAINED_ON, model.training().source())
                    .set(RISK_MODEL.ESCALATION_RATE, model.threshold().targetRate())
                    .set(RISK_MODEL.THRESHOLD, model.threshold().score())
                    .set(RISK_MODEL.MODEL, RiskModelJson.write(model))
                    .set(RISK_MODEL.ACTIVE, true)
                    .returning()
                    .fetchSingle());
        });
    }

    @Override
    public Optional<StoredModel> active() {
        return db.dsl()
                .selectFrom(RISK_MODEL)
                .where(RISK_MODEL.ACTIVE.isTrue())
                .orderBy(RISK_MODEL.ID.desc())
                .limit(1)
                .fetchOptional(JooqRiskModelStore::toStored);
    }

    private static StoredModel toStored(RiskModelRecord r) {
        return new StoredModel(
                r.getId(),
                r.getName(),
                r.getTrainedAt().toInstant(),
                r.getTrainedOn(),
                r.getEscalationRate(),
                r.getThreshold(),
                r.getModel(),
                r.getActive());
    }
}
