package io.harbormaster.bot.slack.standin;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A thread as a plain web page, what a permalink from the stand-in opens: the parent message and its replies, oldest
 * first, each with its author, its time and its text. Every piece of text is HTML-escaped (the page runs no script);
 * Slack's mrkdwn is shown as written.
 */
final class ThreadPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    /** The page's headers: nothing but its own inline style may load or run. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

    private ThreadPage() {}

    /**
     * @param linked the message the permalink names (the parent or one of the replies), marked on the page
     * @param authorName a user id's display name
     * @param openInConsole where the same thread opens in the sandbox console, if there is one
     */
    static String render(
            SlackStandIn.Channel channel,
            SlackStandIn.Message parent,
            List<SlackStandIn.Message> replies,
            String linked,
            Function<String, String> authorName,
            Optional<String> openInConsole) {
        var html = new StringBuilder(4096);
        html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Thread in #")
                .append(escape(channel.name()))
                .append("</title>\n<style>\n")
                .append("body { margin: 0 auto; max-width: 860px; padding: 16px 20px; font: 15px/1.47 -apple-system,")
                .append(" \"Segoe UI\", \"Helvetica Neue\", Arial, sans-serif; color: #1d1c1d; }\n")
                .append("h1 { font-size: 20px; margin: 0 0 4px; }\n")
                .append(".muted { color: #616061; font-size: 13px; }\n")
                .append(".message { padding: 8px 10px; border-radius: 6px; }\n")
                .append(".message.linked { background: #fff8e1; }\n")
                .append(".message .text { white-space: pre-wrap; overflow-wrap: anywhere; }\n")
                .append(".replies { border-top: 1px solid #ddd; margin-top: 8px; padding-top: 4px; }\n")
                .append("</style>\n</head>\n<body>\n<h1>Thread in #")
                .append(escape(channel.name()))
                .append("</h1>\n<p class=\"muted\">");
        openInConsole.ifPresent(href -> html.append("<a href=\"")
                .append(escape(href))
                .append("\" data-testid=\"open-in-console\">Open in the console</a> · "));
        html.append(replies.size())
                .append(replies.size() == 1 ? " reply" : " replies")
                .append("</p>\n");
        message(html, parent, linked, authorName);
        html.append("<div class=\"replies\">\n");
        for (var reply : replies) {
            message(html, reply, linked, authorName);
        }
        return html.append("</div>\n</body>\n</html>\n").toString();
    }

    private static void message(
            StringBuilder html, SlackStandIn.Message m, String linked, Function<String, String> authorName) {
        html.append("<article class=\"message")
                .append(m.ts().equals(linked) ? " linked" : "")
                .append("\" id=\"p")
                .append(escape(m.ts().replace(".", "")))
                .append("\">\n<div><b>")
                .append(escape(authorName.apply(m.user())))
                .append("</b> <span class=\"muted\">")
                .append(escape(time(m.ts())))
                .append(m.edits() > 0 ? " (edited)" : "")
                .append(m.replyBroadcast() ? " · also sent to the channel" : "")
                .append("</span></div>\n<div class=\"text\">")
                .append(escape(m.text()))
                .append("</div>\n</article>\n");
    }

    /** A message ts ({@code seconds.micros}) as a UTC time, or the ts itself when it is not one. */
    static String time(String ts) {
        try {
            var seconds = Long.parseLong(ts.substring(0, ts.indexOf('.')));
            return TIME.format(Instant.ofEpochSecond(seconds).atOffset(ZoneOffset.UTC));
        } catch (RuntimeException e) {
            return ts;
        }
    }

    /**
     * The ts a permalink's last part names: Slack writes {@code 1733500000.123456} as {@code p1733500000123456}.
     */
    static Optional<String> tsOf(String permalinkPart) {
        if (!permalinkPart.matches("p\\d{7,}")) {
            return Optional.empty();
        }
        var digits = permalinkPart.substring(1);
        return Optional.of(digits.substring(0, digits.length() - 6) + "." + digits.substring(digits.length() - 6));
    }

    /** Text made safe anywhere in HTML: element content and quoted attribute values. */
    static String escape(String s) {
        var out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
