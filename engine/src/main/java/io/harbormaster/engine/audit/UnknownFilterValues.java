package io.harbormaster.engine.audit;

import io.harbormaster.engine.policy.Names;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why a query found nothing, when the reason is a value no entry has ({@code decision=auto}, a misspelt service):
 * the answer then names the values the log does have, and the closest one. A value the log has, on a day with no
 * such entry, gets no remark: nothing matched, and that is the answer.
 */
public final class UnknownFilterValues {
    /** At most this many values are read from the log, and at most {@link #SHOWN} of them are listed. */
    static final int READ = 500;

    static final int SHOWN = 20;

    private UnknownFilterValues() {}

    /** For a query that matched no entry: what it asked for that no entry has, and what the log has instead. */
    public static Optional<String> explain(AuditQuery query, AuditLog log) {
        var remarks = new ArrayList<String>();
        query.service().ifPresent(s -> remark(AuditField.SERVICE, s, log).ifPresent(remarks::add));
        query.decision().ifPresent(d -> remark(AuditField.DECISION, d, log).ifPresent(remarks::add));
        return remarks.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", remarks));
    }

    private static Optional<String> remark(AuditField field, String value, AuditLog log) {
        List<String> known =
                log.distinct(field, READ).stream().filter(v -> !v.isEmpty()).toList();
        if (known.contains(value) || known.size() >= READ) {
            return Optional.empty(); // the value is there, or the log has too many to tell
        }
        if (known.isEmpty()) {
            return Optional.of("no entry in the audit log has a " + field.key() + " yet");
        }
        var listed = String.join(", ", known.subList(0, Math.min(SHOWN, known.size())));
        var more = known.size() > SHOWN ? " and " + (known.size() - SHOWN) + " more" : "";
        var meant = meant(value, known).stream().map(c -> field.key() + "=" + c).collect(Collectors.joining(" or "));
        return Optional.of("no entry in the audit log has " + field.key() + "=" + value + "; the " + field.key()
                + " values it has are " + listed + more + "."
                + (meant.isEmpty() ? "" : " Did you mean " + meant + "?"));
    }

    /** How many values that begin with what was typed are offered at most. */
    static final int PREFIXES_OFFERED = 3;

    /**
     * What a value no entry has most likely meant: the same in other capitals, else the closest by edit distance (a
     * typo), else the values it is the beginning of ({@code auto} for {@code automatic}, too short a word for edit
     * distance to call close), shortest first. Empty when nothing is near.
     */
    static List<String> meant(String value, List<String> known) {
        var sameWord = known.stream().filter(k -> k.equalsIgnoreCase(value)).findFirst();
        if (sameWord.isPresent()) {
            return List.of(sameWord.get());
        }
        var close = Names.closest(value, known);
        if (close.isPresent()) {
            return List.of(close.get());
        }
        var start = value.toLowerCase(Locale.ROOT);
        if (start.length() < 2) {
            return List.of(); // one letter begins too much to mean anything
        }
        return known.stream()
                .filter(k -> k.toLowerCase(Locale.ROOT).startsWith(start))
                .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .limit(PREFIXES_OFFERED)
                .toList();
    }
}
