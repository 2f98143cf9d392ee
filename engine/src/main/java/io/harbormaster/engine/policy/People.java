package io.harbormaster.engine.policy;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The other names people go by outside Slack, as {@code people:} in {@code harbormaster.yml} lists them: a Slack
 * member id and the GitHub logins and email addresses CI may name that person by (as a change's author, or as the
 * requester of a deploy). The approval rules use it so that "the author may not approve their own change" holds when
 * CI does not send Slack member ids.
 *
 * <p>Names are compared by {@link #canonical}: case-insensitively, with whitespace and invisible characters ignored.
 *
 * @param members the Slack member id of each identity, keyed by the identity's {@link #canonical} form
 */
public record People(Map<String, String> members) {
    /** Nobody mapped: every name stands for itself only. */
    public static final People NONE = new People(Map.of());

    private static final Pattern MEMBER_ID = Pattern.compile("[UW][A-Z0-9]{2,20}");
    private static final Pattern EMAIL = Pattern.compile("[^@]+@[^@]+\\.[^@]+");
    private static final String GITHUB_NOREPLY = "@users.noreply.github.com";

    public People {
        members = Map.copyOf(members);
    }

    /**
     * The form a name is compared in: Unicode-normalized (NFKC, so full-width letters are letters), without any
     * whitespace or invisible formatting character anywhere in it, the address out of {@code Name <address>} (as git
     * writes an author) or of a Slack mention {@code <@U123|name>} or link {@code <mailto:a@b|a@b>}, without a
     * leading {@code @} or {@code mailto:}, and in lower case. Empty when nothing is left.
     */
    public static String canonical(String name) {
        if (name == null) {
            return "";
        }
        var normalized = Normalizer.normalize(name, Normalizer.Form.NFKC);
        var kept = new StringBuilder(normalized.length());
        normalized.codePoints().filter(c -> !invisible(c)).forEach(kept::appendCodePoint);
        var s = kept.toString();
        int open = s.lastIndexOf('<');
        if (open >= 0 && s.endsWith(">")) {
            s = s.substring(open + 1, s.length() - 1);
        }
        int bar = s.indexOf('|');
        if (bar >= 0) {
            s = s.substring(0, bar);
        }
        if (s.regionMatches(true, 0, "mailto:", 0, 7)) {
            s = s.substring(7);
        }
        if (s.startsWith("@")) {
            s = s.substring(1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code name} without the whitespace and invisible characters around it: how it is shown in messages. */
    public static String trimmed(String name) {
        if (name == null) {
            return "";
        }
        int start = 0;
        int end = name.length();
        while (start < end && invisible(name.codePointAt(start))) {
            start += Character.charCount(name.codePointAt(start));
        }
        while (end > start && invisible(name.codePointBefore(end))) {
            end -= Character.charCount(name.codePointBefore(end));
        }
        return name.substring(start, end);
    }

    private static boolean invisible(int c) {
        return Character.isWhitespace(c)
                || Character.isSpaceChar(c)
                || Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT;
    }

    /** Whether a {@link #canonical} name has the shape of a Slack member id ({@code U…} or {@code W…}). */
    public static boolean isMemberId(String canonical) {
        return MEMBER_ID.matcher(canonical.toUpperCase(Locale.ROOT)).matches();
    }

    /** Whether a {@link #canonical} name is an email address. */
    public static boolean isEmail(String canonical) {
        return EMAIL.matcher(canonical).matches();
    }

    /**
     * The GitHub login inside one of GitHub's no-reply commit addresses ({@code 12345+octocat@users.noreply.github.com}
     * or {@code octocat@users.noreply.github.com}), which names that account as surely as its login.
     */
    static Optional<String> githubLoginOf(String canonicalEmail) {
        if (!canonicalEmail.endsWith(GITHUB_NOREPLY)) {
            return Optional.empty();
        }
        var local = canonicalEmail.substring(0, canonicalEmail.length() - GITHUB_NOREPLY.length());
        var login = local.substring(local.indexOf('+') + 1);
        return login.isEmpty() ? Optional.empty() : Optional.of(login);
    }

    /**
     * The address without its subaddress: {@code alice+ci@corp.com} is {@code alice@corp.com}, where mail delivers it
     * (plus addressing: Gmail, Microsoft 365, Fastmail...). Empty when there is none, and for GitHub's no-reply addresses,
     * whose part before the {@code +} is an account number ({@link #githubLoginOf} reads those).
     */
    static Optional<String> withoutSubaddress(String canonicalEmail) {
        int at = canonicalEmail.lastIndexOf('@');
        int plus = canonicalEmail.indexOf('+');
        if (!isEmail(canonicalEmail) || plus <= 0 || plus > at || canonicalEmail.endsWith(GITHUB_NOREPLY)) {
            return Optional.empty();
        }
        return Optional.of(canonicalEmail.substring(0, plus) + canonicalEmail.substring(at));
    }

    /** The Slack member id {@code people:} gives for a name (in any form {@link #canonical} reads). */
    public Optional<String> member(String name) {
        var c = canonical(name);
        var direct = Optional.ofNullable(members.get(c));
        if (direct.isPresent() || !isEmail(c)) {
            return direct;
        }
        return githubLoginOf(c).map(members::get);
    }
}
