package io.harbormaster.bot.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML document read into a tree that remembers the line of every key and value, so that a configuration error can
 * name the file, the line and the key path ({@code services.checkout.namespace}).
 */
final class LocatedYaml {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    final String file;
    final JsonNode root;
    private final Map<String, Integer> lines;
    /** Each number's text as written ({@code 2.10}), which its value ({@code 2.1}) may not show. */
    private final Map<String, String> numbers;

    private LocatedYaml(String file, JsonNode root, Map<String, Integer> lines, Map<String, String> numbers) {
        this.file = file;
        this.root = root;
        this.lines = lines;
        this.numbers = numbers;
    }

    /** Parses {@code text}; a syntax error or a duplicate key is refused with its line. */
    static LocatedYaml parse(String file, String text) {
        var lines = new HashMap<String, Integer>();
        var numbers = new HashMap<String, String>();
        try (JsonParser p = FACTORY.createParser(text)) {
            var token = p.nextToken();
            JsonNode root = token == null ? NODES.objectNode() : read(p, "", lines, numbers, file);
            return new LocatedYaml(file, root, lines, numbers);
        } catch (IOException e) {
            var error = SyntaxError.of(e);
            throw new ConfigException(file + ":" + error.line() + ": not valid YAML: " + error.words());
        }
    }

    private static JsonNode read(
            JsonParser p, String path, Map<String, Integer> lines, Map<String, String> numbers, String file)
            throws IOException {
        lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    var name = p.currentName();
                    var childPath = path.isEmpty() ? name : path + "." + name;
                    int line = p.currentTokenLocation().getLineNr();
                    if (obj.has(name)) {
                        throw new ConfigException(file + ":" + line + ": " + childPath
                                + ": this key appears twice (first on line " + lines.get(childPath) + "); keep one");
                    }
                    lines.put(childPath, line);
                    p.nextToken();
                    obj.set(name, read(p, childPath, lines, numbers, file));
                }
                yield obj;
            }
            case START_ARRAY -> {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    arr.add(read(p, path + "[" + i++ + "]", lines, numbers, file));
                }
                yield arr;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                numbers.put(path, p.getText());
                yield number(p);
            }
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default ->
                throw new ConfigException(file + ":" + p.currentTokenLocation().getLineNr() + ": " + path
                        + ": unexpected YAML content " + p.currentToken());
        };
    }

    private static JsonNode number(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NUMBER_INT ->
                p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? NODES.numberNode(p.getBigIntegerValue()) // refused by its key's range, with the key
                        : NODES.numberNode(p.getLongValue());
            default -> NODES.numberNode(p.getDoubleValue());
        };
    }

    /** The text of the number at {@code path} as the file writes it, or empty when no number is there. */
    java.util.Optional<String> numberAsWritten(String path) {
        return java.util.Optional.ofNullable(numbers.get(path));
    }

    /** The line of a key path, or the closest enclosing path's line. */
    int line(String path) {
        var p = path;
        while (true) {
            var line = lines.get(p);
            if (line != null || p.isEmpty()) {
                return line == null ? 1 : line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }

    /** "{@code file:line: path: message}". */
    String at(String path, String message) {
        return file + ":" + line(path) + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }

    /**
     * A YAML syntax error in words: the line of the problem (not of the construct it was found in, which the parser
     * names first, as in "while parsing a block mapping") and what is wrong, with what to do for the usual mistakes.
     */
    record SyntaxError(int line, String words) {
        private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile("line (\\d+)");

        static SyntaxError of(IOException e) {
            var loc = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe ? jpe.getLocation() : null;
            int line = loc == null ? 0 : loc.getLineNr();
            var msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                    ? jpe.getOriginalMessage()
                    : e.getMessage();
            var lines = (msg == null ? "" : msg).lines().toList();
            String problem = lines.isEmpty() ? "" : lines.getFirst();
            // SnakeYAML: "while parsing X / in 'reader', line L ... / <problem> / in 'reader', line L2 ..."
            for (int i = 1; i < lines.size(); i++) {
                var l = lines.get(i);
                if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) {
                    problem = l;
                    for (int j = i + 1; j < lines.size(); j++) {
                        var m = LINE.matcher(lines.get(j));
                        if (m.find()) {
                            line = Integer.parseInt(m.group(1));
                            break;
                        }
                    }
                    break;
                }
            }
            return new SyntaxError(line, inWords(problem));
        }

        private static String inWords(String problem) {
            if (problem.contains("expected <block end>")) {
                return "this line is indented differently from the keys beside it; line it up with them (" + problem
                        + ")";
            }
            if (problem.contains("<stream end>")
                    || problem.contains("end of stream")
                    || problem.matches("(?s).*expected ',' or '[]}]'.*")) {
                return "a bracket or a quote opened on this line or above is not closed (" + problem + ")";
            }
            if (problem.contains("mapping values are not allowed")) {
                return "a ': ' inside a value; put the value in quotes (" + problem + ")";
            }
            if (problem.contains("'\\t'")) {
                return "a tab; indent with spaces (" + problem + ")";
            }
            return problem;
        }
    }
}
