package io.harbormaster.engine.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.harbormaster.engine.policy.Names;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What went wrong reading a JSON file, said for the person who wrote the file: where (line and column), what was found
 * and what was expected, without the parser's jargon (its class names, feature flags and redacted sources).
 */
public final class JsonErrors {
    private static final String VALUE = "a number, \"text\", true, false, null, {an object} or [a list]";

    /** The parser's message, recognised by its start, and what to say instead. */
    private static final List<Map.Entry<Pattern, Function<Matcher, String>>> PLAIN = List.of(
            rule(
                    "Unexpected end-of-input: expected close marker for (Object|Array) \\(start marker at .*?line:"
                            + " (\\d+), column: (\\d+)",
                    m -> "the text ends before the " + kind(m.group(1)) + " opened at line " + m.group(2) + ", column "
                            + m.group(3) + " is closed: a '" + closer(m.group(1)) + "' is missing"),
            rule(
                    "Unexpected end-of-input within/between (Object|Array) entries",
                    m -> "the text ends inside " + article(m.group(1)) + ": a value or a '" + closer(m.group(1))
                            + "' is missing"),
            rule(
                    "Unexpected end-of-input.*(closing quote|String value)",
                    m -> "the text ends inside a string: a closing \" is missing"),
            rule("Unexpected end-of-input", m -> "the text ends too early: the JSON is incomplete"),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\): was expecting double-quote to start field"
                            + " name",
                    m -> switch (m.group(1)) {
                        case "}" -> "found '}' after a comma: JSON allows no comma after the last entry";
                        case "'" -> "found ' where a key was expected: keys take double quotes (\"key\")";
                        default -> "found '" + m.group(1) + "' where a key in double quotes was expected";
                    }),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\): was expecting comma to separate (Object|Array)"
                            + " entries",
                    m -> "found '" + m.group(1) + "' where a ',' or a '" + closer(m.group(2)) + "' was expected"),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\): was expecting a colon",
                    m -> "found '" + m.group(1) + "' where a ':' after the key was expected"),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\): maybe a \\(non-standard\\) comment",
                    m -> "JSON has no comments: remove them"),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\) in numeric value: (.*)",
                    m -> "a malformed number before '" + m.group(1) + "': " + lower(m.group(2))),
            rule(
                    "Unexpected character \\('(.*?)' \\(code \\d+\\)\\): expected a (valid )?value",
                    m -> (m.group(1).equals("]")
                            ? "found ']' after a comma: JSON allows no comma after the last" + " item"
                            : "found '" + m.group(1) + "' where a value was expected (" + VALUE + ")")),
            rule("Unexpected character \\('(.*?)' \\(code \\d+\\)\\)", m -> "unexpected '" + m.group(1) + "'"),
            rule(
                    "Non-standard token '(.*?)'",
                    m -> "'" + m.group(1) + "' is not a JSON number: write null for a value without data"),
            rule(
                    "Unrecognized token '(.*?)'",
                    m -> "'" + shorten(m.group(1)) + "' is not a JSON value (expected " + VALUE
                            + "; text takes double quotes)"),
            rule("Invalid numeric value: Leading zeroes", m -> "a number may not start with 0 (write 7, not 07)"),
            rule("Trailing token", m -> "there is more after the JSON value ends: a file holds one value"),
            rule("Duplicate (field|Object property) '(.*?)'", m -> "the key '" + m.group(2) + "' is given twice"),
            rule(
                    "Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)",
                    m -> "a control character (code " + m.group(1) + ", such as a line break or a tab) inside a"
                            + " string: write it escaped (\\n, \\t)"),
            rule(
                    "Unexpected close marker '(.)': expected '(.)' \\(for (Object|Array) starting at .*?line: (\\d+),"
                            + " column: (\\d+)",
                    m -> "found '" + m.group(1) + "' where a '" + m.group(2) + "' was expected, to close the "
                            + kind(m.group(3)) + " opened at line " + m.group(4) + ", column " + m.group(5)),
            rule(
                    "Unexpected close marker '(.)': no open",
                    m -> "'" + m.group(1) + "' closes nothing: there is one too many"),
            rule(
                    "Unrecognized character escape '(.*?)'",
                    m -> "'\\" + m.group(1) + "' is not a JSON escape" + " (a backslash is written \\\\)"),
            rule(
                    "String value length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)",
                    m -> "a string of " + m.group(1) + " or more characters: at most " + m.group(2) + " are read"),
            rule(
                    "Number value length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)",
                    m -> "a number of " + m.group(1) + " digits: at most " + m.group(2) + " are read"),
            rule(
                    "Document nesting depth \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)",
                    m -> "objects and lists nested more than " + m.group(2) + " deep"),
            rule(
                    "Invalid UTF-8|Invalid UTF-32|Unexpected end-of-input in UTF",
                    m -> "the file is not UTF-8 text: save it as UTF-8"));

    private JsonErrors() {}

    /**
     * A JSON problem in words: {@code line L, column C: what is wrong}, the place left out when the parser does not
     * know it. Databinding problems (a value of the wrong type, an unknown or missing key) name the key's path.
     */
    public static String describe(JsonProcessingException e) {
        return describe(e, false);
    }

    /**
     * Like {@link #describe(JsonProcessingException)}, for JSON a program sent rather than a file a person edits, which
     * may hold a secret (a token templated in without quotes) and whose problem goes to a log or a reply: no word of
     * the text is repeated (a single character found, or a key given twice, still is), and content after the value is
     * said of a message.
     */
    public static String describeMessage(JsonProcessingException e) {
        return describe(e, true);
    }

    private static String describe(JsonProcessingException e, boolean sent) {
        String where = where(e.getLocation());
        String what = e instanceof DatabindException d && !(d instanceof MismatchedInputException m && trailing(m))
                ? binding((JsonMappingException) d, sent)
                : syntax(e.getOriginalMessage(), sent);
        return where.isEmpty() ? what : where + ": " + what;
    }

    /** {@code source, line L, column C: what is wrong} (or {@code source: what is wrong} when the place is unknown). */
    public static String describe(String source, JsonProcessingException e) {
        String said = describe(e);
        return source + (said.startsWith("line ") ? ", " : ": ") + said;
    }

    /** A file that could not be read, in words: no such file, permission denied, a directory, not UTF-8. */
    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file";
            case AccessDeniedException a -> "permission denied";
            case CharacterCodingException c -> "not UTF-8 text: save it as UTF-8";
            case FileSystemException f when f.getReason() != null -> lower(f.getReason());
            case FileSystemException f -> "cannot be read";
            case JsonProcessingException j -> describe(j);
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** {@code line L, column C}, or empty when unknown. */
    public static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return "line " + location.getLineNr()
                + (location.getColumnNr() < 1 ? "" : ", column " + location.getColumnNr());
    }

    static String syntax(String message) {
        return syntax(message, false);
    }

    private static String syntax(String message, boolean sent) {
        String m = message == null ? "" : message;
        if (sent && m.startsWith("Unrecognized token")) {
            return "a word that is not a JSON value (expected " + VALUE + "; text takes double quotes)";
        }
        if (sent && m.startsWith("Trailing token")) {
            return "there is more after the JSON value ends: a message holds one value";
        }
        for (var rule : PLAIN) {
            Matcher matcher = rule.getKey().matcher(m);
            if (matcher.lookingAt()) {
                return rule.getValue().apply(matcher);
            }
        }
        return "not valid JSON: " + clean(m, sent);
    }

    private static boolean trailing(MismatchedInputException e) {
        return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token");
    }

    private static String binding(JsonMappingException e, boolean sent) {
        String path = path(e.getPath());
        String at = path.isEmpty() ? "" : path + ": ";
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof UnrecognizedPropertyException u) {
            var known = new ArrayList<String>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            known.sort(null);
            String parent = path(e.getPath().subList(0, Math.max(0, e.getPath().size() - 1)));
            return (parent.isEmpty() ? "" : parent + ": ") + "unknown key '" + u.getPropertyName() + "'"
                    + suggestion(u.getPropertyName(), known)
                    + (known.isEmpty() ? "" : "; known keys: " + String.join(", ", known));
        }
        Matcher missing =
                Pattern.compile("Missing (creator|required) property '(.*?)'").matcher(message);
        if (missing.lookingAt()) {
            var refs = e.getPath();
            boolean last =
                    !refs.isEmpty() && missing.group(2).equals(refs.getLast().getFieldName());
            String parent = path(last ? refs.subList(0, refs.size() - 1) : refs);
            return (parent.isEmpty() ? "" : parent + ": ") + "the key '" + missing.group(2) + "' is missing";
        }
        if (e instanceof InvalidNullException || message.startsWith("Cannot map `null`")) {
            return at + "null is not allowed here; expected "
                    + expected(((MismatchedInputException) e).getTargetType());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return at + "expected " + expected(m.getTargetType());
        }
        return at + clean(message, sent);
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == int.class
                || type == long.class
                || type == short.class
                || type == Integer.class
                || type == Long.class
                || type == Short.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text in double quotes";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list [...]";
        }
        return "an object {...}";
    }

    private static String path(List<JsonMappingException.Reference> references) {
        var out = new StringBuilder();
        for (var r : references) {
            if (r.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** {@code " (did you mean 'x'?)"} when one of {@code known} is close to {@code name}, else empty. */
    public static String suggestion(String name, Collection<String> known) {
        Optional<String> close = Names.closest(name, known);
        return close.map(c -> " (did you mean '" + c + "'?)").orElse("");
    }

    /**
     * The parser's message without its source description, feature names and class names; for a message a program
     * sent ({@code sent}), also without anything it quotes of the text longer than a character.
     */
    private static String clean(String message, boolean sent) {
        String m = sent ? message.replaceAll("'[^']{2,}'|\"[^\"]{2,}\"", "(text left out)") : message;
        return m.replaceAll("\\s*\\((start marker|for \\w+ starting) at \\[Source:.*?]\\)", "")
                .replaceAll(",?\\s*from `[^`]*`", "")
                .replaceAll("\\s*at \\[Source:.*?]", "")
                .replaceAll("\\[Source:.*?]", "")
                .replaceAll(";?\\s*(enable|disable)?\\s*`[A-Za-z.]*Feature[A-Za-z._()]*`[^;)]*", "")
                .replaceAll(
                        "`(java\\.lang\\.|java\\.util\\.|com\\.fasterxml\\.jackson\\.databind\\.|[a-z]+\\.)*"
                                + "([A-Za-z]+)`",
                        "$2")
                .replaceAll("\\s+", " ")
                .trim();
    }

    private static Map.Entry<Pattern, Function<Matcher, String>> rule(String regex, Function<Matcher, String> say) {
        return Map.entry(Pattern.compile(regex), say);
    }

    private static String kind(String jackson) {
        return jackson.equals("Object") ? "object" : "list";
    }

    private static String article(String jackson) {
        return jackson.equals("Object") ? "an object" : "a list";
    }

    private static String closer(String jackson) {
        return jackson.equals("Object") ? "}" : "]";
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
