package io.harbormaster.bot.config;

import java.util.List;

/** The configuration cannot be used; the message names the file, the line, the key and the fix, one line a problem. */
public final class ConfigException extends IllegalArgumentException {
    private final List<String> problems;

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
