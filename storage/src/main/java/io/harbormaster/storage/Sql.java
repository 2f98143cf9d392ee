package io.harbormaster.storage;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jooq.exception.DataAccessException;

/** Small conversions shared by the jOOQ stores. */
public final class Sql {
    private Sql() {}

    /** An instant as the {@code TIMESTAMP WITH TIME ZONE} value jOOQ binds, in UTC. */
    public static OffsetDateTime odt(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Whether the failure is a unique-constraint violation (SQLSTATE 23505 on both H2 and PostgreSQL). */
    public static boolean isUniqueViolation(DataAccessException e) {
        return "23505".equals(e.sqlState());
    }
}
