package io.harbormaster.engine.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonErrorsTest {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    record Step(int weight, int intervals) {}

    record Plan(String name, List<Step> steps, double alpha) {}

    static String syntax(String json) {
        return JsonErrors.describe(catchThrowableOfType(JsonProcessingException.class, () -> MAPPER.readTree(json)));
    }

    static String binding(String json) {
        return JsonErrors.describe(
                catchThrowableOfType(JsonProcessingException.class, () -> MAPPER.readValue(json, Plan.class)));
    }

    @Test
    void syntaxErrorsSayWhereWhatWasFoundAndWhatWasExpected() {
        assertThat(syntax("{\"a\":1"))
                .isEqualTo(
                        "line 1, column 7: the text ends before the object opened at line 1, column 1 is closed: a '}' is"
                                + " missing");
        assertThat(syntax("{\"a\":\n  [1,2"))
                .isEqualTo(
                        "line 2, column 7: the text ends before the list opened at line 2, column 3 is closed: a ']' is"
                                + " missing");
        assertThat(syntax("{\"a\":"))
                .isEqualTo("line 1, column 6: the text ends inside an object: a value or a '}'" + " is missing");
        assertThat(syntax("{\"a\":\"xx")).endsWith("the text ends inside a string: a closing \" is missing");
        assertThat(syntax("{\"a\":1,}"))
                .isEqualTo("line 1, column 8: found '}' after a comma: JSON allows no comma after the last entry");
        assertThat(syntax("{\"a\":[1,]}"))
                .endsWith("found ']' after a comma: JSON allows no comma after the last item");
        assertThat(syntax("{\"a\":1 \"b\":2}"))
                .isEqualTo("line 1, column 8: found '\"' where a ',' or a '}' was expected");
        assertThat(syntax("[1 2]")).endsWith("found '2' where a ',' or a ']' was expected");
        assertThat(syntax("{\"a\" 1}")).endsWith("found '1' where a ':' after the key was expected");
        assertThat(syntax("{\"a\":abc}"))
                .endsWith("'abc' is not a JSON value (expected a number, \"text\", true,"
                        + " false, null, {an object} or [a list]; text takes double quotes)");
        assertThat(syntax("{\"a\":NaN}")).endsWith("'NaN' is not a JSON number: write null for a value without data");
        assertThat(syntax("{\"a\":-Infinity}"))
                .endsWith("'-Infinity' is not a JSON number: write null for a value" + " without data");
        assertThat(syntax("{\"a\":01}")).endsWith("a number may not start with 0 (write 7, not 07)");
        assertThat(syntax("{} {}")).endsWith("there is more after the JSON value ends: a file holds one value");
        assertThat(syntax("{\"a\":1,\"a\":2}")).endsWith("the key 'a' is given twice");
        assertThat(syntax("{\"a\":\"x\ny\"}")).contains("a control character (code 10");
        assertThat(syntax("{'a':1}")).endsWith("keys take double quotes (\"key\")");
        assertThat(syntax("{a:1}")).endsWith("found 'a' where a key in double quotes was expected");
        assertThat(syntax("{\"a\":1]"))
                .endsWith("found ']' where a '}' was expected, to close the object opened at line 1, column 1");
        assertThat(syntax("{\"a\":1}}")).endsWith("'}' closes nothing: there is one too many");
        assertThat(syntax("// note\n{}")).endsWith("JSON has no comments: remove them");
        assertThat(syntax("{\"a\":1.}"))
                .endsWith("a malformed number before '}': decimal point not followed by a" + " digit");
        assertThat(syntax("{\"a\":\"\\q\"}")).endsWith("'\\q' is not a JSON escape (a backslash is written \\\\)");
    }

    static String sent(String json) {
        return JsonErrors.describeMessage(
                catchThrowableOfType(JsonProcessingException.class, () -> MAPPER.readTree(json)));
    }

    @Test
    void aMessageAProgramSentIsDescribedWithoutRepeatingItsWords() {
        // a token templated in without quotes: said where, not repeated (a file's problem repeats it, cut)
        assertThat(sent("{\"token\": s3cr3t-t0ken-value}"))
                .isEqualTo("line 1, column 17: a word that is not a JSON value (expected a number, \"text\", true,"
                        + " false, null, {an object} or [a list]; text takes double quotes)");
        assertThat(syntax("{\"token\": s3cr3t-t0ken-value}")).contains("'s3cr3t'");
        assertThat(sent("{} {}"))
                .isEqualTo("line 1, column 4: there is more after the JSON value ends: a message holds" + " one value");
        // the rest is said as for a file
        assertThat(sent("{\"a\":1,}")).isEqualTo(syntax("{\"a\":1,}"));
        assertThat(sent("{\"a\":1,\"a\":2}")).endsWith("the key 'a' is given twice");
    }

    @Test
    void noParserJargonIsLeftInAnyMessage() {
        for (String bad : List.of(
                "{\"a\":1",
                "[1,2",
                "{\"a\":",
                "{\"a\":\"x",
                "{\"a\":1,}",
                "{\"a\":1]",
                "{} {}",
                "{\"a\":NaN}",
                "{\"a\":1e}",
                "{\"a\":-}",
                "\u00ff",
                "{\"a\":\"\\q\"}",
                "{\"a\":1}}")) {
            assertThat(syntax(bad))
                    .as(bad)
                    .startsWith("line ")
                    .doesNotContain("Source", "REDACTED", "`", "Feature", "jackson", "code 1", "token 'null'");
        }
    }

    @Test
    void theParsersLimitsAreSaidInWordsToo() {
        assertThat(syntax("{\"a\":\"" + "x".repeat(20_000_001) + "\"}"))
                .contains("a string of ")
                .contains("characters: at most 20000000 are read")
                .doesNotContain("`", "StreamReadConstraints");
        assertThat(syntax("[".repeat(1001) + "]".repeat(1001)))
                .contains("objects and lists nested more than")
                .doesNotContain("`", "StreamReadConstraints");
        assertThat(JsonErrors.syntax("Something new, from `StreamReadConstraints.getMaxFoo()`"))
                .isEqualTo("not valid JSON: Something new");
    }

    @Test
    void bindingErrorsNameTheKeyPathAndWhatWasExpected() {
        assertThat(binding("{\"name\":\"x\",\"steps\":[],\"alpha\":0.1,\"alhpa\":2}"))
                .endsWith("unknown key 'alhpa' (did you mean 'alpha'?); known keys: alpha, name, steps");
        assertThat(binding("{\"name\":\"x\",\"steps\":[{\"weight\":\"five\",\"intervals\":3}],\"alpha\":0.1}"))
                .endsWith("steps[0].weight: expected a whole number");
        assertThat(binding("{\"name\":\"x\",\"steps\":{},\"alpha\":0.1}")).endsWith("steps: expected a list [...]");
        assertThat(binding("{\"name\":\"x\",\"steps\":[{\"weight\":5}],\"alpha\":0.1}"))
                .endsWith(": steps[0]: the key 'intervals' is missing");
        assertThat(binding("{\"steps\":[],\"alpha\":0.1}")).endsWith(": the key 'name' is missing");
        assertThat(binding("[1]")).startsWith("line 1, column 1: expected an object {...}");
        for (String bad : List.of(
                "{\"name\":\"x\",\"steps\":[],\"alpha\":0.1,\"alhpa\":2}",
                "{\"name\":\"x\",\"steps\":{},\"alpha\":0.1}")) {
            assertThat(binding(bad)).doesNotContain("`", "Feature", "io.harbormaster", "class ");
        }
    }

    @Test
    void unreadableFilesAreSaidInWords() {
        assertThat(JsonErrors.describe((IOException) new NoSuchFileException("/tmp/x.json")))
                .isEqualTo("no such file");
        assertThat(JsonErrors.describe((IOException) new AccessDeniedException("/tmp/x.json")))
                .isEqualTo("permission denied");
    }
}
