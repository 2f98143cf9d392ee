package io.harbormaster.bot.slack;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys seen within a window (a Slack request's trigger id), to tell a delivery seen before from a new one. Slack
 * never sends a slash command twice, so a trigger id seen again is someone replaying a request they captured: its
 * signature stays valid for the 5 minutes either side of its timestamp that {@code RequestSignature} allows. Bounded in
 * size as well as in time; one process's memory, for a front end without a database (the bot itself shares its record
 * between replicas: {@code JooqSlackRequests}).
 */
final class RecentKeys {
    private final Duration window;
    private final int most;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    /**
     * @param window how long a key is remembered: at least as long as a signed request is honoured
     * @param most how many keys are remembered at most (the oldest are forgotten first)
     */
    RecentKeys(Duration window, int most) {
        this.window = window;
        this.most = most;
    }

    /** Whether {@code key} is new (then remembered from {@code now}); false when it was seen within the window. */
    synchronized boolean firstTime(String key, Instant now) {
        var cutoff = now.minus(window);
        var it = seen.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Instant> oldest = it.next();
            if (oldest.getValue().isAfter(cutoff) && seen.size() < most) {
                break;
            }
            it.remove();
        }
        if (seen.containsKey(key)) {
            return false;
        }
        seen.put(key, now);
        return true;
    }
}
