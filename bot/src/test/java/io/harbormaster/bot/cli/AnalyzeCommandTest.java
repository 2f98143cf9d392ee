package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analyze and bench canary commands, run through the real command line with captured output. */
class AnalyzeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = HarbormasterCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void comparePrintsTheClassificationEstimateIntervalPValueAndEffectSizeAsJson() throws Exception {
        Result r = run(
                "analyze",
                "compare",
                "--baseline",
                "40,41,42,43,44,45,39,40",
                "--canary",
                "50,52,51,49,55,53,50,52",
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(
                List.of("classification", "estimate", "ci", "p_value", "effect_size", "left_out"),
                iterable(json.fieldNames()));
        assertEquals("High", json.get("classification").asText());
        assertEquals(10.0, json.get("estimate").asDouble(), 1e-4);
        assertEquals(2, json.get("ci").size());
    }

    @Test
    void compareSaysThatARatioOverABaselineMeanOfZeroIsUndefinedInTextAndInValidJson() throws Exception {
        Result text = run("analyze", "compare", "--baseline", "0,0,0,0,0", "--canary", "1,2,3,0,2");
        assertEquals(0, text.exit(), text.err());
        assertFalse(text.out().contains("Infinity"), text.out());
        assertTrue(text.out().contains("effect size:    none (baseline mean is 0: ratio undefined)"), text.out());
        assertTrue(text.out().contains(", baseline mean is 0: ratio undefined\n"), text.out());

        Result json = run("analyze", "compare", "--baseline", "0,0,0,0,0", "--canary", "1,2,3,0,2", "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode j = JSON.readTree(json.out());
        assertTrue(j.get("effect_size").isNull(), json.out());
        assertEquals(
                "baseline mean is 0: ratio undefined",
                j.get("effect_size_reason").asText());
        assertFalse(json.out().contains("Infinity"), json.out());
    }

    @Test
    void theReadmeAndHelpSayWhichOfRsWilcoxTestsCompareMatches() throws Exception {
        // the normal approximation with continuity correction, as our R comparison runs it: R's default is exact
        // for small samples without ties, which gives other p-values and intervals
        var readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        var row = readme.lines()
                .filter(l -> l.startsWith("| `./harbormaster analyze compare"))
                .findFirst()
                .orElseThrow();
        assertTrue(row.contains("`wilcox.test(canary, baseline, conf.int = TRUE, exact = FALSE)`"), row);
        assertTrue(row.contains("continuity correction"), row);
        Result help = run("analyze", "compare", "--help");
        assertTrue(help.out().contains("exact ="), help.out());
    }

    @Test
    void compareRefusesAToleranceOrLevelOutsideItsMeaningfulRangeInFewDigits() {
        Result huge =
                run("analyze", "compare", "--baseline", "1,2,3,4,5", "--canary", "6,7,8,9,10", "--tolerance", "1e308");
        assertEquals(2, huge.exit(), huge.out());
        assertTrue(huge.err().contains("--tolerance must be 0 or more and below 1"), huge.err());
        assertTrue(huge.err().contains("got 1e+308"), huge.err());
        assertTrue(huge.err().length() < 400, huge.err());
        Result one = run("analyze", "compare", "--baseline", "1,2,3,4,5", "--canary", "6,7,8,9,10", "--tolerance", "1");
        assertEquals(2, one.exit(), one.out());
        Result certain = run(
                "analyze", "compare", "--baseline", "1,2,3", "--canary", "4,5,6", "--confidence", "0.9999999999999");
        assertEquals(2, certain.exit(), certain.out());
        assertTrue(certain.err().contains("--confidence must be between 0.5 and 0.9999"), certain.err());
        assertTrue(certain.err().contains("got 0.9999999999999"), certain.err());
    }

    @Test
    void compareGivesTheIntervalsLevelAsAskedNotRoundedToAWholePercent() {
        Result r = run(
                "analyze",
                "compare",
                "--baseline",
                "40,41,42,43,44,45,39,40",
                "--canary",
                "50,52,51,49,55,53,50,52",
                "--confidence",
                "0.995",
                "--tolerance",
                "0.999");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("99.5% interval: ["), r.out()); // was "100% interval"
        assertTrue(r.out().contains("99.5% interval [") && r.out().contains("(tolerance 0.999 of the"), r.out());
        assertTrue(run("analyze", "compare", "--baseline", "1,2,3", "--canary", "4,5,6")
                .out()
                .contains("98% interval:   ["));
    }

