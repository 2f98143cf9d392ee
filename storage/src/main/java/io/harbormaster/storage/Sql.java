package io.harbormaster.storage;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;

/** Small conversions shared by the jOOQ stores. */
public final class Sql {
    private Sql() {}

    /** An instant as the {@code TIMESTAMP WITH TIME ZONE} value jOOQ binds, in UTC. */
    public static OffsetDateTime odt(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * How many times a step that waits for a row lock is tried on H2 before its failure is let through: H2 gives up
     * waiting after its lock timeout (PostgreSQL waits as long as it takes), and the step then waits its turn again.
     */
    public static final int LOCK_ATTEMPTS = 5;

    /**
     * Whether the failure is H2 giving up waiting for a row lock after its lock timeout (SQLSTATE HYT00): nothing the
     * statement's transaction did was kept, so a step that had not yet acted outside the database may be tried again.
     */
    public static boolean isH2LockTimeout(DataAccessException e) {
        return "HYT00".equals(e.sqlState());
    }

    /**
     * Runs {@code step} (one statement, or one transaction) and, when H2 gives up waiting for a row lock in it, runs it
     * again, up to {@link #LOCK_ATTEMPTS} times in all: while another step holds the row (a resolution writing its
     * audit entry, a decision on a deploy, another replica's intake), this one waits its turn instead of failing after
     * H2's lock timeout. Any other failure, and the last timeout, is let through.
     */
    public static <T> T waitingItsTurn(Supplier<T> step) {
        return waitingItsTurn(step, () -> false);
    }

    /**
     * {@link #waitingItsTurn(Supplier)} for a step that acts outside the database part way (an audit entry written on
     * another connection while it holds a row): the step is given {@code act} to run when it does, and once a failed
     * attempt has run it the timeout is let through, since trying again would act twice. An attempt that failed before
     * acting is tried again as any other.
     */
    public static <T> T waitingItsTurn(Function<Runnable, T> step, Runnable act) {
        var acted = new boolean[1];
        Runnable once = () -> {
            acted[0] = true;
            act.run();
        };
        return waitingItsTurn(
                () -> {
                    acted[0] = false;
                    return step.apply(once);
                },
                () -> acted[0]);
    }

    /** {@link #waitingItsTurn(Supplier)}, letting the timeout through once {@code actedOutside} says to. */
    private static <T> T waitingItsTurn(Supplier<T> step, BooleanSupplier actedOutside) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (DataAccessException e) {
                if (!isH2LockTimeout(e) || attempt >= LOCK_ATTEMPTS || actedOutside.getAsBoolean()) {
                    throw e;
                }
            }
        }
    }

    /** Whether the failure is a unique-constraint violation (SQLSTATE 23505 on both H2 and PostgreSQL). */
    public static boolean isUniqueViolation(DataAccessException e) {
        return "23505".equals(e.sqlState());
    }
}
