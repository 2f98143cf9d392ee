package io.harbormaster.storage.slack;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.jooq.Tables.SLACK_THREAD;

import io.harbormaster.storage.Database;
import java.util.Optional;
import org.jooq.exception.DataAccessException;

/** Each deploy's Slack thread on H2 or PostgreSQL, so any replica (and a restarted one) finds it again. */
public final class JooqSlackThreads {
    private final Database db;

    public JooqSlackThreads(Database db) {
        this.db = db;
    }

    /** Records a deploy's thread; if one was recorded before (another replica, a retry), that one is kept and returned. */
    public SlackThread save(SlackThread thread) {
        try {
            db.dsl()
                    .insertInto(SLACK_THREAD)
                    .set(SLACK_THREAD.DEPLOY_ID, thread.deployId())
                    .set(SLACK_THREAD.CHANNEL, thread.channel())
                    .set(SLACK_THREAD.TS, thread.ts())
                    .execute();
            return thread;
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                return find(thread.deployId()).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    public Optional<SlackThread> find(long deployId) {
        return db.dsl()
                .selectFrom(SLACK_THREAD)
                .where(SLACK_THREAD.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> new SlackThread(r.getDeployId(), r.getChannel(), r.getTs()));
    }
}
