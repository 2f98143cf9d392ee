package io.harbormaster.engine.risk;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Glob patterns over repository paths. A pattern with no slash matches a file name in any directory ({@code *.sql});
 * otherwise it matches the whole path, where {@code **} spans any number of directories ({@code **}{@code
 * /db/migration/**}), {@code *} and {@code ?} stay inside one path segment.
 */
public record PathPatterns(List<String> globs) {
    public PathPatterns {
        globs = List.copyOf(globs);
        for (var g : globs) {
            if (g.isBlank()) {
                throw new IllegalArgumentException("a path pattern cannot be empty");
            }
        }
    }

    /** The first pattern the path matches, if any. */
    public Optional<String> firstMatch(String path) {
        var normalized = path.replace('\\', '/');
        while (normalized.startsWith("./")) {
            normalized = normalized.substring(2);
        }
        var name = normalized.substring(normalized.lastIndexOf('/') + 1);
        for (var glob : globs) {
            var subject = glob.contains("/") ? normalized : name;
            if (toRegex(glob).matcher(subject).matches()) {
                return Optional.of(glob);
            }
        }
        return Optional.empty();
    }

    static Pattern toRegex(String glob) {
        var re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i)) {
                re.append("(?:.*/)?");
                i += 3;
            } else if (glob.startsWith("/**", i) && i + 3 == glob.length()) {
                re.append("(?:/.*)?");
                i += 3;
            } else if (glob.startsWith("**", i)) {
                re.append(".*");
                i += 2;
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(re.toString());
    }
}
