package io.harbormaster.engine.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the filters a person types ({@code /audit service=checkout since=7d decision=rollback}, or the same as
 * command-line options) into an {@link AuditQuery}, or refuses them with a message that says what is accepted.
 *
 * <p>Times: an ISO-8601 instant ({@code 2026-11-01T09:30:00Z}), a date ({@code 2026-11-01}, midnight UTC), or an age
 * back from now ({@code 90m}, {@code 24h}, {@code 7d}).
 */
public final class AuditQueryParser {
    private static final Set<String> KEYS = Set.of("service", "since", "until", "decision", "deploy");
    private static final Pattern AGE = Pattern.compile("(\\d{1,6})([mhd])");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

    private AuditQueryParser() {}

    /** Parses {@code key=value} words; {@code now} anchors relative times. */
    public static AuditQuery parse(List<String> words, Instant now) {
        var q = AuditQuery.all();
        var given = new java.util.HashMap<String, String>();
        for (var word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + word + "' is not a filter: use key=value with a key among "
                        + String.join(", ", sorted()));
            }
            var key = word.substring(0, eq).strip();
            var value = word.substring(eq + 1).strip();
            var earlier = given.putIfAbsent(key, value);
            if (earlier != null) {
                // a second value would silently replace the first; entries have one of each, so both cannot match
                throw new IllegalArgumentException(key + " is given twice (" + key + "=" + earlier + ", " + key + "="
                        + value + "): give it once, and ask again for the other");
            }
            q = with(q, key, value, now);
        }
        return q;
    }

    /** Adds one filter to {@code q}. */
    public static AuditQuery with(AuditQuery q, String key, String value, Instant now) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the filter " + key + "= has no value");
        }
        return switch (key) {
            case "service" -> q.withService(name(key, value));
            case "decision" -> q.withDecision(name(key, value));
            case "deploy" -> q.withDeploy(name(key, value));
            case "since" -> q.withSince(time(key, value, now));
            case "until" -> {
                var until = time(key, value, now);
                if (q.since().isPresent() && !q.since().get().isBefore(until)) {
                    throw new IllegalArgumentException("until (" + until + ") must be after since ("
                            + q.since().get() + ")");
                }
                yield q.withUntil(until);
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown filter '" + key + "': use one of " + String.join(", ", sorted()));
        };
    }

    private static String name(String key, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    key + " must be letters, digits, '.', '_', ':' or '-' (at most 100), got '" + value + "'");
        }
        return value;
    }

    static Instant time(String key, String value, Instant now) {
        var age = AGE.matcher(value);
        if (age.matches()) {
            long n = Long.parseLong(age.group(1));
            var d =
                    switch (age.group(2)) {
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
            return now.minus(d);
        }
        try {
            return value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " '" + value
                    + "' is not a time: use 2026-11-01T09:30:00Z, 2026-11-01, or an age such as 90m, 24h, 7d");
        }
    }

    private static List<String> sorted() {
        return KEYS.stream().sorted().toList();
    }
}
