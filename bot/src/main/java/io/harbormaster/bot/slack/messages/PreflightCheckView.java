package io.harbormaster.bot.slack.messages;

import java.util.List;

/**
 * One named preflight check and what it found; {@code people}: the Slack members its reason names (a lock's holder),
 * shown as mentions.
 */
public record PreflightCheckView(String name, boolean passed, String reason, List<String> people) {
    public PreflightCheckView {
        people = List.copyOf(people);
    }

    /** A check whose reason names no one. */
    public PreflightCheckView(String name, boolean passed, String reason) {
        this(name, passed, reason, List.of());
    }
}
