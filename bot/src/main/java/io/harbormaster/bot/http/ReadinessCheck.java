package io.harbormaster.bot.http;

import java.util.function.BooleanSupplier;

/** One thing {@code /readyz} checks (the database, the Kafka connection...); a check that throws counts as failed. */
public record ReadinessCheck(String name, BooleanSupplier ready) {}
