package io.harbormaster.engine.adapters.prometheus;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PromQL template, parsed once: every placeholder is known and sits where its value can be inserted safely.
 *
 * <p>{@code {service}}, {@code {namespace}} and {@code {track}} must be inside a quoted string (a label value);
 * their values are escaped for that string, and additionally regex-quoted when the string is the right-hand side of
 * {@code =~} or {@code !~}, so a service named {@code a.b} matches only itself. {@code {interval}} must be outside
 * strings (as in {@code [{interval}]}); its value is a Prometheus duration the adapter formats itself. A value can
 * therefore never end the string it is in and inject PromQL.
 */
final class PromQlTemplate {

    /** The placeholders a template may use. */
    enum Placeholder {
        SERVICE("service"),
        NAMESPACE("namespace"),
        TRACK("track"),
        INTERVAL("interval");

        final String token;

        Placeholder(String name) {
            this.token = "{" + name + "}";
        }

        static Placeholder named(String name) {
            for (Placeholder p : values()) {
                if (p.token.equals("{" + name + "}")) {
                    return p;
                }
            }
            return null;
        }
    }

    private sealed interface Part {}

    private record Text(String text) implements Part {}

    /** A placeholder; {@code quote} is 0 outside strings, else the string's quote character. */
    private record Slot(Placeholder placeholder, char quote, boolean regex) implements Part {}

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|s|m|h|d|w|y)");
    private static final String KNOWN = "{service}, {namespace}, {track}, {interval}";

    private final String text;
    private final List<Part> parts;

    private PromQlTemplate(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** Parses {@code text}, the template for {@code what} (named in messages); refuses it with a reason. */
    static PromQlTemplate parse(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("PromQL template for " + what + " is empty");
        }
        List<Part> parts = new ArrayList<>();
        Set<Placeholder> used = EnumSet.noneOf(Placeholder.class);
        StringBuilder literal = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(text);
        char quote = 0;
        boolean regex = false;
        int stringStart = -1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quote == 0 && c == '#') { // a PromQL comment runs to the end of the line and may hold anything
                int end = text.indexOf('\n', i);
                end = end < 0 ? text.length() : end;
                literal.append(text, i, end);
                i = end;
                continue;
            }
            if (c == '{' && placeholder.region(i, text.length()).lookingAt()) {
                Placeholder p = Placeholder.named(placeholder.group(1));
                if (p == null) {
                    throw refuse(
                            what,
                            text,
                            "unknown placeholder " + placeholder.group() + " at column " + (i + 1) + " (known: " + KNOWN
                                    + ")");
                }
                checkPlacement(what, text, p, quote, i);
                if (!literal.isEmpty()) {
                    parts.add(new Text(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(new Slot(p, quote, regex));
                used.add(p);
                i = placeholder.end();
                continue;
            }
            if (quote == 0) {
                if (c == '"' || c == '\'' || c == '`') {
                    quote = c;
                    stringStart = i;
                    regex = followsRegexMatchOperator(text, i);
                }
            } else if (c == '\\' && quote != '`') {
                literal.append(c);
                if (i + 1 < text.length()) {
                    literal.append(text.charAt(i + 1));
                }
                i += 2;
                continue;
            } else if (c == quote) {
                quote = 0;
            }
            literal.append(c);
            i++;
        }
        if (quote != 0) {
            throw refuse(what, text, "the string opened at column " + (stringStart + 1) + " is never closed");
        }
        if (!literal.isEmpty()) {
            parts.add(new Text(literal.toString()));
        }
        checkShape(what, text);
        if (!used.contains(Placeholder.TRACK)) {
            throw refuse(
                    what,
                    text,
                    "it does not use {track}, so baseline and canary would read the same series"
                            + " (e.g. track=\"{track}\" or pod=~\"{service}-{track}-.*\")");
        }
        return new PromQlTemplate(text, List.copyOf(parts));
    }

    /**
     * A token of {@link #checkShape}: its text, its column (from 1), its kind, and whether it is inside a {...}
     * matcher (where a word is a label name, whatever it spells).
     */
    private record Token(String text, int column, Kind kind, boolean inMatcher) {
        Token(String text, int column, Kind kind) {
            this(text, column, kind, false);
        }

        /** Whether this is a name outside matchers: a metric, function, aggregation or keyword. */
        boolean isWord() {
            return kind == Kind.OPERAND
                    && !inMatcher
                    && !text.isEmpty()
                    && (Character.isLetter(text.charAt(0)) || text.charAt(0) == '_');
        }

        enum Kind {
            OPERAND, // a name, number, duration, string or {interval}
            OPERATOR,
            OPEN,
            CLOSE,
            OTHER // ',', '@' and the like, which this check leaves to Prometheus
        }

        boolean endsOperand() {
            return kind == Kind.OPERAND || kind == Kind.CLOSE;
        }

        boolean startsOperand() {
            return kind == Kind.OPERAND
                    || kind == Kind.OPEN
                    || (kind == Kind.OPERATOR && (text.equals("-") || text.equals("+")));
        }
    }

    private static final List<String> OPERATORS =
            List.of("==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", "%", "^", ">", "<", "=");
    private static final Set<String> KEYWORD_OPERATORS = Set.of("and", "or", "unless");

    /**
     * Refuses what no PromQL parser would take, and what Prometheus would otherwise refuse only at the first canary:
     * a bracket, parenthesis or brace not closed or closing nothing, and a binary operator without an operand on
     * either side ({@code sum(x) /}, {@code * x}, {@code (a +)}). Not a parser: what it lets through may still be
     * refused by Prometheus, but it refuses no valid PromQL. Strings and comments are skipped; a unary {@code -} or
     * {@code +} is an operand's start.
     */
    private static void checkShape(String what, String text) {
        var tokens = tokens(text);
        var open = new ArrayList<Token>();
        for (int k = 0; k < tokens.size(); k++) {
            var t = tokens.get(k);
            switch (t.kind()) {
                case OPEN -> open.add(t);
                case CLOSE -> {
                    char want = t.text().charAt(0) == ')' ? '(' : t.text().charAt(0) == ']' ? '[' : '{';
                    if (open.isEmpty()) {
                        throw refuse(
                                what,
                                text,
                                "the '" + t.text() + "' at column " + t.column() + " closes nothing; remove it or open"
                                        + " '" + want + "' before it");
                    }
                    var o = open.removeLast();
                    if (o.text().charAt(0) != want) {
                        throw refuse(
                                what,
                                text,
                                "the '" + o.text() + "' at column " + o.column() + " is closed by '" + t.text()
                                        + "' at column " + t.column() + "; close it with '" + closing(o.text())
                                        + "' first");
                    }
                }
                case OPERATOR -> {
                    var before = k == 0 ? null : tokens.get(k - 1);
                    var after = k + 1 == tokens.size() ? null : tokens.get(k + 1);
                    boolean unary = t.text().equals("-") || t.text().equals("+");
                    if (!unary && (before == null || !before.endsOperand())) {
                        throw refuse(
                                what,
                                text,
                                "'" + t.text() + "' at column " + t.column() + " has nothing before it to work on;"
                                        + " write an expression before it or remove it");
                    }
                    if (after == null || !after.startsOperand()) {
                        throw refuse(
                                what,
                                text,
                                "'" + t.text() + "' at column " + t.column() + " has nothing after it to work on;"
                                        + " write an expression after it or remove it");
                    }
                }
                default -> {}
            }
        }
        if (!open.isEmpty()) {
            var o = open.getLast();
            throw refuse(
                    what,
                    text,
                    "the '" + o.text() + "' at column " + o.column() + " is never closed; close it with '"
                            + closing(o.text()) + "'");
        }
        checkWords(what, text, tokens);
    }

    /**
     * PromQL's functions as Prometheus documents them (docs/querying/functions.md), its experimental ones included,
     * and {@code holt_winters}, Prometheus 2's name for {@code double_exponential_smoothing}: a template may call any
     * of them, whichever Prometheus it runs against. Names are case-sensitive, as Prometheus reads them.
     */
    static final Set<String> FUNCTIONS = Set.of(
            "abs",
            "absent",
            "absent_over_time",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "avg_over_time",
            "ceil",
            "changes",
            "clamp",
            "clamp_max",
            "clamp_min",
            "cos",
            "cosh",
            "count_over_time",
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "deg",
            "delta",
            "deriv",
            "double_exponential_smoothing",
            "end",
            "exp",
            "first_over_time",
            "floor",
            "histogram_avg",
            "histogram_count",
            "histogram_fraction",
            "histogram_quantile",
            "histogram_quantiles",
            "histogram_stddev",
            "histogram_stdvar",
            "histogram_sum",
            "holt_winters",
            "hour",
            "idelta",
            "increase",
            "info",
            "irate",
            "label_join",
            "label_replace",
            "last_over_time",
            "ln",
            "log10",
            "log2",
            "mad_over_time",
            "max_of",
            "max_over_time",
            "min_of",
            "min_over_time",
            "minute",
            "month",
            "pi",
            "predict_linear",
            "present_over_time",
            "quantile_over_time",
            "rad",
            "range",
            "rate",
            "resets",
            "round",
            "scalar",
            "sgn",
            "sin",
            "sinh",
            "sort",
            "sort_by_label",
            "sort_by_label_desc",
            "sort_desc",
            "sqrt",
            "start",
            "stddev_over_time",
            "stdvar_over_time",
            "step",
            "sum_over_time",
            "tan",
            "tanh",
            "time",
            "timeseries_gen",
            "timestamp",
            "ts_of_first_over_time",
            "ts_of_last_over_time",
            "ts_of_max_over_time",
            "ts_of_min_over_time",
            "vector",
            "year");

    /** The aggregation operators (docs/querying/operators.md): keywords, so in any case. */
    static final Set<String> AGGREGATIONS = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio");

    /** Keywords that take a list of labels in parentheses next. */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring");

    /** Keywords a '(' may follow that call no function: the keyword operators, modifiers and a duration's place. */
    private static final Set<String> NOT_CALLS =
            Set.of("and", "or", "unless", "atan2", "bool", "offset", "group_left", "group_right");

    private static final String FUNCTIONS_PAGE = "https://prometheus.io/docs/prometheus/latest/querying/functions/";

    /**
     * Refuses a call of a function PromQL does not have ({@code rat(...)}), naming the closest one, and a {@code by},
     * {@code without}, {@code on} or {@code ignoring} without its label list, or an {@code offset} without its
     * duration, which Prometheus would refuse only at the first canary. Words inside matchers are label names, and
     * the label lists of grouping and matching hold label names too: neither is read as a call or a keyword here.
     */
    private static void checkWords(String what, String text, List<Token> tokens) {
        for (int k = 0; k < tokens.size(); k++) {
            var t = tokens.get(k);
            if (!t.isWord()) {
                continue;
            }
            var next = k + 1 < tokens.size() ? tokens.get(k + 1) : null;
            boolean call = next != null && next.text().equals("(");
            String lower = t.text().toLowerCase(java.util.Locale.ROOT);
            if (LABEL_LISTS.contains(lower) || lower.equals("group_left") || lower.equals("group_right")) {
                if (call) {
                    k = closingParenthesis(tokens, k + 1); // the label list: names, not calls
                } else if (LABEL_LISTS.contains(lower)) {
                    throw refuse(
                            what,
                            text,
                            "'" + t.text() + "' at column " + t.column() + " has no label list after it; write "
                                    + lower + " (label, ...), e.g. "
                                    + (lower.equals("by") || lower.equals("without")
                                            ? "sum " + lower + " (job) (...)"
                                            : "a / " + lower + " (job) b")
                                    + ", or remove it");
                }
            } else if (lower.equals("offset")) {
                if (next == null || !next.startsOperand()) {
                    throw refuse(
                            what,
                            text,
                            "'" + t.text() + "' at column " + t.column() + " has no duration after it; write e.g."
                                    + " offset 5m, or remove it");
                }
            } else if (call
                    && !FUNCTIONS.contains(t.text())
                    && !AGGREGATIONS.contains(lower)
                    && !NOT_CALLS.contains(lower)) {
                throw refuse(
                        what,
                        text,
                        "unknown function '" + t.text() + "' at column " + t.column()
                                + closestFunction(t.text())
                                        .map(f -> " (did you mean '" + f + "'?)")
                                        .orElse("")
                                + "; use one of PromQL's functions, listed at " + FUNCTIONS_PAGE);
            }
        }
    }

    /** The index of the ')' closing the '(' at {@code open} (the last token when it is not closed). */
    private static int closingParenthesis(List<Token> tokens, int open) {
        int depth = 0;
        for (int k = open; k < tokens.size(); k++) {
            var text = tokens.get(k).text();
            depth += text.equals("(") ? 1 : text.equals(")") ? -1 : 0;
            if (depth == 0) {
                return k;
            }
        }
        return tokens.size() - 1;
    }

    /**
     * The function or aggregation closest to {@code name} when one is close enough to be a likely typo; of those
     * equally close, the one sharing the longest start with it ({@code rat} is {@code rate}, not {@code rad}).
     */
    static java.util.Optional<String> closestFunction(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return java.util.stream.Stream.concat(FUNCTIONS.stream(), AGGREGATIONS.stream())
                .filter(c -> io.harbormaster.engine.policy.Names.distance(c, n) <= Math.max(2, n.length() / 3))
                .min(java.util.Comparator.comparingInt((String c) -> io.harbormaster.engine.policy.Names.distance(c, n))
                        .thenComparing(c -> -sharedStart(c, n))
                        .thenComparing(c -> c));
    }

    private static int sharedStart(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static String closing(String opening) {
        return opening.equals("(") ? ")" : opening.equals("[") ? "]" : "}";
    }

    /** The template's tokens outside strings and comments, strings as operands (placeholders within them too). */
    private static List<Token> tokens(String text) {
        var out = new ArrayList<Token>();
        var placeholder = PLACEHOLDER.matcher(text);
        int braces = 0; // inside {...} matchers, "and", "or", "unless" are label names
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
            } else if (c == '"' || c == '\'' || c == '`') {
                int j = i + 1;
                while (j < text.length() && text.charAt(j) != c) {
                    j += text.charAt(j) == '\\' && c != '`' ? 2 : 1;
                }
                out.add(new Token(text.substring(i, Math.min(j + 1, text.length())), i + 1, Token.Kind.OPERAND));
                i = j + 1;
            } else if (c == '{' && placeholder.region(i, text.length()).lookingAt()) {
                out.add(new Token(placeholder.group(), i + 1, Token.Kind.OPERAND));
                i = placeholder.end();
            } else if (c == '(' || c == '[' || c == '{') {
                braces += c == '{' ? 1 : 0;
                out.add(new Token(String.valueOf(c), i + 1, Token.Kind.OPEN));
                i++;
            } else if (c == ')' || c == ']' || c == '}') {
                braces -= c == '}' && braces > 0 ? 1 : 0;
                out.add(new Token(String.valueOf(c), i + 1, Token.Kind.CLOSE));
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.') {
                int j = i;
                while (j < text.length()
                        && (Character.isLetterOrDigit(text.charAt(j)) || "_:.".indexOf(text.charAt(j)) >= 0)) {
                    j++;
                }
                var word = text.substring(i, j);
                boolean keyword = braces == 0 && KEYWORD_OPERATORS.contains(word.toLowerCase(java.util.Locale.ROOT));
                out.add(new Token(word, i + 1, keyword ? Token.Kind.OPERATOR : Token.Kind.OPERAND, braces > 0));
                i = j;
            } else {
                int at = i;
                var op = OPERATORS.stream().filter(o -> text.startsWith(o, at)).findFirst();
                var t = op.orElse(String.valueOf(c));
                out.add(new Token(t, i + 1, op.isPresent() ? Token.Kind.OPERATOR : Token.Kind.OTHER));
                i += t.length();
            }
        }
        return out;
    }

    /** The template as written. */
    String text() {
        return text;
    }

    /** The PromQL for these values; {@code interval} must be a Prometheus duration such as {@code 30s}. */
    String render(String service, String namespace, String track, String interval) {
        if (!DURATION.matcher(interval).matches()) {
            throw new IllegalArgumentException("not a Prometheus duration: " + interval);
        }
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (Part part : parts) {
            switch (part) {
                case Text t -> out.append(t.text());
                case Slot s -> {
                    String value =
                            switch (s.placeholder()) {
                                case SERVICE -> service;
                                case NAMESPACE -> namespace;
                                case TRACK -> track;
                                case INTERVAL -> interval;
                            };
                    if (s.quote() == 0) {
                        out.append(value); // only {interval}, whose value was checked above
                    } else {
                        escapeInto(out, s.regex() ? quoteRegex(value) : value, s.quote());
                    }
                }
            }
        }
        return out.toString();
    }

    private static void checkPlacement(String what, String text, Placeholder p, char quote, int at) {
        String where = p.token + " at column " + (at + 1);
        if (p == Placeholder.INTERVAL) {
            if (quote != 0) {
                throw refuse(what, text, where + " is inside a string; use it as a range, e.g. [{interval}]");
            }
            return;
        }
        if (quote == 0) {
            throw refuse(
                    what,
                    text,
                    where + " is outside quotes; put it in a quoted label value, e.g. label=\"" + p.token + "\"");
        }
        if (quote == '`') {
            throw refuse(
                    what, text, where + " is inside a `raw string`, which cannot escape its value; use double quotes");
        }
    }

    /** Whether the string opening at {@code quoteAt} is the right-hand side of {@code =~} or {@code !~}. */
    private static boolean followsRegexMatchOperator(String text, int quoteAt) {
        int j = quoteAt - 1;
        while (j >= 0 && Character.isWhitespace(text.charAt(j))) {
            j--;
        }
        return j >= 1 && text.charAt(j) == '~' && (text.charAt(j - 1) == '=' || text.charAt(j - 1) == '!');
    }

    /** RE2 metacharacters quoted, as Go's regexp.QuoteMeta does. */
    static String quoteRegex(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Escapes a value for the inside of a PromQL string quoted with {@code quote} (Go escape syntax). */
    static void escapeInto(StringBuilder out, String value, char quote) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == quote) {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    private static IllegalArgumentException refuse(String what, String text, String reason) {
        return new IllegalArgumentException(
                "PromQL template for " + what + " is invalid: " + reason + "\n  template: " + text);
    }
}
