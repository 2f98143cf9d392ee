package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.bot.slack.messages.EscalationCard;
import io.harbormaster.storage.slack.JooqSlackThreads;
import io.harbormaster.storage.slack.SlackApprovalCard;
import io.harbormaster.storage.slack.SlackPauseMessage;
import io.harbormaster.storage.slack.SlackReviewCard;
import io.harbormaster.storage.slack.SlackThread;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each deploy's Slack thread: stored in the database (so any replica, and a restarted one, finds it), and awaitable
 * for the moment between a {@code /deploy} being accepted and the front end having posted its parent message. The
 * approval card in it is stored the same way, with what it shows, so that its count and its outcome can be written on
 * it by whichever bot counts them; so is an emergency deploy's review request, so that whichever bot records the
 * review replaces its button; and so is each pause of its canary, so that whichever bot sees the pause end replaces
 * its buttons.
 */
public final class DeployThreads {
    private static final Logger log = LoggerFactory.getLogger(DeployThreads.class);

    /** An approval card: the message, and what it shows. */
    public record PostedCard(ThreadRef message, EscalationCard card) {}

    private final JooqSlackThreads store;
    private final ConcurrentHashMap<Long, CompletableFuture<ThreadRef>> pending = new ConcurrentHashMap<>();

    public DeployThreads(JooqSlackThreads store) {
        this.store = store;
    }

    /** Records a deploy's thread; if one was recorded before, that one is kept and returned. */
    public ThreadRef opened(long deployId, ThreadRef thread) {
        var saved = store.save(new SlackThread(deployId, thread.channel(), thread.ts()));
        var ref = new ThreadRef(saved.channel(), saved.ts());
        var waiting = pending.remove(deployId);
        if (waiting != null) {
            waiting.complete(ref);
        }
        return ref;
    }

    public Optional<ThreadRef> find(long deployId) {
        return store.find(deployId).map(t -> new ThreadRef(t.channel(), t.ts()));
    }

    /** Records a deploy's approval card, posted as {@code message}; if one was recorded before, that one is kept. */
    public PostedCard cardPosted(long deployId, ThreadRef message, EscalationCard card) {
        var saved = store.saveCard(new SlackApprovalCard(deployId, message.channel(), message.ts(), card.toJson()));
        return posted(saved);
    }

    /**
     * The deploy's approval card, if one was recorded and can be read. One that cannot (stored in another format, the
     * database failing) is logged and taken as none: the card is then closed from the click on it, as one posted
     * before cards were kept.
     */
    public Optional<PostedCard> card(long deployId) {
        try {
            return store.findCard(deployId).map(DeployThreads::posted);
        } catch (RuntimeException e) {
            log.warn("Deploy {}: its approval card cannot be read ({}); taken as none", deployId, e.toString());
            return Optional.empty();
        }
    }

    /** Records an emergency deploy's review request, posted as {@code message}; one recorded before is kept. */
    public ThreadRef reviewCardPosted(long deployId, ThreadRef message) {
        var saved = store.saveReviewCard(new SlackReviewCard(deployId, message.channel(), message.ts()));
        return new ThreadRef(saved.channel(), saved.ts());
    }

    /**
     * The deploy's review request, if one was recorded and can be read; one that cannot is logged and taken as none
     * (the review is then told in the thread, and the button replaced when it is clicked).
     */
    public Optional<ThreadRef> reviewCard(long deployId) {
        try {
            return store.findReviewCard(deployId).map(c -> new ThreadRef(c.channel(), c.ts()));
        } catch (RuntimeException e) {
            log.warn("Deploy {}: its review request cannot be read ({}); taken as none", deployId, e.toString());
            return Optional.empty();
        }
    }

    /**
     * A canary's pause as posted: the message, which pause it is (the ordinal of the transition that paused the canary)
     * and why it paused.
     */
    public record PostedPause(long deployId, int pauseOrdinal, ThreadRef message, String reason) {}

    /** Records a pause message, posted as {@code message}; one recorded before for the same pause is kept. */
    public PostedPause pausePosted(long deployId, int pauseOrdinal, ThreadRef message, String reason) {
        return pause(store.savePauseMessage(new SlackPauseMessage(
                deployId, pauseOrdinal, message.channel(), message.ts(), reason, Optional.empty())));
    }

    /**
     * The deploy's pause messages whose buttons are still live, oldest first; none when they cannot be read (logged:
     * the buttons are then replaced when they are clicked).
     */
    public List<PostedPause> openPauses(long deployId) {
        try {
            return store.openPauseMessages(deployId).stream()
                    .map(DeployThreads::pause)
                    .toList();
        } catch (RuntimeException e) {
            log.warn("Deploy {}: its pause messages cannot be read ({}); taken as none", deployId, e.toString());
            return List.of();
        }
    }

    /** Records that how {@code pause} ended was written on its message in place of its buttons. */
    public void pauseClosed(PostedPause pause, String ended) {
        store.pauseEnded(pause.deployId(), pause.pauseOrdinal(), ended);
    }

    private static PostedPause pause(SlackPauseMessage m) {
        return new PostedPause(m.deployId(), m.pauseOrdinal(), new ThreadRef(m.channel(), m.ts()), m.reason());
    }

    private static PostedCard posted(SlackApprovalCard c) {
        return new PostedCard(new ThreadRef(c.channel(), c.ts()), EscalationCard.fromJson(c.card()));
    }

    /** The deploy's thread, waiting up to {@code max} for it to be opened. */
    public Optional<ThreadRef> await(long deployId, Duration max) {
        var waiting = pending.computeIfAbsent(deployId, id -> new CompletableFuture<>());
        // Registered before looking, so a thread opened in between is either stored or completes the future.
        var found = find(deployId);
        if (found.isPresent()) {
            pending.remove(deployId, waiting);
            return found;
        }
        try {
            return Optional.of(waiting.get(max.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            pending.remove(deployId, waiting);
            return find(deployId);
        } catch (ExecutionException e) {
            return find(deployId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
