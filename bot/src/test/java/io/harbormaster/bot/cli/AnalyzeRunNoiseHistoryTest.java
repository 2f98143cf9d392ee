package io.harbormaster.bot.cli;

import static io.harbormaster.bot.cli.AnalyzeCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.cli.AnalyzeCommandTest.Result;
import io.harbormaster.engine.canary.IntervalSample;
import io.harbormaster.engine.canary.TrackSample;
import io.harbormaster.engine.canary.bench.Fault;
import io.harbormaster.engine.canary.bench.Scenario;
import io.harbormaster.engine.canary.bench.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze run --noise-history}: a pipeline decision replayed with the history its audit entry shows. */
class AnalyzeRunNoiseHistoryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A latency history as the audit entry writes it, for the simulated service below: the per-request variances of
     * its log p50 and log p99 (sample-quantile theory for its latency distribution), 30 values each.
     */
    static final String HISTORY =
            "{\"p50\":{\"values\":30,\"variance\":0.52},\"p99\":{\"values\":30,\"variance\":2.45},"
                    + "\"spread\":1.46,\"latency_history_kept\":true,\"from_deploys\":[{\"deploy\":7,\"version\":\"1.1.0\"}]}";

    @TempDir
    Path dir;

    /** A canary 25% slower than its baseline from its first request, 18 intervals at 5%, as a recording. */
    Path slowerCanary(long seed) throws Exception {
        var scenario = new Scenario(
                "latency +25%",
                200, 0.005, 0.35, false, false, false, new Fault(Fault.Kind.LATENCY_TIMES, 1.25, false));
        var generator = new TrafficGenerator(scenario, 0, seed);
        var series = new StringBuilder();
        for (int k = 0; k < 18; k++) {
            IntervalSample s = generator.next(10L * k, 5);
            series.append(k == 0 ? "" : ",")
                    .append(String.format(
                            Locale.ROOT,
                            "{\"t\":%d,\"baseline\":%s,\"canary\":%s}",
                            s.t(),
                            track(s.baseline()),
                            track(s.canary())));
        }
        return Files.writeString(
                dir.resolve("run-" + seed + ".json"),
                "{\"interval_seconds\":10,\"steps\":[{\"weight\":5,\"intervals\":18}],\"series\":[" + series + "]}");
    }

    static String track(TrackSample t) {
        return String.format(
                Locale.ROOT,
                "{\"requests\":%d,\"errors\":%d,\"p50_ms\":%s,\"p99_ms\":%s,\"restarts\":0}",
                (long) t.requests(),
                (long) t.errors(),
                t.p50Ms(),
                t.p99Ms());
    }

    Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theAuditEntrysHistoryJudgesTheRecordingAsTheServicesLaterCanaryNotAsItsFirst() throws Exception {
        Path history = file("history.json", HISTORY);
        int sooner = 0, later = 0;
        for (long seed = 1; seed <= 8; seed++) {
            Path input = slowerCanary(seed);
            Result first = run("analyze", "run", "--input", input.toString(), "--json");
            Result later_ =
                    run("analyze", "run", "--input", input.toString(), "--noise-history", history.toString(), "--json");
            assertEquals(0, first.exit(), first.err());
            assertEquals(0, later_.exit(), later_.err());
            JsonNode a = JSON.readTree(first.out()), b = JSON.readTree(later_.out());
            assertFalse(a.has("noise_history"), a.toString());
            assertEquals(history.toString(), b.get("noise_history").get("file").asText());
            assertTrue(b.get("noise_history").get("latency").asBoolean());
            assertFalse(b.get("noise_history").get("error_bursts").asBoolean());
            assertTrue(b.get("noise_history").has("latency_history_kept"), b.toString());
            assertEquals("ROLLBACK", b.get("verdict").asText(), b.toString());
            long without = a.get("decided_at_s").asLong(),
                    with = b.get("decided_at_s").asLong();
            if (with < without) {
                sooner++;
            } else if (with > without) {
                later++;
            }
        }
        assertTrue(sooner >= 4 && sooner > 2 * later, "sooner " + sooner + ", later " + later);
    }

    @Test
    void theHistoryMayBeGivenAsTheObjectTheDecisionsReasoningOrTheExportedEntryAlike() throws Exception {
        Path input = slowerCanary(3);
        String reasoning = "{\"at_s\":30,\"evidence\":[],\"noise_history\":" + HISTORY + "}";
        String entry =
                "{\"id\":12,\"action\":\"canary.rollback\",\"reasoning\":" + JSON.writeValueAsString(reasoning) + "}";
        String expected = null;
        for (String text : new String[] {HISTORY, reasoning, entry}) {
            Path history = file("shape.json", text);
            Result r = run("analyze", "run", "--input", input.toString(), "--noise-history", history.toString());
            assertEquals(0, r.exit(), text + ": " + r.err());
            assertTrue(
                    r.out().contains("history:  latency noise of earlier canaries (p50 30 values, p99 30), "), r.out());
            if (expected == null) {
                expected = r.out();
            }
            assertEquals(expected, r.out(), text);
        }
    }

    @Test
    void aHistoryReadFromTheStableTrackIsReplayedAndReportedAsSuch() throws Exception {
        Path input = slowerCanary(3);
        String window = "{\"from\":\"2026-11-24T09:50:00Z\",\"to\":\"2026-11-24T10:00:00Z\",\"intervals\":58}";
        String stable = HISTORY.replace(
                "\"from_deploys\":[{\"deploy\":7,\"version\":\"1.1.0\"}]", "\"from_stable_track\":" + window);
        Path history = file("stable.json", stable);
        Result r = run("analyze", "run", "--input", input.toString(), "--noise-history", history.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                r.out()
                        .contains("history:  latency noise of the stable track from 2026-11-24T09:50:00Z to"
                                + " 2026-11-24T10:00:00Z (58 intervals with data) (p50 30 values, p99 30), "),
                r.out());
        assertTrue(r.out().contains("(noise level known from the stable track before the canary)"), r.out());
        assertFalse(r.out().contains("earlier canaries"), r.out());

        Result json =
                run("analyze", "run", "--input", input.toString(), "--noise-history", history.toString(), "--json");
        JsonNode h = JSON.readTree(json.out()).get("noise_history");
        assertEquals("stable_track", h.get("source").asText());
        assertEquals(JSON.readTree(window), h.get("from_stable_track"));
        // the same history from earlier canaries judges the same numbers the same way: only the words differ
        Result earlier = run(
                "analyze",
                "run",
                "--input",
                input.toString(),
                "--noise-history",
                file("h.json", HISTORY).toString(),
                "--json");
        JsonNode e = JSON.readTree(earlier.out());
        assertEquals("earlier_canaries", e.get("noise_history").get("source").asText());
        assertEquals(e.get("decided_at_s"), JSON.readTree(json.out()).get("decided_at_s"));

        assertRefused(
                input,
                file("both.json", stable.replace("\"from_stable_track\"", "\"from_deploys\":[],\"from_stable_track\"")),
                "not both");
        assertRefused(
                input,
                file("bad-window.json", stable.replace("\"intervals\":58", "\"intervals\":58,\"minutes\":10")),
                "noise_history.from_stable_track has an unknown key 'minutes'");
    }

    @Test
    void aWholeExportGivesItsOneCanaryDecisionAndOtherwiseSaysWhichToCopy() throws Exception {
        Path input = slowerCanary(5);
        String reasoning = JSON.writeValueAsString("{\"at_s\":30,\"evidence\":[],\"noise_history\":" + HISTORY + "}");
        String escalated = "{\"seq\":3,\"deploy\":\"9\",\"action\":\"deploy.escalated\",\"reasoning\":\"{}\"}";
        String promoted = "{\"seq\":4,\"deploy\":\"9\",\"action\":\"canary.promote\",\"reasoning\":" + reasoning + "}";
        String another = promoted.replace("\"seq\":4,\"deploy\":\"9\"", "\"seq\":8,\"deploy\":\"11\"");
        Path one = file(
                "one.json",
                "{\"format\":\"harbormaster-audit-export-v1\",\"entries\":[" + escalated + "," + promoted + "]}");
        Result r = run("analyze", "run", "--input", input.toString(), "--noise-history", one.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("history:  latency noise of earlier canaries"), r.out());

        assertRefused(
                input,
                file(
                        "two.json",
                        "{\"format\":\"harbormaster-audit-export-v1\",\"entries\":[" + promoted + "," + another + "]}"),
                "holds 2 canary decisions (seq 4 (deploy 9, canary.promote), seq 8 (deploy 11, canary.promote))",
                "copy the one to replay into a file of its own");
        assertRefused(
                input,
                file("none.json", "{\"format\":\"harbormaster-audit-export-v1\",\"entries\":[" + escalated + "]}"),
                "holds no canary decision");
        assertRefused(
                input, file("escalated.json", escalated), "this entry is a deploy.escalated, not a canary decision");
    }

    @Test
    void theHistoryLineShowsTheValuesThePolicyLetsTheJudgeUse() throws Exception {
        Path input = slowerCanary(6);
        Path big = file("big.json", HISTORY.replace("\"values\":30", "\"values\":150"));
        Result r = run("analyze", "run", "--input", input.toString(), "--noise-history", big.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(p50 30 values, p99 30)"), r.out());
        Path policy = file("p.yml", "sequential:\n  noise_history: 12\n");
        Result capped = replay(input, policy, big);
        assertTrue(capped.out().contains("(p50 12 values, p99 12)"), capped.out());
    }

    @Test
    void aHistoryThatCannotBeUsedIsRefusedSayingWhatToDo() throws Exception {
        Path input = slowerCanary(4);
        String noHistory = "{\"id\":12,\"reasoning\":\"{\\\"at_s\\\":210,\\\"evidence\\\":[]}\"}";
        assertRefused(
                input, file("first.json", noHistory), "has no noise_history", "replay it without --noise-history");
        assertRefused(
                input,
                file("bad.json", HISTORY.replace("\"values\":30,\"variance\":0.52", "\"values\":-1,\"variance\":0.52")),
                "noise_history.p50.values must be a whole number from 0 to 2147483647, got -1");
        assertRefused(input, file("cut.json", HISTORY.substring(0, 40)), "cut.json");
        assertRefused(input, file("empty.json", "{}"), "the noise_history is empty");
        assertRefused(input, file("nothing.json", ""), "the file is empty");
        assertRefused(input, file("blank.json", " \n "), "the file is empty");
        assertRefused(input, file("twice.json", HISTORY + HISTORY), "twice.json");
        assertRefused(input, file("dup.json", HISTORY.replace("{\"p50\"", "{\"spread\":1.0,\"p50\"")), "spread");
        assertRefused(input, file("array.json", "[1]"), "expected one JSON object");
        assertRefused(input, dir.resolve("nope.json"), "cannot read it");
        Path policy = file("policy.yml", "sequential:\n  noise_history: 0\n");
        Result r = replay(input, policy, file("ok.json", HISTORY));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("sets sequential.noise_history: 0"), r.err());
    }

    static Result replay(Path input, Path policy, Path history) {
        return run(
                "analyze",
                "run",
                "--input",
                input.toString(),
                "--policy",
                policy.toString(),
                "--noise-history",
                history.toString());
    }

    static void assertRefused(Path input, Path history, String... parts) {
        Result r = run("analyze", "run", "--input", input.toString(), "--noise-history", history.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().isEmpty(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + history), r.err());
        for (String part : parts) {
            assertTrue(r.err().contains(part), r.err());
        }
    }
}
