package io.harbormaster.bot.slack;

import java.time.Instant;
import java.util.Optional;

/**
 * Something that holds a service's deploys back now, for {@code /deploy status}: a lock (every deploy), an automatic
 * deploy block after a rollback (CI's deploys), or a change freeze (every deploy but an emergency).
 *
 * @param by the Slack member who set it, where a person did
 * @param since when it began, where known
 * @param until when it ends by itself; empty for a lock, which lasts until it is lifted
 */
public record ServiceHold(
        String service,
        Kind kind,
        String reason,
        Optional<String> by,
        Optional<Instant> since,
        Optional<Instant> until) {
    public enum Kind {
        LOCK,
        AUTO_DEPLOY_BLOCK,
        FREEZE
    }
}
