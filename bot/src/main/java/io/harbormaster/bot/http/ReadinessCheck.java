package io.harbormaster.bot.http;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One thing {@code /readyz} checks (the database, the Kafka connection...): {@code problem} is empty while it is fine,
 * and otherwise says what is wrong and what to do, for the body of the answer (never a secret). A check that throws
 * counts as failed.
 */
public record ReadinessCheck(String name, Supplier<Optional<String>> problem) {
    /** A check that is only ready or not: "not ready" when it is not. */
    public static ReadinessCheck of(String name, BooleanSupplier ready) {
        return new ReadinessCheck(name, () -> ready.getAsBoolean() ? Optional.empty() : Optional.of("not ready"));
    }
}
