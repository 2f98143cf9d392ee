package io.harbormaster.bot.slack.messages;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small helpers for writing Slack mrkdwn safely. */
public final class Mrkdwn {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    private Mrkdwn() {}

    /** Escapes text a person typed so it cannot become a mention, a link or a broadcast ({@code <!channel>}). */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
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

    /** A signed number, e.g. {@code +0.42}. */
    public static String signed(double v) {
        return (v > 0 ? "+" : "") + num(v);
    }

    public static String time(Instant t) {
        return TIME.format(t.atOffset(ZoneOffset.UTC));
    }
}
