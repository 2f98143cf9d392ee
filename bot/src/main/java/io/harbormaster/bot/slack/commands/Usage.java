package io.harbormaster.bot.slack.commands;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A command that could not be parsed: what is wrong, the usage line of what the person was trying to do, and the
 * closest valid values to what they typed (empty when nothing is close).
 */
public record Usage(String problem, String usage, List<String> suggestions) {
    public Usage {
        suggestions = List.copyOf(suggestions);
    }

    public static Usage of(String problem, String usage) {
        return new Usage(problem, usage, List.of());
    }

    /** The answer shown to the person, in Slack mrkdwn. */
    public String message() {
        var text = new StringBuilder(problem);
        if (!suggestions.isEmpty()) {
            text.append(" Did you mean ")
                    .append(suggestions.stream().map(s -> "`" + s + "`").collect(Collectors.joining(" or ")))
                    .append('?');
        }
        return text.append("\nUsage: `").append(usage).append('`').toString();
    }
}
