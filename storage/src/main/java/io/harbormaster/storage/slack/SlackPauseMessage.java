package io.harbormaster.storage.slack;

import java.util.Optional;

/**
 * A canary's pause for a human: the message {@code ts} in {@code channel} (a reply in the deploy's thread) that carries
 * its Promote anyway / Roll back buttons, which pause it is ({@code pauseOrdinal}, the ordinal of the transition that
 * paused the canary) and why it paused ({@code reason}, as the message says it). {@code ended}: how it ended, once
 * that was written on the message in place of the buttons.
 */
public record SlackPauseMessage(
        long deployId, int pauseOrdinal, String channel, String ts, String reason, Optional<String> ended) {}
