package io.harbormaster.bot.slack.commands;

/** The outcome of parsing a command's text: the command, or the usage answer that says what to type instead. */
public sealed interface Parsed<T> {

    /** The text parsed into a command. */
    record Ok<T>(T command) implements Parsed<T> {}

    /** The text was refused; nothing should run. */
    record Invalid<T>(Usage usage) implements Parsed<T> {}

    /** The same outcome with the command transformed (an invalid one stays invalid). */
    default <R> Parsed<R> map(java.util.function.Function<? super T, ? extends R> f) {
        return switch (this) {
            case Ok<T>(var command) -> new Ok<>(f.apply(command));
            case Invalid<T>(var usage) -> new Invalid<>(usage);
        };
    }

    static <T> Parsed<T> ok(T command) {
        return new Ok<>(command);
    }

    static <T> Parsed<T> invalid(Usage usage) {
        return new Invalid<>(usage);
    }
}
