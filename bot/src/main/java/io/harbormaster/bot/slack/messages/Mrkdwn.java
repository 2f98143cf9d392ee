package io.harbormaster.bot.slack.messages;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

/** Small helpers for writing Slack mrkdwn safely. */
public final class Mrkdwn {
    private Mrkdwn() {}

    /** Escapes text a person typed so it cannot become a mention, a link or a broadcast ({@code <!channel>}). */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * {@link #escape}d text in which each of {@code people} reads as a mention: the Slack member ids the text names
     * (who locked a service, who made a deploy's last move), known to be people by where the text came from, never
     * guessed from its words. Anything else in it, typed text included, stays escaped.
     */
    public static String escape(String text, java.util.Collection<String> people) {
        var out = escape(text);
        for (var id : new java.util.LinkedHashSet<>(people)) {
            if (MEMBER_ID.matcher(id).matches()) {
                out = out.replaceAll(
                        "(?<![A-Za-z0-9@])" + java.util.regex.Pattern.quote(id) + "(?![A-Za-z0-9])",
                        java.util.regex.Matcher.quoteReplacement(user(id)));
            }
        }
        return out;
    }

    /** What a Slack member id looks like (U or W, then capitals and digits); a CI system's name does not. */
    static final java.util.regex.Pattern MEMBER_ID = java.util.regex.Pattern.compile("[UW][A-Z0-9]{2,}");

    /**
     * A name from outside (a file, a directory, a dependency, a version) as an inline code span, its characters shown as
     * written: Slack formats nothing inside one, so an {@code _}, {@code *} or {@code ~} in the name neither italicizes,
     * bolds nor strikes what surrounds it, as it does in a formatted span ("_(also changed my_file.java)_"). mrkdwn has
     * no backslash escape; a zero-width character beside each mark would also break the pairing, but a copied name would
     * carry it, and a copied code span is the name itself. Only a backtick, which would end the span, is shown as the
     * look-alike {@code ˋ} (U+02CB); {@code &}, {@code <} and {@code >} are escaped as everywhere ({@link #escape}).
     * Not for prose: a sentence reads as prose, and is never wrapped in a formatted span either.
     */
    public static String code(String name) {
        return name.isEmpty() ? "" : "`" + escape(name.replace('`', '\u02CB')) + "`";
    }

    /** A user mention. */
    public static String user(String userId) {
        return "<@" + userId + ">";
    }

    /** A number with four significant digits, "n/a" when it is not a number. */
    public static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /**
     * A statistic that may be very large or very small (an e-value, a p-value): as {@link #num} between 0.0001 and a
     * million, otherwise in scientific notation with three significant digits ({@code 2.14e+08}, {@code 1.20e-15}),
     * where plain digits would run to a dozen places.
     */
    public static String stat(double v) {
        double a = Math.abs(v);
        if (Double.isNaN(v) || Double.isInfinite(v) || a == 0 || (a >= 1e-4 && a < 1e6)) {
            return num(v);
        }
        return String.format(java.util.Locale.ROOT, "%.2e", v);
    }

    /** {@code t} as the engine's messages give it too ({@link io.harbormaster.engine.text.Times#words}). */
    public static String time(Instant t) {
        return io.harbormaster.engine.text.Times.words(t);
    }
}
