package io.harbormaster.engine.audit;

import io.harbormaster.engine.policy.Names;
import io.harbormaster.engine.text.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
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
    /** A deploy's number: up to 18 digits, always a long. */
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private AuditQueryParser() {}

    /** Parses {@code key=value} words; {@code now} anchors relative times. */
    public static AuditQuery parse(List<String> words, Instant now) {
        var q = AuditQuery.all();
        var given = new java.util.HashMap<String, String>();
        for (var word : joined(words)) {
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

    /**
     * The words with a filter typed with spaces around its {@code =} ({@code service = checkout}, {@code service=
     * checkout}, {@code service =checkout}) put back together as one ({@code service=checkout}): values have no
     * spaces, so there is no doubt what was meant. A key whose value is itself a filter ({@code service= since=7d})
     * is left alone, to be refused for its missing value.
     */
    public static List<String> joined(List<String> words) {
        var out = new java.util.ArrayList<String>();
        for (int i = 0; i < words.size(); i++) {
            var word = words.get(i);
            var last = out.isEmpty() ? null : out.getLast();
            boolean lastIsKey = last != null && !last.contains("=");
            boolean lastWantsValue = last != null && last.indexOf('=') == last.length() - 1 && last.indexOf('=') > 0;
            if (word.startsWith("=") && lastIsKey) { // "service =checkout", "service = checkout"
                out.set(out.size() - 1, last + word);
            } else if (!word.contains("=") && lastWantsValue) { // "service= checkout"
                out.set(out.size() - 1, last + word);
            } else {
                out.add(word);
            }
        }
        return out;
    }

    /** Adds one filter to {@code q}. */
    public static AuditQuery with(AuditQuery q, String key, String value, Instant now) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the filter " + key + "= has no value");
        }
        return switch (key) {
            case "service" -> q.withService(name(key, value));
            case "decision" -> q.withDecision(name(key, value));
            case "deploy" -> q.withDeploy(deploy(key, value));
            case "since" -> {
                var since = time(key, value, now);
                if (since.isAfter(now)) {
                    // nothing is logged after now: such a query would find nothing, which reads as "no entries"
                    var said = Times.apart(since, now);
                    throw new IllegalArgumentException("since (" + said.get(0) + ") is in the future: it is now "
                            + said.get(1) + ", and the log has nothing after now; give a time before now, or an age"
                            + " back from now such as 24h or 7d");
                }
                q.until().ifPresent(until -> inOrder(since, until));
                yield q.withSince(since);
            }
            case "until" -> {
                var until = time(key, value, now);
                q.since().ifPresent(since -> inOrder(since, until));
                yield q.withUntil(until);
            }
            default -> {
                var close = Names.closest(key.toLowerCase(Locale.ROOT), KEYS)
                        .map(k -> " (did you mean " + k + "=" + value + "?)")
                        .orElse("");
                throw new IllegalArgumentException(
                        "unknown filter '" + key + "'" + close + ": use one of " + String.join(", ", sorted()));
            }
        };
    }

    /**
     * Refuses a window that ends before it starts, in the words people read times in (to the minute, to the second
     * when both fall in the same minute). An age counts back from now, so {@code since=1h until=2h} is such a window;
     * either filter may be given first.
     */
    private static void inOrder(Instant since, Instant until) {
        // compared at the precision the query keeps (AuditQuery truncates to the microsecond)
        if (since.truncatedTo(ChronoUnit.MICROS).equals(until.truncatedTo(ChronoUnit.MICROS))) {
            // "until must be after since ... until takes the smaller one" would answer a question not asked
            throw new IllegalArgumentException("since and until are the same time (" + Times.words(since)
                    + "), so the window between them is empty and no entry could match; give until a later time, as"
                    + " in since 2h, until 1h (ages count back from now), or leave until out to read up to now");
        }
        if (!since.truncatedTo(ChronoUnit.MICROS).isBefore(until.truncatedTo(ChronoUnit.MICROS))) {
            var said = Times.apart(until, since);
            throw new IllegalArgumentException("until (" + said.get(0) + ") must be after since (" + said.get(1)
                    + "); ages count back from now, so until takes the smaller one, as in since 2h, until 1h");
        }
    }

    /**
     * A deploy's number, as {@code /deploy status} and the deploy's thread show it ({@code 42}, or {@code #42});
     * written to the query as the log keeps it ({@code 42}), so that {@code 042} finds the same deploy.
     */
    private static String deploy(String key, String value) {
        var digits = value.startsWith("#") ? value.substring(1) : value;
        if (DIGITS.matcher(digits).matches()) {
            long id = Long.parseLong(digits);
            if (id >= 1) {
                return Long.toString(id);
            }
        }
        throw new IllegalArgumentException(key + " must be a deploy number from 1 up, such as 42 (as /deploy status"
                + " and the deploy's thread show it), got '" + value + "'");
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
