package io.harbormaster.bot.cli;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A point in time as a person types it on the command line ({@code analyze run --from/--to}): a full ISO-8601 time, a
 * date, unix seconds, {@code now}, or a time back from now ({@code -30m}, {@code 30m ago}, {@code now-30m}, and
 * {@code 30m} as the audit filters take it).
 */
final class TimeArgument {
    /** The accepted forms, as the messages list them. */
    static final String FORMS = "an ISO-8601 time (2024-06-11T10:00:00Z), a date (2024-06-11, midnight UTC), unix"
            + " seconds (1718100000), now, or a time back from now: -30m, 30m ago, now-30m (units s, m, h, d)";

    /** An age back from now: {@code -30m}, {@code now-30m}, {@code now - 30m}, {@code 30m ago}, {@code 30m}. */
    private static final Pattern AGE =
            Pattern.compile("(?:now\\s*)?-\\s*(\\d{1,6})\\s*([smhd])|(\\d{1,6})\\s*([smhd])(?:\\s+ago)?");

    private static final Pattern UNIX_SECONDS = Pattern.compile("\\d+(\\.\\d{1,9})?");

    private TimeArgument() {}

    /**
     * Parses {@code text}, the value of {@code option}; {@code now} anchors the relative forms (one {@code now} for all
     * the options of one command, so that {@code --from -1h --to now} is exactly an hour).
     *
     * @throws UserError naming the option, what was given and the accepted forms
     */
    static Instant parse(String option, String text, Instant now) {
        var t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("now")) {
            return now;
        }
        var age = AGE.matcher(t);
        if (age.matches()) {
            boolean signed = age.group(1) != null;
            long n = Long.parseLong(signed ? age.group(1) : age.group(3));
            var d =
                    switch (signed ? age.group(2) : age.group(4)) {
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
            return now.minus(d);
        }
        if (UNIX_SECONDS.matcher(t).matches()) {
            int whole = t.indexOf('.') < 0 ? t.length() : t.indexOf('.');
            if (whole > 10) {
                throw new UserError(option + " '" + text + "' is too large for unix seconds (unix milliseconds? drop"
                        + " the last three digits); give " + FORMS);
            }
            var seconds = new BigDecimal(t);
            return Instant.ofEpochSecond(
                    seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).intValue());
        }
        try {
            return t.length() == 10
                    ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new UserError(option + " '" + text + "' is not a time: give " + FORMS, e);
        } catch (DateTimeException e) {
            throw new UserError(option + " '" + text + "' is out of range: give " + FORMS, e);
        }
    }
}
