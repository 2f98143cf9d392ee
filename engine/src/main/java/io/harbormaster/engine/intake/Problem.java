package io.harbormaster.engine.intake;

import java.util.Objects;

/**
 * One thing wrong with a deploy request, said so that the person who wrote the CI job can fix it.
 *
 * @param field the JSON field, dotted for nested ones ({@code change.la}, {@code change.files[3]}), or
 *     {@code (message)} for the message as a whole
 * @param message what is wrong and what is expected
 */
public record Problem(String field, String message) {
    public Problem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