    @Test
    void compareRefusesANonNumberWithAMessageSayingWhatToDo() {
        Result r = run("analyze", "compare", "--baseline", "1,two,3", "--canary", "1,2,3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'two' is not a number"), r.err());
    }

    @Test
    void compareRefusesValuesItWouldOtherwiseDropNamingTheirPosition() {
        // before: each of these gave the estimate of 5,6 alone, without a word
        for (String[] bad : new String[][] {
            {"Infinity,5,6", "--canary: item 1 'Infinity' is not a finite number"},
            {"-Infinity,5,6", "--canary: item 1 '-Infinity' is not a finite number"},
            {"5,1e400,6", "--canary: item 2 '1e400' is out of range"},
            {"5,,6", "--canary: item 2 is empty"},
            {"5,6,", "--canary: item 3 is empty"},
            {"5,0x1p3,6", "--canary: item 2 '0x1p3' is not a number"},
            {"5,6d", "--canary: item 2 '6d' is not a number"},
        }) {
            Result r = run("analyze", "compare", "--baseline", "1,2,3", "--canary", bad[0]);
            assertEquals(2, r.exit(), bad[0] + ": " + r.out());
            assertTrue(r.err().contains(bad[1]), bad[0] + ": " + r.err());
            assertTrue(r.out().isEmpty(), r.out());
        }
        Result tolerance =
                run("analyze", "compare", "--baseline", "1,2,3", "--canary", "4,5,6", "--tolerance", "Infinity");
        assertEquals(2, tolerance.exit(), tolerance.out());
        assertTrue(tolerance.err().contains("--tolerance must be 0 or more"), tolerance.err());
    }

    @Test
    void compareSaysWhichNanValuesItLeftOutAsNoData() throws Exception {
        Result r = run("analyze", "compare", "--baseline", "1,2,3", "--canary", "NaN,5,6,nan");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("no data:        --canary items 1, 4 (NaN) left out"), r.out());

        Result j = run("analyze", "compare", "--baseline", "1,2,3", "--canary", "NaN,5,6", "--json");
        assertEquals(0, j.exit(), j.err());
        JsonNode json = JSON.readTree(j.out());
        assertEquals("[]", json.get("left_out").get("baseline").toString());
        assertEquals("[1]", json.get("left_out").get("canary").toString());

        Result none = run("analyze", "compare", "--baseline", "1,2,3", "--canary", "NaN", "--json");
        assertEquals(0, none.exit(), none.err());
        assertEquals("Nodata", JSON.readTree(none.out()).get("classification").asText());
        // in text, a comparison without data says so instead of NaN figures
        Result text = run("analyze", "compare", "--baseline", "1,2,3", "--canary", "NaN,NaN");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("estimate:       none (no data for the canary)"), text.out());
        assertFalse(
                text.out().contains("NaN,")
                        || text.out().contains(": NaN")
                        || text.out().contains("[NaN"),
                text.out());
    }

    /** 54 intervals of 10 s: a canary with sparse new errors, which the sequential judge rolls back. */
    Path sparseErrorsRun() throws Exception {
        var series = new StringBuilder();
        int[] pattern = {0, 1, 2, 1, 0, 0};
        for (int i = 0; i < 54; i++) {
            if (i > 0) series.append(',');
            series.append("{\"t\":")
                    .append(10 * i)
                    .append(
                            ",\"baseline\":{\"requests\":100,\"errors\":0,\"p50_ms\":41.0,\"p99_ms\":180.0,\"restarts\":0}")
                    .append(",\"canary\":{\"requests\":100,\"errors\":")
                    .append(pattern[i % 6])
                    .append(",\"p50_ms\":41.0,\"p99_ms\":180.0,\"restarts\":null}}");
        }
        Path input = dir.resolve("run.json");
        Files.writeString(
                input,
                "{\"interval_seconds\":10,\"steps\":[{\"weight\":5,\"intervals\":18},"
                        + "{\"weight\":25,\"intervals\":18},{\"weight\":50,\"intervals\":18}],\"series\":[" + series
                        + "]}");
        return input;
    }

    @Test
    void runRollsBackARecordedCanaryWithSparseNewErrorsAndSaysWhy() throws Exception {
        Result r = run("analyze", "run", "--input", sparseErrorsRun().toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(
                List.of(
                        "verdict",
                        "decided_at_s",
                        "judge",
                        "metric",
                        "reason",
                        "intervals_recorded",
                        "intervals_replayed",
                        "timeline"),
                iterable(json.fieldNames()));
        assertEquals("ROLLBACK", json.get("verdict").asText());
        assertEquals("sequential", json.get("judge").asText());
        assertEquals("error_rate", json.get("metric").asText());
        assertTrue(json.get("timeline").size() > 0);
    }

    @Test
    void runsVerdictTimeIsTheEndOfTheTimelinesLastInterval() throws Exception {
        Path input = sparseErrorsRun();
        JsonNode json = JSON.readTree(
                run("analyze", "run", "--input", input.toString(), "--json").out());
        long at = json.get("decided_at_s").asLong();
        JsonNode timeline = json.get("timeline");
        JsonNode last = timeline.get(timeline.size() - 1);
        assertEquals(List.of("t", "end_s", "weight", "decision", "e_values", "note"), iterable(last.fieldNames()));
        assertEquals(at, last.get("end_s").asLong(), last.toString());
        assertEquals(at - 10, last.get("t").asLong(), "t is the interval's start, as in the input");
        assertEquals(10, timeline.get(0).get("end_s").asLong());

        Result text = run("analyze", "run", "--input", input.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("verdict:  ROLLBACK at " + at + " s\n"), text.out());
        var rows = text.out().lines().dropWhile(l -> !l.startsWith("timeline")).toList();
        assertTrue(rows.getFirst().contains("start-end"), rows.getFirst());
        assertTrue(rows.get(1).startsWith("     0-  10 "), rows.get(1));
        String lastRow = rows.getLast();
        assertTrue(lastRow.startsWith(String.format("  %4d-%4d ", at - 10, at)), lastRow);
        assertTrue(lastRow.contains("ROLLBACK"), lastRow);
    }

    @Test
    void runSaysHowManyRecordedIntervalsTheVerdictLeftUnread() throws Exception {
        Path input = sparseErrorsRun();
        JsonNode json = JSON.readTree(
                run("analyze", "run", "--input", input.toString(), "--json").out());
        int replayed = json.get("timeline").size();
        assertTrue(replayed < 54, "the rollback comes before the recording ends");
        assertEquals(54, json.get("intervals_recorded").asInt());
        assertEquals(replayed, json.get("intervals_replayed").asInt());

        Result text = run("analyze", "run", "--input", input.toString());
        assertTrue(
                text.out()
                        .contains("replayed: " + replayed + " of 54 recorded intervals; the other " + (54 - replayed)
                                + " come after the verdict\n"),
                text.out());
    }

    @Test
    void runReadsAPolicyFileAndRefusesUnknownKeys() throws Exception {
        Path input = dir.resolve("run.json");
        Files.writeString(input, "{\"interval_seconds\":10,\"series\":[{\"t\":0,\"baseline\":null,\"canary\":null}]}");
        Path policy = dir.resolve("policy.yml");
        Files.writeString(policy, "max_no_data_seconds: 10\nsequential:\n  alpha: 0.02\n");
        Result ok = run("analyze", "run", "--input", input.toString(), "--policy", policy.toString(), "--json");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("PAUSE", JSON.readTree(ok.out()).get("verdict").asText());

        Files.writeString(policy, "sequential:\n  alpah: 0.02\n");
        Result bad = run("analyze", "run", "--input", input.toString(), "--policy", policy.toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown key 'alpah'"), bad.err());
    }

    @Test
    void runSaysWhereAFileIsNotJsonAndWhatIsMissingWithoutParserJargon() throws Exception {
        Path cut = dir.resolve("cut.json");
        Files.writeString(cut, "{\"interval_seconds\":10,\"series\":[{\"t\":0,\"baseline\":null,\"canary\":null}]\n");
        Result r = run("analyze", "run", "--input", cut.toString());
        assertEquals(2, r.exit());
        assertEquals(
                "error: " + cut + ", line 2, column 1: the text ends before the object opened at line 1, column 1 is"
                        + " closed: a '}' is missing",
                r.err().strip());

        Path missing = dir.resolve("nope.json");
        Result m = run("analyze", "run", "--input", missing.toString());
        assertEquals(2, m.exit());
        assertEquals(
                "error: " + missing + ": cannot read it: no such file; give the path of a recorded canary (see"
                        + " analyze run --help)",
                m.err().strip());
    }

    @Test
    void aDirectoryGivenForAFileIsNamedAsOne() {
        Result input = run("analyze", "run", "--input", dir.toString());
        assertEquals(2, input.exit());
        assertEquals(
                "error: --input " + dir + " is a directory: give a recorded canary JSON file (see analyze run --help)",
                input.err().strip());
        Result policy = run("analyze", "run", "--input", dir.toString(), "--policy", dir.toString());
        assertThat(policy.err()).contains("--policy " + dir + " is a directory: give a canary policy YAML file");
        Result history = run("analyze", "run", "--input", dir.toString(), "--noise-history", dir.toString());
        assertThat(history.err()).contains("--noise-history " + dir + " is a directory");
    }

    static final String TRACK = "{\"requests\":100,\"errors\":1,\"p50_ms\":41.0,\"p99_ms\":180.0,\"restarts\":0}";

    /** A recording of {@code n} 10 s intervals with the same healthy track on both sides, one entry per line. */
    static String recording(int n) {
        var series = new StringBuilder();
        for (int i = 0; i < n; i++) {
            series.append(i == 0 ? "\n" : ",\n")
                    .append("{\"t\":")
                    .append(10 * i)
                    .append(",\"baseline\":")
                    .append(TRACK)
                    .append(",\"canary\":")
                    .append(TRACK)
                    .append('}');
        }
        return "{\"interval_seconds\":10,\"series\":[" + series + "\n]}";
    }

    /** Runs analyze run on {@code json} and returns the one line it printed on stderr; it must have refused. */
    String refusal(String json) throws Exception {
        Path input = dir.resolve("bad.json");
        Files.writeString(input, json);
        Result r = run("analyze", "run", "--input", input.toString());
        assertEquals(2, r.exit(), json + " was accepted: " + r.out());
        assertTrue(r.out().isEmpty(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + input), r.err());
        return r.err().strip().substring(("error: " + input).length());
    }

    @Test
    void runRefusesUnknownKeysAtEveryLevelNamingThePlaceAndTheKnownKeys() throws Exception {
        String good = recording(5);
        assertEquals(
                0,
                run(
                                "analyze",
                                "run",
                                "--input",
                                Files.writeString(dir.resolve("good.json"), good)
                                        .toString())
                        .exit());

        // before: a misspelt count was read as "no data", and the replay paused with "data ended"
        String misspelt = good.replaceFirst("(\\{\"t\":30,\"baseline\":\\{)\"requests\"", "$1\"requsts\"");
        assertEquals(
                ", line 5, column 21: series[3].baseline: unknown key 'requsts' (did you mean 'requests'?); known keys:"
                        + " requests, errors, p50_ms, p99_ms, restarts",
                refusal(misspelt));
        assertTrue(refusal(good.replaceFirst("\"canary\"", "\"canery\""))
                .contains("series[0]: unknown key 'canery' (did you mean 'canary'?); known keys: t, baseline, canary"));
        assertTrue(refusal(good.replace("{\"interval_seconds\"", "{\"intervall_seconds\""))
                .contains(": unknown key 'intervall_seconds' (did you mean 'interval_seconds'?); known keys:"
                        + " interval_seconds, steps, series"));
        assertTrue(refusal(good.replace(
                        "\"series\":", "\"steps\":[{\"weight\":5,\"intervals\":18,\"wieght\":1}],\"series\":"))
                .contains("steps[0]: unknown key 'wieght' (did you mean 'weight'?); known keys: weight, intervals"));
        assertTrue(refusal(good.replace("\"series\":", "\"comment\":\"x\",\"series\":"))
                .contains(": unknown key 'comment'; known keys: interval_seconds, steps, series"));
        // a key given twice would let one value silently replace the other
        assertTrue(refusal(good.replaceFirst("\"errors\":1,", "\"errors\":1,\"errors\":2,"))
                .contains("series[0].baseline: errors is given twice"));
        // a key left out is not "no data" either: null says that
        assertTrue(refusal(good.replaceFirst(",\"restarts\":0", ""))
                .contains("series[0].baseline: restarts is missing; give null for an interval without this data"));
        assertTrue(refusal(good.replaceFirst(",\"canary\":\\{[^}]*}", ""))
                .contains("series[0]: canary is missing; give null for an interval without data from it"));
    }

    @Test
    void aP99BelowItsP50IsRefusedNamingTheIntervalAndTrack() throws Exception {
        // before: accepted, and the replay judged latencies no canary had
        String good = recording(5);
        String third = "{\"t\":20,\"baseline\":" + TRACK + ",\"canary\":" + TRACK;
        String swapped = TRACK.replace("\"p50_ms\":41.0,\"p99_ms\":180.0", "\"p50_ms\":180.0,\"p99_ms\":41.0");
        String bad = good.replace(third, "{\"t\":20,\"baseline\":" + TRACK + ",\"canary\":" + swapped);
        assertThat(refusal(bad))
                .contains("series[2].canary: the interval at t=20 s has p99_ms 41 below its p50_ms 180 on the canary"
                        + " track");
        // the keys in another order: still named by its t
        String tLast = good.replace(third + "}", "{\"baseline\":" + swapped + ",\"canary\":" + TRACK + ",\"t\":20}");
        assertThat(refusal(tLast)).contains("series[2].baseline: the interval at t=20 s", "baseline track");
    }

    @Test
    void runRefusesImpossibleOrBentValuesInsteadOfReadingThemAsSomethingElse() throws Exception {
        String good = recording(5);
        String first = "{\"t\":0,\"baseline\":" + TRACK + ",\"canary\":" + TRACK;
        // counts are whole numbers of requests in one interval, errors among them
        assertTrue(refusal(good.replace(first, first.replaceFirst("(.*)\"errors\":1", "$1\"errors\":900")))
                .contains("series[0].canary.errors: 900 is more than requests (100) in the same interval; errors are"
                        + " counted among the requests"));
        assertTrue(refusal(good.replaceFirst("\"requests\":100", "\"requests\":100.5"))
                .contains("series[0].baseline.requests: must be a whole number (a count per interval), got 100.5"));
        assertTrue(refusal(good.replaceFirst("\"errors\":1", "\"errors\":0.5"))
                .contains("series[0].baseline.errors: must be a whole number"));
        assertTrue(refusal(good.replaceFirst("\"restarts\":0", "\"restarts\":0.25"))
                .contains("series[0].baseline.restarts: must be a whole number"));
        assertTrue(refusal(good.replaceFirst("\"requests\":100", "\"requests\":-3"))
                .contains("series[0].baseline.requests: must not be negative, got -3"));
        // out of range is refused, not turned into "no data" (Infinity) or a different number
        assertTrue(refusal(good.replaceFirst("\"p99_ms\":180.0", "\"p99_ms\":1e400"))
                .contains("series[0].baseline.p99_ms: 1e400 is out of range"));
        assertTrue(refusal(good.replaceFirst("\"requests\":100", "\"requests\":1e400"))
                .contains("series[0].baseline.requests: 1e400 is out of range (at most 9007199254740992)"));
        assertTrue(refusal(good.replaceFirst("\"p50_ms\":41.0", "\"p50_ms\":-41.0"))
                .contains("series[0].baseline.p50_ms: must not be negative, got -41.0"));
        // times are whole seconds, one interval apart from 0: truncating 10.7 or 0.9 would shift every interval
        assertTrue(refusal(good.replace("\"interval_seconds\":10", "\"interval_seconds\":10.7"))
                .contains("interval_seconds: must be a whole number of seconds from 1 to 86400, got 10.7"));
        assertTrue(refusal(good.replace("\"interval_seconds\":10", "\"interval_seconds\":0"))
                .contains("interval_seconds: must be a whole number of seconds from 1 to 86400, got 0"));
        assertTrue(refusal(good.replace("{\"t\":0,", "{\"t\":0.9,"))
                .contains("series[0].t: must be a whole number of seconds, got 0.9"));
        assertTrue(refusal(good.replace("{\"t\":0,", "{\"t\":5,"))
                .contains("series[0].t: expected 0, got 5; the first entry is the interval starting when the canary"
                        + " did"));
        assertTrue(refusal(good.replace("{\"t\":20,", "{\"t\":30,"))
                .contains("series[2].t: expected 20 (10 s after the entry before), got 30; give one entry per"
                        + " interval, with null baseline and canary for an interval without data"));
        // the order of the keys does not matter: t is checked once interval_seconds is known
        String intervalLast =
                good.replace("{\"interval_seconds\":10,", "{").replace("\n]}", "\n],\"interval_seconds\":20}");
        assertTrue(refusal(intervalLast).contains("series[1].t: expected 20 (20 s after the entry before), got 10"));
        // steps: whole percentages 1..100 and whole interval counts, as many as the analysis needs
        String steps = "\"steps\":[{\"weight\":5,\"intervals\":18},{\"weight\":50,\"intervals\":18}],";
        String withSteps = good.replace("\"series\":", steps + "\"series\":");
        assertEquals(
                0,
                run(
                                "analyze",
                                "run",
                                "--input",
                                Files.writeString(dir.resolve("s.json"), withSteps)
                                        .toString())
                        .exit());
        // weights by harbormaster.yml's rule, in its words: below 100, each step above the one before
        String notACanary = "a step of %s%% is not a canary: steps stay below 100, and promotion gives the new version"
                + " 100%%; remove this step or give it a weight below 100";
        assertThat(refusal(withSteps.replace("\"weight\":50", "\"weight\":101")))
                .contains("steps[1].weight: " + notACanary.formatted(101));
        // before: accepted, though a step of 100% is the promotion, and harbormaster.yml refuses it
        assertThat(refusal(withSteps.replace("\"weight\":50", "\"weight\":100")))
                .contains("steps[1].weight: " + notACanary.formatted(100));
        // before: accepted, in any order
        assertThat(refusal(withSteps.replace("\"weight\":50", "\"weight\":5")))
                .contains("steps[1].weight: 5% after 5%: each step must give the canary more traffic than the one"
                        + " before (e.g. 5, 25, 50); reorder the steps or raise this weight");
        assertThat(refusal(withSteps.replace("\"weight\":50", "\"weight\":3")))
                .contains("steps[1].weight: 3% after 5%");
        assertThat(refusal(withSteps.replace("\"weight\":5,", "\"weight\":0,")))
                .contains("steps[0].weight: a step of 0% gives the canary no traffic: give it a weight from 1 to 99,"
                        + " or remove this step");
        assertThat(refusal(withSteps.replace("\"weight\":5,", "\"weight\":5.5,")))
                .contains("steps[0].weight: expected a whole number from 1 to 99, got 5.5: the canary's share of"
                        + " traffic, in percent");
        assertThat(refusal(withSteps.replace("\"weight\":5,", "\"weight\":\"5\",")))
                .contains("steps[0].weight: expected a whole number from 1 to 99, got text \"5\"");
        assertTrue(refusal(withSteps.replace("\"intervals\":18}]", "\"intervals\":18.5}]"))
                .contains("steps[1].intervals: must be a whole number of intervals"));
        // before: an uncaught exception with a stack trace
        assertTrue(refusal(withSteps.replace("\"intervals\":18}]", "\"intervals\":2}]"))
                .startsWith(": steps: "));
        // the file as a whole
        assertTrue(refusal("").contains(": the file is empty; expected a JSON object"));
        assertTrue(refusal("  \n").contains(": the file is empty"));
        assertTrue(refusal("[" + TRACK + "]")
                .contains(", line 1, column 1: expected a JSON object {\"interval_seconds\":"
                        + " 10, \"steps\": [...], \"series\": [...]}, found a list"));
        assertTrue(refusal(good + "\n{\"t\": 50}")
                .contains(
                        ", line 8, column 1: there is more after the recording's closing '}' (at line 7, column 2); a file"
                                + " holds one recording: remove the rest"));
        assertTrue(refusal(good + " trailing words").contains("there is more after the recording's closing '}'"));
        assertTrue(refusal("{\"interval_seconds\":10}").contains(": series is missing"));
        assertTrue(refusal("{\"series\":[]}").contains("series: the list is empty"));
    }

    @Test
    void runRefusesARecordingLongerThanAnyReplayNeeds() throws Exception {
        int limit = RecordedCanary.MAX_INTERVALS;
        Path input = dir.resolve("huge.json");
        try (var w = Files.newBufferedWriter(input)) {
            w.write("{\"interval_seconds\":1,\"series\":[");
            for (int i = 0; i <= limit; i++) {
                w.write((i == 0 ? "" : ",") + "{\"t\":" + i + ",\"baseline\":null,\"canary\":null}\n");
            }
            w.write("]}");
        }
        Result r = run("analyze", "run", "--input", input.toString());
        assertEquals(2, r.exit());
        assertTrue(
                r.err()
                        .contains("series[" + limit + "]: more than " + limit
                                + " intervals; a replay of one canary needs" + " far fewer"),
                r.err());
    }

    @Test
    void theDocumentedRecordingIsAcceptedAsItStands() throws Exception {
        Path docs = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && docs == null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docs/configuration.md"))) {
                docs = d.resolve("docs/configuration.md");
            }
        }
        assertTrue(docs != null, "docs/configuration.md not found above the working directory");
        String text = Files.readString(docs);
        String section = text.substring(text.indexOf("## Recorded canaries"));
        String example = section.substring(section.indexOf("```json\n") + 8, section.indexOf("```\n", 10));
        Path input = Files.writeString(dir.resolve("documented.json"), example);
        Result r = run("analyze", "run", "--input", input.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, JSON.readTree(r.out()).get("timeline").size());
    }

    @Test
    void runRefusesAPolicyWhoseIntervalOrStepsContradictTheRecording() throws Exception {
        String steps = "\"steps\":[{\"weight\":5,\"intervals\":18},{\"weight\":50,\"intervals\":18}],";
        Path input =
                Files.writeString(dir.resolve("run.json"), recording(5).replace("\"series\":", steps + "\"series\":"));
        Path policy = dir.resolve("policy.yml");

        // before: the recording's interval and steps silently replaced the policy's
        Files.writeString(policy, "interval_seconds: 30\n");
        Result interval = run("analyze", "run", "--input", input.toString(), "--policy", policy.toString());
        assertEquals(2, interval.exit(), interval.out());
        assertEquals(
                "error: " + policy + " sets interval_seconds: 30, but " + input + " was recorded at 10 s intervals;"
                        + " the recording decides: remove interval_seconds from the policy, or make the two agree",
                interval.err().strip());

        Files.writeString(policy, "steps:\n  - {weight: 10, intervals: 18}\n  - {weight: 50, intervals: 18}\n");
        Result differentSteps = run("analyze", "run", "--input", input.toString(), "--policy", policy.toString());
        assertEquals(2, differentSteps.exit(), differentSteps.out());
        assertEquals(
                "error: " + policy + " sets steps 10% x 18, 50% x 18, but " + input + " records the steps the canary"
                        + " ran, 5% x 18, 50% x 18; a replay follows the recorded traffic: remove steps from one of"
                        + " the two, or make them agree",
                differentSteps.err().strip());

        // agreeing, or only one of the two saying: fine
        Files.writeString(
                policy,
                "interval_seconds: 10\nsteps:\n  - {weight: 5, intervals: 18}\n" + "  - {weight: 50, intervals: 18}\n");
        assertEquals(
                0,
                run("analyze", "run", "--input", input.toString(), "--policy", policy.toString())
                        .exit());
        Files.writeString(policy, "steps:\n  - {weight: 10, intervals: 18}\n  - {weight: 50, intervals: 18}\n");
        Path noSteps = Files.writeString(dir.resolve("nosteps.json"), recording(5));
        assertEquals(
                0,
                run("analyze", "run", "--input", noSteps.toString(), "--policy", policy.toString())
                        .exit());
    }

    @Test
    void runWithoutAnInputSaysWhatToGive() {
        Result r = run("analyze", "run");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--input"), r.err());
    }

    @Test
    void runRefusesAPrometheusRangeTooLongToReadBeforeAskingPrometheus() {
        // years of 10 s intervals: refused by its size, not by a stack trace (nothing listens on port 9)
        Result r = run(
                "analyze",
                "run",
                "--prometheus",
                "http://127.0.0.1:9",
                "--service",
                "checkout",
                "--from",
                "2020-01-01T00:00:00Z",
                "--to",
                "2026-01-01T00:00:00Z");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("too many to read"), r.err());
        assertTrue(r.err().contains("--from"), r.err());
        assertTrue(r.err().contains("intervals of 10 s"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void runTakesRelativeTimesAndUnixSecondsAndReadsPrometheusOverThatRange() throws Exception {
        // A Prometheus that records the range it is asked for and has no data.
        var starts = new java.util.concurrent.ConcurrentLinkedQueue<Double>();
        var ends = new java.util.concurrent.ConcurrentLinkedQueue<Double>();
        var prometheus = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        prometheus.createContext("/", exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            var query = exchange.getRequestURI().getRawQuery();
            for (var pair : ((query == null ? "" : query) + "&" + body).split("&")) {
                var kv = pair.split("=", 2);
                if (kv.length == 2 && kv[0].equals("start")) {
                    starts.add(Double.parseDouble(java.net.URLDecoder.decode(kv[1], "UTF-8")));
                } else if (kv.length == 2 && kv[0].equals("end")) {
                    ends.add(Double.parseDouble(java.net.URLDecoder.decode(kv[1], "UTF-8")));
                }
            }
            var answer = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        prometheus.start();
        try {
            var url = "http://127.0.0.1:" + prometheus.getAddress().getPort();
            double before = System.currentTimeMillis() / 1000.0;
            Result r = run(
                    "analyze", "run", "--prometheus", url, "--service", "checkout", "--from", "-30m", "--to", "now");
            double after = System.currentTimeMillis() / 1000.0;
            assertFalse(r.err().contains("is not a time"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
            assertFalse(starts.isEmpty(), r.out() + r.err());
            // every query covers the half hour up to now (its points at the ends of the 10 s intervals)
            for (double start : starts) {
                assertTrue(start >= before - 1800 && start <= after - 1800 + 20, start + " " + before);
            }
            for (double end : ends) {
                assertTrue(end >= before - 20 && end <= after + 20, end + " " + after);
            }

            starts.clear();
            Result unix = run(
                    "analyze",
                    "run",
                    "--prometheus",
                    url,
                    "--service",
                    "checkout",
                    "--from",
                    "1718100000",
                    "--to",
                    "2024-06-11T10:30:00Z");
            assertFalse(unix.err().contains("is not a time"), unix.err());
            assertFalse(starts.isEmpty(), unix.out() + unix.err());
            for (double start : starts) {
                assertTrue(start >= 1718100000 && start <= 1718100000 + 20, String.valueOf(start));
            }
        } finally {
            prometheus.stop(0);
        }
    }

    @Test
    void runRefusesATimeItCannotReadListingTheFormsAndAFromThatIsNotBeforeTo() {
        Result bad = run(
                "analyze",
                "run",
                "--prometheus",
                "http://127.0.0.1:9",
                "--service",
                "checkout",
                "--from",
                "yesterday",
                "--to",
                "now");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--from 'yesterday' is not a time: give an ISO-8601 time"), bad.err());
        assertTrue(bad.err().contains("unix seconds (1718100000), now, or a time back from now"), bad.err());
        assertFalse(bad.err().contains("\tat "), bad.err());

        Result backwards = run(
                "analyze",
                "run",
                "--prometheus",
                "http://127.0.0.1:9",
                "--service",
                "checkout",
                "--from",
                "now",
                "--to",
                "-1h");
        assertEquals(2, backwards.exit(), backwards.err());
        assertTrue(backwards.err().contains("--from must be before --to: --from now is "), backwards.err());
        assertTrue(backwards.err().contains(", --to -1h is "), backwards.err());
        // said to the minute in UTC, as every time a person reads, not as an ISO instant with nanoseconds
        assertTrue(
                java.util.regex.Pattern.compile("--from now is \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, --to -1h is"
                                + " \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC")
                        .matcher(backwards.err())
                        .find(),
                backwards.err());
    }

    @Test
    void benchCanaryPrintsEveryScenarioAndJudgeAsJson() throws Exception {
        Result r = run("bench", "canary", "--runs", "2", "--seed", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        JsonNode first = json.get("scenarios").get(0);
        assertTrue(first.get("judges").has("harbormaster"));
        JsonNode ours = first.get("judges").get("harbormaster");
        assertTrue(ours.has("false_rollback_rate"));
        // the healthy scenario's promotions: the median and the 90th percentile (what holding costs healthy canaries)
        assertTrue(ours.get("promote_median_s").isNumber(), ours.toString());
        assertTrue(
                ours.get("promote_p90_s").asDouble()
                        >= ours.get("promote_median_s").asDouble(),
                ours.toString());
        assertTrue(json.get("targets").has("ttd_vs_oracle_le_1_25"));
    }

    @Test
    void benchCanaryWithHistoryAddsOurJudgeOnAServiceWithEarlierCanariesApartFromTheOthers() throws Exception {
        Result r = run("bench", "canary", "--runs", "3", "--seed", "3", "--history", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(2, json.get("history").asInt());
        for (JsonNode scenario : json.get("scenarios")) {
            JsonNode judges = scenario.get("judges");
            assertTrue(judges.has("harbormaster") && judges.has("hm+history"), scenario.toString());
        }
        // BENCHMARKS.md's targets stay our first-canary judge's; the history's are reported under their own key
        assertTrue(json.get("targets").has("detection_ge_95pct"));
        assertTrue(json.get("targets_hm+history").has("ttd_vs_oracle_le_1_25"), json.toString());

        Result text = run("bench", "canary", "--runs", "2", "--history", "1");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("targets (hm+history, a service's 1 earlier canary known"), text.out());
        assertTrue(text.out().contains("hm+history after 1 earlier canary, "), text.out());

        Result none = run("bench", "canary", "--runs", "2", "--json");
        assertFalse(
                JSON.readTree(none.out()).get("scenarios").get(0).get("judges").has("hm+history"));

        Result bad = run("bench", "canary", "--history", "-1");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--history must be between 0 and 100"), bad.err());
    }

    @Test
    void benchCanaryWithStableMinutesAddsOurJudgeOnAFirstCanaryThatReadItsStableTrackApartFromTheOthers()
            throws Exception {
        Result r = run("bench", "canary", "--runs", "3", "--seed", "3", "--stable-minutes", "10", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(10, json.get("stable_minutes").asInt());
        Result plain = run("bench", "canary", "--runs", "3", "--seed", "3", "--json");
        JsonNode without = JSON.readTree(plain.out());
        assertEquals(0, without.get("stable_minutes").asInt());
        for (int k = 0; k < json.get("scenarios").size(); k++) {
            JsonNode judges = json.get("scenarios").get(k).get("judges");
            JsonNode official = without.get("scenarios").get(k).get("judges");
            assertTrue(judges.has("hm+stable"), judges.toString());
            assertFalse(official.has("hm+stable"), official.toString());
            // the judges BENCHMARKS.md's figures are made of see the same streams with or without it
            for (String judge : List.of("harbormaster", "kayenta-style", "threshold")) {
                assertEquals(official.get(judge), judges.get(judge), judge + " in " + judges);
            }
        }
        assertEquals(without.get("targets"), json.get("targets"));
        assertTrue(json.get("targets_hm+stable").has("ttd_vs_oracle_le_1_25"), json.toString());
        assertFalse(without.has("targets_hm+stable"));

        Result text = run("bench", "canary", "--runs", "2", "--stable-minutes", "5");
        assertEquals(0, text.exit(), text.err());
        assertTrue(
                text.out()
                        .contains("targets (hm+stable, the stable track's 5 min before the canary known; not"
                                + " BENCHMARKS.md's protocol): false rollbacks <= 1%: "),
                text.out());
        assertTrue(text.out().contains("hm+stable after the stable track's 5 min, "), text.out());

        for (String[] c : new String[][] {
            {"-1", "--stable-minutes must be between 0 and 1440"},
            {"1441", "--stable-minutes must be between 0 and 1440"},
            {"1", "--stable-minutes 1 is 6 intervals of 10 s, too few to read the noise from (at least 12)"},
        }) {
            Result bad = run("bench", "canary", "--runs", "2", "--stable-minutes", c[0]);
            assertEquals(2, bad.exit(), c[0]);
            assertTrue(bad.err().contains(c[1]), bad.err());
        }
    }

    @Test
    void benchCanaryJudgesWithAPolicyFileOnlyOurJudgeAndRefusesAnotherInterval() throws Exception {
        Path late = Files.writeString(
                dir.resolve("late.yml"),
                "last_step_after_seconds: 300\nmin_promote_seconds: 300\npromote_by_seconds: 300\n");
        Result r = run("bench", "canary", "--runs", "3", "--seed", "3", "--policy", late.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(late.toString(), json.get("policy").asText());
        JsonNode healthy = json.get("scenarios").get(0).get("judges");
        Result defaults = run("bench", "canary", "--runs", "3", "--seed", "3", "--json");
        JsonNode usual = JSON.readTree(defaults.out()).get("scenarios").get(0).get("judges");
        assertFalse(JSON.readTree(defaults.out()).has("policy"));
        // our judge waits for the policy's bake time; the others do not read it
        assertTrue(healthy.get("harbormaster").get("promote_median_s").asDouble() >= 300, healthy.toString());
        assertTrue(usual.get("harbormaster").get("promote_median_s").asDouble() < 300, usual.toString());
        assertEquals(usual.get("kayenta-style"), healthy.get("kayenta-style"));

        Path coarse = Files.writeString(dir.resolve("coarse.yml"), "interval_seconds: 30\n");
        Result refused = run("bench", "canary", "--runs", "2", "--policy", coarse.toString());
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains("the benchmark's traffic comes in 10 s intervals"), refused.err());
    }

    @Test
    void escalatedJudgesWithTheCautiousPolicyInABenchAndInAReplay() throws Exception {
        Result r = run("bench", "canary", "--runs", "3", "--seed", "3", "--escalated", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertTrue(json.get("escalated").asBoolean(), r.out());
        JsonNode healthy = json.get("scenarios").get(0).get("judges");
        assertTrue(healthy.get("harbormaster").get("promote_median_s").asDouble() >= 300, healthy.toString());
        assertTrue(run("bench", "canary", "--runs", "2", "--escalated").out().contains("as for an escalated change"));

        Path input = Files.writeString(dir.resolve("calm.json"), recording(60));
        JsonNode standard = JSON.readTree(
                run("analyze", "run", "--input", input.toString(), "--json").out());
        JsonNode escalated = JSON.readTree(run("analyze", "run", "--input", input.toString(), "--escalated", "--json")
                .out());
        assertEquals("PROMOTE", standard.get("verdict").asText(), standard.toString());
        assertEquals("PROMOTE", escalated.get("verdict").asText(), escalated.toString());
        assertTrue(standard.get("decided_at_s").asLong() < 300, standard.toString());
        assertTrue(escalated.get("decided_at_s").asLong() >= 300, escalated.toString());
    }

    @Test
    void benchCanaryLimitsPutsTheOracleFirstAndOurJudgeLastForEachLatencyStep() throws Exception {
        Result r = run("bench", "canary-limits", "--runs", "5", "--seed", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(
                List.of("latency-+10%-step", "latency-+25%-step"),
                iterable(json.get("scenarios").findValuesAsText("scenario").iterator()));
        for (JsonNode scenario : json.get("scenarios")) {
            JsonNode judges = scenario.get("judges");
            assertEquals(5, judges.size(), scenario.toString());
            assertEquals("oracle-sprt", judges.get(0).get("judge").asText());
            assertEquals(1.0, judges.get(0).get("ttd_vs_oracle").asDouble(), 1e-12);
            assertTrue(judges.get(4).get("judge").asText().startsWith("ours"), scenario.toString());
            assertTrue(judges.get(4).get("ttd_median_s").asDouble() > 0, scenario.toString());
        }
        Result text = run("bench", "canary-limits", "--runs", "3");
        assertTrue(text.out().contains("known-onset (our mixture over shift sizes)"), text.out());
        assertEquals(2, run("bench", "canary-limits", "--runs", "0").exit());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        var list = new java.util.ArrayList<String>();
        it.forEachRemaining(list::add);
        return list;
    }
}
