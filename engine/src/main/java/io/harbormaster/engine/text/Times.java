package io.harbormaster.engine.text;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Instants in messages, as people read them: {@code 2026-12-07 11:43 UTC}, to the minute. */
public final class Times {
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private Times() {}

    /** {@code t} in UTC to the minute (the seconds and the fraction dropped, not rounded). */
    public static String words(Instant t) {
        return MINUTE.format(t);
    }

    /**
     * The end of something ({@code ... until ...}) in UTC to the minute, rounded up: the minute it has ended by, so
     * that whoever comes back then does not find it still there under the same message.
     */
    public static String end(Instant t) {
        var minute = t.truncatedTo(ChronoUnit.MINUTES);
        return MINUTE.format(minute.equals(t) ? t : minute.plus(1, ChronoUnit.MINUTES));
    }
}
