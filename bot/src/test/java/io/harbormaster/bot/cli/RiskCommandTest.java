package io.harbormaster.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path train;
    static Path test;
    static Path model;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** ApacheJIT-shaped rows whose label follows a known logistic truth in lines added and author experience. */
    static String csv(int n, long seed) {
        var random = new Random(seed);
        var out = new StringBuilder(
                "commit_id,project,buggy,fix,year,author_date,la,ld,nf,nd,ns,ent,ndev,age,nuc," + "aexp,arexp,asexp\n");
        for (int i = 0; i < n; i++) {
            double la = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 3));
            double ld = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 2));
            int nf = 1 + random.nextInt(5);
            double exp = Math.floor(Math.exp(random.nextGaussian() * 1.5 + 5));
            boolean fix = random.nextDouble() < 0.25;
            double logit = -1.6 + 0.8 * (Math.log1p(la) - 3) + (fix ? 1 : 0) - 0.5 * (Math.log1p(exp) - 5);
            boolean buggy = random.nextDouble() < 1 / (1 + Math.exp(-logit));
            out.append(String.format(
                    Locale.ROOT,
                    "c%d,apache/demo,%s,%s,2015,%d,%.0f,%.0f,%d,1,1,0.5,2,10.0,5,%.0f,%.1f,%.0f%n",
                    i,
                    buggy ? "True" : "False",
                    fix ? "True" : "False",
                    1_300_000_000L + i * 600L,
                    la,
                    ld,
                    nf,
                    exp,
                    exp / 2,
                    exp / 3));
        }
        return out.toString();
    }

    @BeforeAll
    static void trainOnSyntheticData() throws IOException {
        train = Files.writeString(dir.resolve("train.csv"), csv(3000, 1));
        test = Files.writeString(dir.resolve("test.csv"), csv(1500, 2));
        model = dir.resolve("model.json");
        var r = run("risk", "train", "--train", train.toString(), "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(model));
    }

    static Path change(String json) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "change", ".json"), json);
    }

    @Test
    void trainingSaysWhereTheModelWentAndItsThreshold() throws IOException {
        var out = dir.resolve("again.json");
        var r = run("risk", "train", "--train", train.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(0.11, j.get("target_rate").asDouble());
        assertEquals(0.11, j.get("training_escalation_rate").asDouble(), 0.005);
        assertEquals(3000, j.get("rows").asInt());
        assertTrue(j.get("notes").toString().contains("lt"));
    }

    @Test
    void aTrainedModelIsUsedFromTheConfigOrStoredInTheDatabaseForServe() throws Exception {
        // risk train says the file's sha256 and how serve scores with it
        var out = dir.resolve("for-serve.json");
        var r = run("risk", "train", "--train", train.toString(), "--out", out.toString(), "--target-rate", "0.2");
        assertEquals(0, r.code(), r.err());
        var sha256 = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
        assertThat(r.out())
                .contains("model written to " + out + " (sha256 " + sha256 + ")")
                .contains("risk: {model: " + out + "} in harbormaster.yml");

        // config check reads it and says it is the one serve scores with
        var config = Files.writeString(dir.resolve("with-model.yml"), """
                groups: {ops: [U01AAA]}
                services: {web: {namespace: default, approvers: ops}}
                risk: {model: for-serve.json, target_escalation_rate: 0.2}
                """);
        var check = run("config", "check", "--config", config.toString());
        assertEquals(0, check.code(), check.err());
        assertThat(check.out())
                .contains("risk model: file " + out + " (sha256 " + sha256.substring(0, 12) + ", trained on train.csv,")
                .contains("target escalation 20%)");
        Files.writeString(config, Files.readString(config).replace("0.2}", "0.11}"));
        var mismatch = run("config", "check", "--config", config.toString());
        assertEquals(1, mismatch.code());
        assertThat(mismatch.err())
                .contains("with-model.yml:3: risk.target_escalation_rate: 0.11 is not the rate")
                .contains("threshold was set for (20%)");

        // --store needs the bot's database, and refuses a missing one before training
        var url = "jdbc:h2:file:" + dir.resolve("bot-db");
        var missing =
                run("risk", "train", "--train", train.toString(), "--out", out.toString(), "--store", "--db", url);
        assertEquals(2, missing.code());
        assertThat(missing.err()).contains("there is no database at");
        io.harbormaster.storage.Database.open(io.harbormaster.storage.DatabaseConfig.of(url))
                .close();
        var stored = run("risk", "train", "--train", train.toString(), "--out", out.toString(), "--store", "--db", url);
        assertEquals(0, stored.code(), stored.err());
        assertThat(stored.out()).contains("stored            in the database as risk_model #1, now its active model");
        try (var db = io.harbormaster.storage.Database.open(io.harbormaster.storage.DatabaseConfig.of(url))) {
            var active = new io.harbormaster.storage.pipeline.JooqRiskModelStore(db)
                    .active()
                    .orElseThrow();
            assertEquals("for-serve.json", active.name());
            assertEquals(0.11, active.escalationRate());
            assertEquals(Files.readString(out), active.modelJson());
        }
    }

    @Test
    void aRiskyChangeIsEscalatedWithItsFactorsAndTheThreshold() throws IOException {
        var c = change("""
                {"service":"payments","version":"2.0.0","image":"registry.example.com/shop/payments:2.0.0",
                 "commit_sha":"9fceb02","build_id":"gha-1","ci_status":"success",
                 "change":{"ns":1,"nd":1,"nf":3,"entropy":1,"la":9000,"ld":400,"fix":true,"ndev":2,"age":10,
                           "nuc":5,"exp":2,"rexp":1,"sexp":1,"files":["src/Pay.java"]},
                 "context":{"criticality":"medium","recent_rollbacks":0,"recent_incidents":0,"dependents":0,
                            "local_time":"2024-05-07T11:00"}}
                """);
        var r = run("risk", "score", "--model", model.toString(), "--change", c.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var j = JSON.readTree(r.out());
        assertEquals("escalate", j.get("decision").asText());
        assertTrue(j.get("score").asDouble() >= j.get("threshold").get("score").asDouble());
        assertEquals(0.11, j.get("threshold").get("target_rate").asDouble());
        assertEquals(
                "la",
                j.get("factors").get(0).get("name").asText(),
                j.get("factors").toString());
        assertTrue(j.get("reasoning").get(0).asText().contains("threshold"));
    }

    @Test
    void aCalmChangeProceedsAndTheTableShowsWhy() throws IOException {
        var c = change("""
                {"service":"payments","version":"2.0.1","image":"registry.example.com/shop/payments:2.0.1",
                 "commit_sha":"9fceb03","build_id":"gha-2","ci_status":"success",
                 "change":{"ns":1,"nd":1,"nf":1,"entropy":0,"la":2,"ld":1,"fix":false,"ndev":2,"age":10,
                           "nuc":5,"exp":3000,"rexp":1500,"sexp":1000,"files":["README.md"]},
                 "context":{"criticality":"medium","recent_rollbacks":0,"recent_incidents":0,"dependents":0,
                            "local_time":"2024-05-07T11:00"}}
                """);
        var r = run("risk", "score", "--model", model.toString(), "--change", c.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("decision   proceed"), r.out());
        assertTrue(r.out().contains("threshold"), r.out());
        assertTrue(r.out().contains("lines added: 2"), r.out());
    }

    @Test
    void theShippedModelIsUsedWhenNoneIsGiven() throws IOException {
        var c = change("""
                {"service":"s","version":"1","image":"registry.example.com/s:1","commit_sha":"9fceb04",
                 "build_id":"gha-3","change":{"la":10,"ld":2,"nf":1,"files":["db/migration/V3__x.sql"]}}
                """);
        var r = run("risk", "score", "--change", c.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var j = JSON.readTree(r.out());
        assertEquals("escalate", j.get("decision").asText());
        assertTrue(
                j.get("reasons").toString().contains("schema-migration"),
                j.get("reasons").toString());
        assertTrue(
                j.get("assumptions").toString().contains("missing"),
                j.get("assumptions").toString());
    }

    @Test
    void anImpossibleChangeIsRefusedOnOneLineWithExitCodeTwo() throws IOException {
        var c = change("""
                {"service":"s","version":"1","image":"registry.example.com/s:1","commit_sha":"9fceb05",
                 "build_id":"gha-4","change":{"la":-1,"files":[]}}
                """);
        var r = run("risk", "score", "--model", model.toString(), "--change", c.toString());
        assertEquals(2, r.code());
        assertEquals(
                "error: " + c + ": not a CI announcement the intake would accept: change.la: is -1: expected a"
                        + " finite number >= 0",
                r.err().strip());
    }

    /** What CI sends to the intake: every field the intake reads, a few it keeps for others, none of ours. */
    static final String ANNOUNCEMENT = """
            {"service":"checkout","version":"1.4.1","image":"registry.example.com/shop/checkout:1.4.1",
             "commit_sha":"abcdef1234567","build_id":"gha-8812345","environment":"production","ci_status":"%s",
             "auto_deploy":false,"requested_by":"ci-bot",
             "change":{"ns":1,"nd":1,"nf":1,"entropy":0,"la":6,"ld":2,"lt":120,"fix":false,"ndev":3,"age":30,
                       "nuc":2,"exp":900,"rexp":400,"sexp":300,"files":["src/main/java/Cart.java"],
                       "dependencies":[],"commit_messages":["Fix rounding"],"pr_title":"Fix rounding","author":"U0DEV"}}
            """;

    @Test
    void aCiAnnouncementTheIntakeAcceptsIsScoredAndOneTheIntakeRefusesIsRefusedAlike() throws IOException {
        var json = ANNOUNCEMENT.formatted("success");
        assertTrue(
                io.harbormaster.engine.intake.CiDeployRequestParser.parse(
                                json.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        instanceof io.harbormaster.engine.intake.ParseResult.Parsed,
                "the intake accepts it");
        var r = run("risk", "score", "--change", change(json).toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var j = JSON.readTree(r.out());
        assertEquals("checkout", j.get("service").asText());
        assertEquals("pass", ciRule(j).get("outcome").asText(), "success is green to the rules: " + j.get("rules"));
        assertTrue(j.get("assumptions").toString().contains("context.criticality missing"), r.out());
        assertTrue(r.err().isEmpty(), r.err());

        // The intake's vocabulary, not another: "green" is refused by both, with the intake's words.
        var green = ANNOUNCEMENT.formatted("green");
        var refused = io.harbormaster.engine.intake.CiDeployRequestParser.parse(
                green.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var problem = ((io.harbormaster.engine.intake.ParseResult.Refused) refused)
                .problems()
                .getFirst()
                .toString();
        var byRisk = run("risk", "score", "--change", change(green).toString());
        assertEquals(2, byRisk.code());
        assertTrue(byRisk.err().contains(problem), problem + " in " + byRisk.err());

        var failed = run(
                "risk",
                "score",
                "--change",
                change(ANNOUNCEMENT.formatted("failed")).toString(),
                "--json");
        assertEquals(0, failed.code(), failed.err());
        var rule = ciRule(JSON.readTree(failed.out()));
        assertEquals("escalate", rule.get("outcome").asText(), failed.out());
        assertTrue(rule.get("reason").asText().contains("CI status is failed"), failed.out());
    }

    static JsonNode ciRule(JsonNode scored) {
        for (var rule : scored.get("rules")) {
            if (rule.get("rule").asText().equals("ci-not-green")) {
                return rule;
            }
        }
        throw new AssertionError("no ci-not-green rule in " + scored.get("rules"));
    }

    @Test
    void theCiStatusIsTheAnnouncementsOwnNotAContextField() throws IOException {
        var json = ANNOUNCEMENT.formatted("success").strip();
        var withContext = json.substring(0, json.length() - 1) + ",\"context\":{\"ci_status\":\"success\"}}";
        var r = run("risk", "score", "--change", change(withContext).toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("context.ci_status: the CI status is the announcement's own ci_status"), r.err());
    }

    @Test
    void aMisspeltContextKeyIsRefusedNotScoredAsItsConservativeDefault() throws IOException {
        // before: "critcality" was ignored and the change scored as of a high-criticality service, silently
        var json = ANNOUNCEMENT.formatted("success").strip();
        var typo = json.substring(0, json.length() - 1) + ",\"context\":{\"critcality\":\"low\"}}";
        var r = run("risk", "score", "--change", change(typo).toString());
        assertEquals(2, r.code(), r.out());
        assertThat(r.err())
                .contains("context.critcality: unknown key 'critcality' (did you mean 'criticality'?)", "local_time")
                .doesNotContain("\tat ");
    }

    @Test
    void aMisspeltChangeMetricIsRefusedAsTheIntakeRefusesItNotScoredAsMissing() throws IOException {
        // before: the intake kept "entrpy", scoring dropped it, and the change was scored with entropy assumed
        var typo = ANNOUNCEMENT.formatted("success").replace("\"entropy\":0", "\"entrpy\":0");
        var r = run("risk", "score", "--change", change(typo).toString());
        assertEquals(2, r.code(), r.out());
        assertThat(r.err())
                .contains(
                        "not a CI announcement the intake would accept",
                        "change.entrpy: unknown key 'entrpy' (did you mean 'entropy'?); known keys: ns, nd, nf,")
                .doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void everyProblemOfTheFileIsReportedAtOnce() throws IOException {
        // before: the unknown key alone, then the bad criticality and the entropy one run each
        var json =
                ANNOUNCEMENT.formatted("success").strip().replace("\"nf\":1,\"entropy\":0", "\"nf\":2,\"entropy\":5");
        var three = json.substring(0, json.length() - 1)
                + ",\"context\":{\"critcality\":\"low\",\"criticality\":\"huge\"}}";
        var r = run("risk", "score", "--change", change(three).toString());
        assertEquals(2, r.code(), r.out());
        assertThat(r.err())
                .contains(
                        "context.critcality: unknown key",
                        "context.criticality is \"huge\"",
                        "change.entropy is 5, but with 2 files touched it can be at most 1");

        // the intake's problems do not hide scoring's either
        var noImage = three.replace("\"image\":\"registry.example.com/shop/checkout:1.4.1\",", "");
        var both = run("risk", "score", "--change", change(noImage).toString());
        assertEquals(2, both.code(), both.out());
        assertThat(both.err())
                .contains("image", "context.critcality: unknown key", "change.entropy is 5")
                .doesNotContain("service is missing", "version is missing");
    }

    @Test
    void aContextCountOutOfRangeSaysItsRange() throws IOException {
        var json = ANNOUNCEMENT.formatted("success").strip();
        var many = json.substring(0, json.length() - 1) + ",\"context\":{\"dependents\":1000000000000}}";
        var r = run("risk", "score", "--change", change(many).toString());
        assertEquals(2, r.code());
        // before: "it must be a whole number, 0 or more", which 1000000000000 is
        assertThat(r.err()).contains("context.dependents is 1000000000000; it must be a whole number from 0 to 100000");
    }

    @Test
    void aDirectoryGivenForAnInputFileIsNamedAsADirectory() throws IOException {
        // before: --train and --test said "no such file" of a directory that exists; --change "cannot read it"
        var csv = dir.resolve("some.csv");
        Files.writeString(csv, "commit_id\n");
        var backtest = run("risk", "backtest", "--train", dir.toString(), "--test", csv.toString());
        assertEquals(2, backtest.code());
        assertThat(backtest.err().strip())
                .isEqualTo("error: --train " + dir + " is a directory: give a CSV file with the ApacheJIT columns");
        var test = run("risk", "backtest", "--train", csv.toString(), "--test", dir.toString());
        assertThat(test.err()).contains("--test " + dir + " is a directory");
        var train = run(
                "risk",
                "train",
                "--train",
                dir.toString(),
                "--out",
                dir.resolve("m.json").toString());
        assertThat(train.err()).contains("--train " + dir + " is a directory");
        var change = run("risk", "score", "--change", dir.toString());
        assertEquals(2, change.code());
        assertThat(change.err()).contains("--change " + dir + " is a directory: give the CI announcement");
        var model = run("risk", "score", "--model", dir.toString(), "--change", csv.toString());
        assertThat(model.err()).contains("--model " + dir + " is a directory: give a model file");
    }

    @Test
    void aChangeFileThatDoesNotExistIsNamedAsSuch() {
        var missing = dir.resolve("no-such-change.json");
        var r = run("risk", "score", "--change", missing.toString());
        assertEquals(2, r.code());
        // before: "a directory on the way (...) does not exist; create it first", advice for an output file
        assertThat(r.err().strip())
                .isEqualTo("error: --change " + missing + ": no such file; give the CI announcement to score (JSON)");
    }

    @Test
    void aFileThatIsNotAModelOrNotJsonIsRefusedInPlainWords() throws IOException {
        var c = change("""
                {"service":"s","version":"1","change":{"la":1,"files":[]}}
                """);
        var notAModel = Files.writeString(dir.resolve("not-a-model.json"), "{\"x\": 1}");
        var r = run("risk", "score", "--model", notAModel.toString(), "--change", c.toString());
        assertEquals(2, r.code());
        assertThat(r.err().strip())
                .startsWith("error: model file " + notAModel + ": not a Harbormaster risk model: ")
                .contains("the key 'format' is missing")
                .endsWith("train one with 'harbormaster risk train'")
                .doesNotContain("`", "Feature", "creator", "index 0");

        var cut = Files.writeString(dir.resolve("cut.json"), "{\"format\": 1,\n");
        var t = run("risk", "score", "--model", cut.toString(), "--change", c.toString());
        assertEquals(2, t.code());
        assertThat(t.err().strip())
                .contains(cut + ": not a Harbormaster risk model: line 2, column 1: the text ends inside an object")
                .doesNotContain("Source", "REDACTED", "`");

        var missing = dir.resolve("absent-model.json");
        var m = run("risk", "score", "--model", missing.toString(), "--change", c.toString());
        assertEquals(2, m.code());
        assertEquals(1, m.err().split(java.util.regex.Pattern.quote(missing.toString()), -1).length - 1, m.err());
    }

    @Test
    void aTestFileWithoutBadOrWithoutGoodChangesIsRefusedNotReportedAsNaN() throws IOException {
        // before: exit 0 with auc, catch_at and their intervals all NaN ("NaN" strings in the JSON)
        var lines = Files.readAllLines(test);
        for (var label : List.of("True", "False")) {
            var other = label.equals("True") ? "False" : "True";
            var oneClass = new StringBuilder(lines.get(0)).append('\n');
            lines.stream()
                    .skip(1)
                    .map(l -> l.replaceFirst(",apache/demo," + other + ",", ",apache/demo," + label + ","))
                    .forEach(l -> oneClass.append(l).append('\n'));
            var file = Files.writeString(dir.resolve("all-" + label + ".csv"), oneClass);
            for (var command : List.of("risk backtest", "bench risk")) {
                var args = new java.util.ArrayList<>(List.of(command.split(" ")));
                args.addAll(List.of("--train", train.toString(), "--test", file.toString(), "--json"));
                var r = run(args.toArray(String[]::new));
                assertEquals(2, r.code(), command + " " + label + ": " + r.out());
                assertThat(r.err())
                        .as(command)
                        .contains("1500 changes", label.equals("True") ? "0 good" : "0 bad", "at least one")
                        .doesNotContain("NaN");
            }
        }
    }

    @Test
    void aMissingTrainingFileIsAUserError() {
        var r = run("risk", "train", "--train", dir.resolve("nope.csv").toString(), "--out", "x.json");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --train "), r.err());
        assertEquals(1, r.err().strip().lines().count());
    }

    @Test
    void aModelPathInADirectoryThatDoesNotExistIsRefusedBeforeTrainingWithoutATrace() {
        var out = dir.resolve("nonexistent").resolve("model.json");
        var r = run("risk", "train", "--train", train.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("--out " + out + ": the directory " + out.getParent() + " does not exist"), r.err());
        assertTrue(!r.err().contains("Exception") && r.out().isEmpty(), r.out() + r.err());
    }

    @Test
    void aCsvWithoutLabelsSaysWhatToNameTheColumn() throws IOException {
        var bad = Files.writeString(dir.resolve("nolabel.csv"), "date,la\n1,2\n");
        var r = run(
                "risk",
                "train",
                "--train",
                bad.toString(),
                "--out",
                dir.resolve("m.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("name it buggy or bug"), r.err());
    }

    @Test
    void theBacktestReportsTheBenchmarkFiguresWithIntervals() throws IOException {
        var r = run("risk", "backtest", "--train", train.toString(), "--test", test.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var j = JSON.readTree(r.out());
        double auc = j.get("auc").asDouble();
        assertTrue(auc > 0.65, "AUC " + auc);
        assertTrue(j.get("auc_ci95").get(0).asDouble() <= auc
                && auc <= j.get("auc_ci95").get(1).asDouble());
        for (var share : new String[] {"0.11", "0.2", "0.3"}) {
            assertTrue(j.get("catch_at").has(share), share);
            assertEquals(2, j.get("catch_at_ci95").get(share).size());
        }
        assertTrue(j.get("catch_at").get("0.11").asDouble() > 0.11, "better than picking at random");
        assertTrue(j.has("escalation_rate") && j.has("train_seconds") && j.has("score_p99_micros"));
    }

    @Test
    void theTablesWritePercentagesAsTheRiskExplanationsDo() throws IOException {
        // before: "target 11.0% escalated", "set for 11.0% on the training file"
        var trained = run(
                "risk",
                "train",
                "--train",
                train.toString(),
                "--out",
                dir.resolve("pct.json").toString());
        assertEquals(0, trained.code(), trained.err());
        assertThat(trained.out())
                .containsPattern("\\(target 11% escalated; \\d+(\\.\\d)?% of training changes reach it\\)")
                .doesNotContain(".0%");
        assertThat(trained.out()).containsPattern("\\d+ bad \\(\\d+(\\.\\d)?%\\)");
        var backtest = run("risk", "backtest", "--train", train.toString(), "--test", test.toString());
        assertEquals(0, backtest.code(), backtest.err());
        assertThat(backtest.out()).contains("set for 11% on the training file").doesNotContain(".0%");
    }

    @Test
    void benchRiskIsTheBacktestUnderTheBenchCommand() {
        var r = run("bench", "risk", "--help");
        assertEquals(0, r.code());
        assertTrue(
                r.out().contains("--train")
                        && r.out().contains("--test")
                        && r.out().contains("--json"),
                r.out());
    }

    @Test
    void everyRiskCommandHasHelp() {
        for (var sub : new String[] {"train", "score", "backtest"}) {
            var r = run("risk", sub, "--help");
            assertEquals(0, r.code(), sub);
            assertTrue(r.out().startsWith("Usage: harbormaster risk " + sub), r.out());
        }
    }

    @Test
    void trainingFromTheBotsOwnHistorySaysHowMuchHistoryItNeeds(@org.junit.jupiter.api.io.TempDir Path dir) {
        var url = "jdbc:h2:file:" + dir.resolve("db");
        io.harbormaster.storage.Database.open(io.harbormaster.storage.DatabaseConfig.of(url))
                .close(); // a bot's database with no deploys yet (one that does not exist is refused as such)
        var r = run(
                "risk",
                "train",
                "--from-history",
                "--db",
                url,
                "--out",
                dir.resolve("m.json").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("deploy history has 0 labelled changes").contains("at least 50");
        var neither = run("risk", "train", "--out", dir.resolve("m.json").toString());
        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).contains("either --train FILE.csv or --from-history");
    }
}
