package io.harbormaster.engine.text;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Instants in messages, as people read them: {@code 2026-12-07 11:43 UTC}, to the minute. */
public final class Times {
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Times() {}

    /** {@code t} in UTC to the minute (the seconds and the fraction dropped, not rounded). */
    public static String words(Instant t) {
        return MINUTE.format(t);
    }

    /** {@code t} in UTC to the second, for the few messages where the minute does not tell two times apart. */
    public static String seconds(Instant t) {
        return SECOND.format(t);
    }

    /**
     * Two times that a message compares ({@code until (…) must be after since (…)}), each as {@link #words}, or to the
     * second when they fall in the same minute and would read the same.
     */
    public static List<String> apart(Instant a, Instant b) {
        var first = words(a);
        var second = words(b);
        return first.equals(second) ? List.of(seconds(a), seconds(b)) : List.of(first, second);
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
