package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.jooq.Tables.ANNOUNCED_BUILD;
import static io.harbormaster.storage.jooq.Tables.DEPLOY;
import static io.harbormaster.storage.jooq.Tables.INCIDENT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.risk.ChangeMetrics;
import io.harbormaster.engine.risk.DeployContext;
import io.harbormaster.engine.risk.JitMetric;
import io.harbormaster.engine.risk.LabelledChange;
import io.harbormaster.engine.risk.OutcomeHistory;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.storage.Database;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import org.jooq.impl.DSL;

/**
 * The bot's own deploy history for retraining the risk model: every deploy that reached the cluster and ended
 * (promoted or rolled back) and whose build announced change metrics, labelled failed when it was rolled back or an
 * incident was opened for it. Oldest first.
 */
public final class JooqOutcomeHistory implements OutcomeHistory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    public JooqOutcomeHistory(Database db) {
        this.db = db;
    }

    @Override
    public List<LabelledChange> labelledChanges() {
        var incident = DSL.exists(DSL.selectOne().from(INCIDENT).where(INCIDENT.DEPLOY_ID.eq(DEPLOY.ID)));
        return db
                .dsl()
                .select(DEPLOY.STATE, DEPLOY.CREATED_AT, ANNOUNCED_BUILD.CHANGE_JSON, DSL.field(incident))
                .from(DEPLOY)
                .join(ANNOUNCED_BUILD)
                .on(ANNOUNCED_BUILD.SERVICE.eq(DEPLOY.SERVICE).and(ANNOUNCED_BUILD.VERSION.eq(DEPLOY.VERSION)))
                .where(DEPLOY.STATE.in(DeployState.PROMOTED.name(), DeployState.ROLLED_BACK.name()))
                .orderBy(DEPLOY.CREATED_AT, DEPLOY.ID)
                .fetch()
                .stream()
                .flatMap(r -> metrics(r.value3())
                        .map(m -> new LabelledChange(
                                m,
                                DeployContext.neutral(),
                                DeployState.valueOf(r.value1()) == DeployState.ROLLED_BACK
                                        || Boolean.TRUE.equals(r.value4()),
                                r.value2().toInstant()))
                        .stream())
                .toList();
    }

    /** The change metrics a build announced; a build whose change JSON carries none adds nothing to learn from. */
    static Optional<ChangeMetrics> metrics(String changeJson) {
        JsonNode change;
        try {
            change = JSON.readTree(changeJson);
        } catch (IOException e) {
            return Optional.empty();
        }
        var values = new EnumMap<JitMetric, Double>(JitMetric.class);
        change.fields().forEachRemaining(f -> JitMetric.named(f.getKey()).ifPresent(m -> {
            var v = f.getValue();
            if (v.isNumber()) {
                values.put(m, v.asDouble());
            } else if (v.isBoolean()) {
                values.put(m, v.asBoolean() ? 1.0 : 0.0);
            }
        }));
        return values.isEmpty() ? Optional.empty() : Optional.of(new ChangeMetrics(values));
    }
}
