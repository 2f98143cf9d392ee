package io.harbormaster.bot.slack.commands;

import io.harbormaster.engine.audit.AuditQueryParser;
import io.harbormaster.engine.policy.Names;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Parses the text after {@code /audit}; the filters are the same as {@code harbormaster audit export}'s. */
public final class AuditCommandParser {
    public static final String QUERY_USAGE = "/audit [service=..] [since=..] [until=..] [decision=..] [deploy=..]";
    public static final String VERIFY_USAGE = "/audit verify";

    private AuditCommandParser() {}

    /** Parses {@code text}; {@code now} anchors ages such as {@code since=7d}. */
    public static Parsed<AuditCommand> parse(String text, Instant now) {
        // "service = checkout" is read as service=checkout
        var words = AuditQueryParser.joined(DeployCommandParser.words(text));
        if (words.size() == 1 && words.getFirst().toLowerCase(Locale.ROOT).equals("help")) {
            return Parsed.ok(new AuditCommand.Help());
        }
        if (!words.isEmpty() && words.getFirst().toLowerCase(Locale.ROOT).equals("verify")) {
            return words.size() == 1
                    ? Parsed.ok(new AuditCommand.Verify())
                    : Parsed.invalid(Usage.of("`verify` takes no filters: it checks the whole log.", VERIFY_USAGE));
        }
        if (!words.isEmpty() && !words.getFirst().contains("=")) {
            var close = Names.closest(words.getFirst().toLowerCase(Locale.ROOT), List.of("verify", "help"));
            if (close.isPresent()) {
                return Parsed.invalid(new Usage(
                        "Unknown subcommand `" + DeployCommandParser.abbreviate(words.getFirst()) + "`.",
                        close.get().equals("verify") ? VERIFY_USAGE : QUERY_USAGE,
                        List.of(close.get())));
            }
        }
        try {
            return Parsed.ok(new AuditCommand.Query(AuditQueryParser.parse(words, now)));
        } catch (IllegalArgumentException e) {
            // the parser's words are plain text, and echo what was typed ("got '...'"): escaped for the mrkdwn answer
            return Parsed.invalid(Usage.of(
                    io.harbormaster.bot.slack.messages.Mrkdwn.escape(capitalized(e.getMessage())) + ".", QUERY_USAGE));
        }
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
