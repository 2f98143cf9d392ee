package io.harbormaster.engine.policy;

import java.time.Instant;

/** A hold on a service: no deploys until someone unlocks it. */
public record ServiceLock(String service, String reason, String lockedBy, Instant lockedAt) {
    /**
     * The longest reason a lock is given, in characters: enough for a sentence and a link to the ticket, short enough
     * that every message quoting it (the lock's answer, a blocked preflight, {@code /deploy status}, a refused deploy)
     * keeps what it says after it, such as how to lift the lock, inside Slack's limits.
     */
    public static final int MAX_REASON = 500;

    /**
     * How many characters {@code reason} has, as a person counts them (an emoji is one), for a refusal that says how
     * long the reason given was.
     */
    public static int length(String reason) {
        return reason.codePointCount(0, reason.length());
    }

    /**
     * The reason as messages quote it: whole when it is at most {@link #MAX_REASON} characters, else its beginning and
     * how much was left out. A lock set before reasons were capped may have a longer one; quoted whole, it pushed the
     * rest of its message past Slack's limit, where it was cut off.
     */
    public String shownReason() {
        int length = length(reason);
        if (length <= MAX_REASON) {
            return reason;
        }
        var kept = reason.substring(0, reason.offsetByCodePoints(0, MAX_REASON - 40));
        return kept.stripTrailing() + "… (" + (length - length(kept)) + " more characters)";
    }
}
