package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.api.ThreadRef;
import io.harbormaster.storage.slack.JooqSlackThreads;
import io.harbormaster.storage.slack.SlackThread;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Each deploy's Slack thread: stored in the database (so any replica, and a restarted one, finds it), and awaitable
 * for the moment between a {@code /deploy} being accepted and the front end having posted its parent message.
 */
public final class DeployThreads {
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
