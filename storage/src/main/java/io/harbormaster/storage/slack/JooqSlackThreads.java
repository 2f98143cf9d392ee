package io.harbormaster.storage.slack;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.jooq.Tables.SLACK_APPROVAL_CARD;
import static io.harbormaster.storage.jooq.Tables.SLACK_PAUSE_MESSAGE;
import static io.harbormaster.storage.jooq.Tables.SLACK_REVIEW_CARD;
import static io.harbormaster.storage.jooq.Tables.SLACK_THREAD;

import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.tables.records.SlackPauseMessageRecord;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;

/**
 * Each deploy's Slack thread, and the approval card, review request and pause messages in it, on H2 or PostgreSQL, so
 * any replica (and a restarted one) finds them again.
 */
public final class JooqSlackThreads {
    private final Database db;

    public JooqSlackThreads(Database db) {
        this.db = db;
    }

    /** Records a deploy's thread; if one was recorded before (another replica, a retry), that one is kept and returned. */
    public SlackThread save(SlackThread thread) {
        return firstKept(
                thread,
                () -> db.dsl()
                        .insertInto(SLACK_THREAD)
                        .set(SLACK_THREAD.DEPLOY_ID, thread.deployId())
                        .set(SLACK_THREAD.CHANNEL, thread.channel())
                        .set(SLACK_THREAD.TS, thread.ts())
                        .execute(),
                () -> find(thread.deployId()));
    }

    /**
     * Stores {@code row} with {@code insert} and returns it; when the deploy has one already (the insert breaks its
     * primary key), the one {@code earlier} reads is kept and returned instead.
     */
    private static <T> T firstKept(T row, Runnable insert, Supplier<Optional<T>> earlier) {
        try {
            insert.run();
            return row;
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                return earlier.get().orElseThrow(() -> e);
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

    /**
     * Records a deploy's approval card; if one was recorded before (another replica, a retry), that one is kept and
     * returned.
     */
    public SlackApprovalCard saveCard(SlackApprovalCard card) {
        return firstKept(
                card,
                () -> db.dsl()
                        .insertInto(SLACK_APPROVAL_CARD)
                        .set(SLACK_APPROVAL_CARD.DEPLOY_ID, card.deployId())
                        .set(SLACK_APPROVAL_CARD.CHANNEL, card.channel())
                        .set(SLACK_APPROVAL_CARD.TS, card.ts())
                        .set(SLACK_APPROVAL_CARD.CARD, card.card())
                        .execute(),
                () -> findCard(card.deployId()));
    }

    public Optional<SlackApprovalCard> findCard(long deployId) {
        return db.dsl()
                .selectFrom(SLACK_APPROVAL_CARD)
                .where(SLACK_APPROVAL_CARD.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> new SlackApprovalCard(r.getDeployId(), r.getChannel(), r.getTs(), r.getCard()));
    }

    /**
     * Records an emergency deploy's review request; if one was recorded before (another replica, a retry), that one is
     * kept and returned.
     */
    public SlackReviewCard saveReviewCard(SlackReviewCard card) {
        return firstKept(
                card,
                () -> db.dsl()
                        .insertInto(SLACK_REVIEW_CARD)
                        .set(SLACK_REVIEW_CARD.DEPLOY_ID, card.deployId())
                        .set(SLACK_REVIEW_CARD.CHANNEL, card.channel())
                        .set(SLACK_REVIEW_CARD.TS, card.ts())
                        .execute(),
                () -> findReviewCard(card.deployId()));
    }

    public Optional<SlackReviewCard> findReviewCard(long deployId) {
        return db.dsl()
                .selectFrom(SLACK_REVIEW_CARD)
                .where(SLACK_REVIEW_CARD.DEPLOY_ID.eq(deployId))
                .fetchOptional(r -> new SlackReviewCard(r.getDeployId(), r.getChannel(), r.getTs()));
    }

    /**
     * Records a canary's pause message; if one was recorded for the same pause before (another replica, a retry), that
     * one is kept and returned.
     */
    public SlackPauseMessage savePauseMessage(SlackPauseMessage message) {
        return firstKept(
                message,
                () -> db.dsl()
                        .insertInto(SLACK_PAUSE_MESSAGE)
                        .set(SLACK_PAUSE_MESSAGE.DEPLOY_ID, message.deployId())
                        .set(SLACK_PAUSE_MESSAGE.PAUSE_ORDINAL, message.pauseOrdinal())
                        .set(SLACK_PAUSE_MESSAGE.CHANNEL, message.channel())
                        .set(SLACK_PAUSE_MESSAGE.TS, message.ts())
                        .set(SLACK_PAUSE_MESSAGE.REASON, message.reason())
                        .set(SLACK_PAUSE_MESSAGE.ENDED, message.ended().orElse(null))
                        .execute(),
                () -> db.dsl()
                        .selectFrom(SLACK_PAUSE_MESSAGE)
                        .where(SLACK_PAUSE_MESSAGE.DEPLOY_ID.eq(message.deployId()))
                        .and(SLACK_PAUSE_MESSAGE.PAUSE_ORDINAL.eq(message.pauseOrdinal()))
                        .fetchOptional(JooqSlackThreads::pauseMessage));
    }

    /** The deploy's pause messages whose buttons are still live (no end written on them), oldest pause first. */
    public List<SlackPauseMessage> openPauseMessages(long deployId) {
        return db.dsl()
                .selectFrom(SLACK_PAUSE_MESSAGE)
                .where(SLACK_PAUSE_MESSAGE.DEPLOY_ID.eq(deployId))
                .and(SLACK_PAUSE_MESSAGE.ENDED.isNull())
                .orderBy(SLACK_PAUSE_MESSAGE.PAUSE_ORDINAL)
                .fetch(JooqSlackThreads::pauseMessage);
    }

    /** The deploy's pause messages, oldest pause first. */
    public List<SlackPauseMessage> pauseMessages(long deployId) {
        return db.dsl()
                .selectFrom(SLACK_PAUSE_MESSAGE)
                .where(SLACK_PAUSE_MESSAGE.DEPLOY_ID.eq(deployId))
                .orderBy(SLACK_PAUSE_MESSAGE.PAUSE_ORDINAL)
                .fetch(JooqSlackThreads::pauseMessage);
    }

    /**
     * Records how a pause ended, once that is written on its message; an end recorded before is kept. Whether this one
     * was recorded.
     */
    public boolean pauseEnded(long deployId, int pauseOrdinal, String ended) {
        return db.dsl()
                        .update(SLACK_PAUSE_MESSAGE)
                        .set(SLACK_PAUSE_MESSAGE.ENDED, ended)
                        .where(SLACK_PAUSE_MESSAGE.DEPLOY_ID.eq(deployId))
                        .and(SLACK_PAUSE_MESSAGE.PAUSE_ORDINAL.eq(pauseOrdinal))
                        .and(SLACK_PAUSE_MESSAGE.ENDED.isNull())
                        .execute()
                == 1;
    }

    private static SlackPauseMessage pauseMessage(SlackPauseMessageRecord r) {
        return new SlackPauseMessage(
                r.getDeployId(),
                r.getPauseOrdinal(),
                r.getChannel(),
                r.getTs(),
                r.getReason(),
                Optional.ofNullable(r.getEnded()));
    }
}
