package io.harbormaster.storage.slack;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.SLACK_REQUEST_SEEN;

import io.harbormaster.engine.text.Texts;
import io.harbormaster.storage.Database;
import java.time.Duration;
import java.time.Instant;
import org.jooq.exception.DataAccessException;

/**
 * The Slack requests the replicas sharing this database have taken, by key (a slash command's trigger id), so that the
 * same request again is recognised on whichever replica it reaches: Slack sends a command once, and a repeat is a
 * captured request replayed while its signature holds. A key is kept for {@link #KEPT}, far longer than a signature is
 * honoured.
 */
public final class JooqSlackRequests {
    /** How long a key is remembered. */
    public static final Duration KEPT = Duration.ofHours(1);

    private final Database db;

    public JooqSlackRequests(Database db) {
        this.db = db;
    }

    /**
     * Whether no replica took {@code key} before (it is recorded now, at {@code now}); false when one did. Keys older
     * than {@link #KEPT} are forgotten first.
     */
    public boolean firstTime(String key, Instant now) {
        var dsl = db.dsl();
        dsl.deleteFrom(SLACK_REQUEST_SEEN)
                .where(SLACK_REQUEST_SEEN.SEEN_AT.lt(odt(now.minus(KEPT))))
                .execute();
        try {
            dsl.insertInto(SLACK_REQUEST_SEEN)
                    .set(SLACK_REQUEST_SEEN.KEY_SHA256, Texts.sha256(key))
                    .set(SLACK_REQUEST_SEEN.SEEN_AT, odt(now))
                    .execute();
            return true;
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }
}
