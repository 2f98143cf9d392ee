package io.harbormaster.bot.slack.messages;

/** Cuts text to a length limit visibly, never in the middle of a surrogate pair. */
public final class Truncation {
    private Truncation() {}

    /**
     * {@code text} if it fits in {@code max} characters, else its beginning followed by "… (truncated, N more
     * characters)", the whole at most {@code max} long. Limits too small for the marker get a bare cut.
     */
    public static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int removed = text.length() - max;
        while (true) {
            // The marker's length depends on the number in it: repeat until the number is the one we cut.
            int keep = max - marker(removed).length();
            if (keep < 1) {
                return safePrefix(text, max);
            }
            var prefix = safePrefix(text, keep);
            int actual = text.length() - prefix.length();
            if (marker(actual).length() <= marker(removed).length()) {
                return prefix + marker(actual);
            }
            removed = actual;
        }
    }

    static String marker(int removed) {
        return "… (truncated, " + removed + " more characters)";
    }

    private static String safePrefix(String text, int n) {
        if (n <= 0) {
            return "";
        }
        if (n < text.length() && Character.isHighSurrogate(text.charAt(n - 1))) {
            n--;
        }
        return text.substring(0, n);
    }
}
