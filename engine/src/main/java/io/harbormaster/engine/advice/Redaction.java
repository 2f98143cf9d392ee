package io.harbormaster.engine.advice;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes what looks like a secret from text before it goes into a prompt: tokens and keys in their well-known shapes,
 * and the value after words such as password, secret or token. Commit messages and file names come from people, so
 * the advisor never trusts them to be clean.
 */
public final class Redaction {
    static final String REDACTED = "[redacted]";

    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("xox[abposer]-[A-Za-z0-9-]{6,}"), // Slack tokens
            Pattern.compile("xapp-[A-Za-z0-9-]{6,}"),
            Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), // OpenAI-style and Anthropic keys
            Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"), // AWS access key ids
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{20,}"), // GitHub tokens
            Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}"), // GitLab tokens
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}"), // JWTs
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"),
            Pattern.compile("(?i)\\b[a-z]+://[^\\s/:@]+:[^\\s/@]+@")); // credentials in URLs
    private static final Pattern ASSIGNED = Pattern.compile(
            "(?i)\\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|bearer)"
                    + "(\\s*[=:]\\s*|\\s+)([\"']?)[^\\s\"',;]{4,}\\3");

    private Redaction() {}

    /** {@code text} with every secret-looking part replaced by {@value #REDACTED}. */
    public static String scrub(String text) {
        var out = text;
        for (var p : SHAPES) {
            out = p.matcher(out).replaceAll(REDACTED);
        }
        return ASSIGNED.matcher(out).replaceAll(m -> m.group(1) + m.group(2) + REDACTED);
    }
}
