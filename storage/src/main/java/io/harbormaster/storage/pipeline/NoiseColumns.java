package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.jooq.Tables.CANARY_NOISE;

import io.harbormaster.engine.canary.CanaryNoise;
import org.jooq.Field;
import org.jooq.InsertSetMoreStep;
import org.jooq.Record;
import org.jooq.Table;

/**
 * The nine columns that hold a {@link CanaryNoise}, in any table that stores one under {@code canary_noise}'s column
 * names ({@code canary_noise} itself, and {@code canary_stable_noise}, which V18 gave the same columns). jOOQ
 * generates a record type per table, so without this each table would map the noise both ways on its own: one
 * mapping here serves them all, and a column added to {@link CanaryNoise} is added in one place.
 *
 * <p>The columns are found by name in the table and typed after {@code canary_noise}'s; {@link #in} checks that the
 * table's column has that type, so a table whose column differs fails when this is made, not when a value is read.
 */
record NoiseColumns(
        Field<Integer> p50Values,
        Field<Double> p50SumSquares,
        Field<Integer> p99Values,
        Field<Double> p99SumSquares,
        Field<Integer> spreadIntervals,
        Field<Double> spreadSum,
        Field<Double> errorsExcess,
        Field<Double> errorsSensitivity,
        Field<Double> errorsNoise) {

    /** The noise columns of {@code table}. */
    static NoiseColumns in(Table<?> table) {
        return new NoiseColumns(
                column(table, CANARY_NOISE.P50_VALUES),
                column(table, CANARY_NOISE.P50_SUM_SQUARES),
                column(table, CANARY_NOISE.P99_VALUES),
                column(table, CANARY_NOISE.P99_SUM_SQUARES),
                column(table, CANARY_NOISE.SPREAD_INTERVALS),
                column(table, CANARY_NOISE.SPREAD_SUM),
                column(table, CANARY_NOISE.ERRORS_EXCESS),
                column(table, CANARY_NOISE.ERRORS_SENSITIVITY),
                column(table, CANARY_NOISE.ERRORS_NOISE));
    }

    private static <T> Field<T> column(Table<?> table, Field<T> like) {
        var found = table.field(like.getName());
        if (found == null || found.getType() != like.getType()) {
            throw new IllegalStateException(table.getName() + " has no column " + like.getName() + " of type "
                    + like.getType().getSimpleName() + " to hold canary noise in");
        }
        @SuppressWarnings("unchecked") // its type was checked just above
        var typed = (Field<T>) found;
        return typed;
    }

    /** {@code insert} with {@code noise} set in these columns. */
    <R extends Record> InsertSetMoreStep<R> set(InsertSetMoreStep<R> insert, CanaryNoise noise) {
        return insert.set(p50Values, noise.p50().values())
                .set(p50SumSquares, noise.p50().sumSquares())
                .set(p99Values, noise.p99().values())
                .set(p99SumSquares, noise.p99().sumSquares())
                .set(spreadIntervals, noise.spread().intervals())
                .set(spreadSum, noise.spread().sum())
                .set(errorsExcess, noise.bursts().excess())
                .set(errorsSensitivity, noise.bursts().sensitivity())
                .set(errorsNoise, noise.bursts().noise());
    }

    /** The noise in these columns of {@code row}, which must hold all nine, none of them null. */
    CanaryNoise read(Record row) {
        return new CanaryNoise(
                new CanaryNoise.Reading(row.get(p50Values), row.get(p50SumSquares)),
                new CanaryNoise.Reading(row.get(p99Values), row.get(p99SumSquares)),
                new CanaryNoise.Spread(row.get(spreadIntervals), row.get(spreadSum)),
                new CanaryNoise.Bursts(row.get(errorsExcess), row.get(errorsSensitivity), row.get(errorsNoise)));
    }
}
