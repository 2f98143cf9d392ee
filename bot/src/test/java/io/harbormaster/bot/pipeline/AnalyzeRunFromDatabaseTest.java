package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.cli.HarbormasterCommand;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.Decision;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.sandbox.Fault;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze run --db --deploy}: canaries the pipeline ran on an H2 file, replayed from their frozen samples by the
 * command line, reach the decisions the pipeline reached, when it reached them.
 */
class AnalyzeRunFromDatabaseTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = HarbormasterCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A decision of the pipeline, as its audit entry says it. */
    record Decided(String action, long atS, String policy) {}

    @Test
    void frozenCanariesReplayToThePipelinesDecisionsWithTheirPolicyAndHistory() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("hm");
        var decided = new HashMap<Long, Decided>();
        var frozen = new HashMap<Long, Integer>();
        long promoted, escalated, rolledBack, neverCanary, noSamples;
        try (var db = Database.open(DatabaseConfig.of(url))) {
            var f = new PipelineFixture(db);
            DeployPipeline engine = f.engine("engine-a");

            f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
            promoted = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
            assertThat(f.runUntilDone(engine, promoted, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);

            // escalated (the cautious policy), and started from the first canary's noise
            f.announce("checkout", "1.3.5", PipelineFixture.MIGRATION);
            escalated = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:2", "checkout", "1.3.5", "U0BOB"));
            engine.advance(escalated);
            assertThat(engine.decide(escalated, "U0ANN", Approval.Decision.APPROVE, ""))
                    .isInstanceOf(Decision.Counted.class);
            assertThat(f.runUntilDone(engine, escalated, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);

            // rolled back by a person within the canary's first interval: it judged nothing that was frozen
            f.announce("checkout", "1.4.0", PipelineFixture.SMALL_CHANGE);
            noSamples = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:4", "checkout", "1.4.0", "U0DEV"));
            engine.advance(noSamples);
            f.clock.advance(Duration.ofSeconds(10));
            assertThat(engine.advance(noSamples).orElseThrow().state()).isEqualTo(DeployState.CANARY);
            engine.rollbackRequested("checkout", "U0OPS");
            engine.advance(noSamples);

            f.announce("payments", "2.0.0", PipelineFixture.SMALL_CHANGE);
            f.metrics.inject("payments", "2.0.0", Fault.errors(0.10));
            rolledBack = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:3", "payments", "2.0.0", "U0DEV"));
            assertThat(f.runUntilDone(engine, rolledBack, Duration.ofMinutes(20))
                            .state())
                    .isEqualTo(DeployState.ROLLED_BACK);

            // waits for an approver
            f.announce("payments", "2.1.0", PipelineFixture.MIGRATION);
            neverCanary = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:5", "payments", "2.1.0", "U0BOB"));
            assertThat(engine.advance(neverCanary).orElseThrow().state()).isEqualTo(DeployState.AWAITING_APPROVAL);

            for (long id : List.of(promoted, escalated, rolledBack)) {
                f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
                    var action = e.record().action();
                    if (action.equals("canary.promote") || action.equals("canary.rollback")) {
                        try {
                            var r = JSON.readTree(e.record().reasoningJson());
                            decided.put(
                                    id,
                                    new Decided(
                                            action,
                                            r.get("at_s").asLong(),
                                            r.get("canary_policy").asText()));
                        } catch (Exception x) {
                            throw new AssertionError(x);
                        }
                    }
                });
                frozen.put(id, f.deploys.frozenSamples(id).size());
            }
            assertThat(f.deploys.frozenSamples(noSamples)).isEmpty();
        }
        var config = Files.writeString(dir.resolve("harbormaster.yml"), PipelineFixture.CONFIG);

        Map<Long, String> verdicts = Map.of(promoted, "PROMOTE", escalated, "PROMOTE", rolledBack, "ROLLBACK");
        for (long id : List.of(promoted, escalated, rolledBack)) {
            var run = cli(
                    "analyze",
                    "run",
                    "--db",
                    url,
                    "--deploy",
                    Long.toString(id),
                    "--config",
                    config.toString(),
                    "--json");
            assertThat(run.code()).as(run.err()).isZero();
            JsonNode report = JSON.readTree(run.out());
            var d = decided.get(id);
            assertThat(report.get("verdict").asText()).as("deploy " + id).isEqualTo(verdicts.get(id));
            assertThat(d.action()).isEqualTo(verdicts.get(id).equals("PROMOTE") ? "canary.promote" : "canary.rollback");
            assertThat(report.get("decided_at_s").asLong()).as("deploy " + id).isEqualTo(d.atS());
            assertThat(report.get("intervals_recorded").asInt()).isEqualTo(frozen.get(id));
            var deploy = report.get("deploy");
            assertThat(deploy.get("id").asLong()).isEqualTo(id);
            assertThat(deploy.get("intervals_frozen").asInt()).isEqualTo(frozen.get(id));
            assertThat(deploy.get("canary_policy").asText()).isEqualTo(d.policy());
            assertThat(deploy.get("decision").asText()).isEqualTo(d.action());
        }
        assertThat(decided.get(escalated).policy()).isEqualTo("escalated");
        var withHistory = JSON.readTree(cli(
                        "analyze",
                        "run",
                        "--db",
                        url,
                        "--deploy",
                        Long.toString(escalated),
                        "--config",
                        config.toString(),
                        "--json")
                .out());
        assertThat(withHistory.get("noise_history").get("latency").asBoolean()).isTrue();
        assertThat(withHistory.get("noise_history").get("audit_entry").asText())
                .isEqualTo("deploy " + escalated + "'s canary.promote audit entry");

        var text = cli(
                "analyze", "run", "--db", url, "--deploy", Long.toString(rolledBack), "--config", config.toString());
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out())
                .contains("deploy:   deploy " + rolledBack + " (payments 2.0.0), rolled back; " + frozen.get(rolledBack)
                        + " intervals frozen; standard canary policy; the pipeline's decision: rollback at "
                        + decided.get(rolledBack).atS() + " s")
                .contains("verdict:  ROLLBACK at " + decided.get(rolledBack).atS() + " s");

        // the same without the configuration: the --policy file's defaults, made cautious for the escalated one
        var policy = Files.writeString(dir.resolve("policy.yml"), "interval_seconds: 10\n");
        var byPolicy = cli(
                "analyze",
                "run",
                "--db",
                url,
                "--deploy",
                Long.toString(escalated),
                "--policy",
                policy.toString(),
                "--json");
        assertThat(byPolicy.code()).as(byPolicy.err()).isZero();
        assertThat(JSON.readTree(byPolicy.out()).get("verdict").asText()).isEqualTo("PROMOTE");

        var errors = new ArrayList<Run>();
        var unknown = cli("analyze", "run", "--db", url, "--deploy", "999", "--config", config.toString());
        errors.add(unknown);
        assertThat(unknown.err()).contains("there is no deploy 999");
        var waiting = cli(
                "analyze", "run", "--db", url, "--deploy", Long.toString(neverCanary), "--config", config.toString());
        errors.add(waiting);
        assertThat(waiting.err())
                .contains("deploy " + neverCanary + " (payments 2.1.0) never reached its canary (it is"
                        + " awaiting approval)");
        var none =
                cli("analyze", "run", "--db", url, "--deploy", Long.toString(noSamples), "--config", config.toString());
        errors.add(none);
        assertThat(none.err())
                .contains("deploy " + noSamples + " (checkout 1.4.0) has no frozen canary samples: its canary ended"
                        + " (rolled back) before any interval was judged");
        var missing = dir.resolve("no-such-db");
        var noDb = cli(
                "analyze", "run", "--db", "jdbc:h2:file:" + missing, "--deploy", "1", "--config", config.toString());
        errors.add(noDb);
        assertThat(noDb.err()).contains("there is no database at jdbc:h2:file:" + missing);
        assertThat(dir.resolve("no-such-db.mv.db")).doesNotExist();
        var both = cli("analyze", "run", "--db", url, "--deploy", "1", "--escalated", "--config", config.toString());
        errors.add(both);
        assertThat(both.err()).contains("drop --escalated");
        var noDeploy = cli("analyze", "run", "--db", url, "--input", config.toString());
        errors.add(noDeploy);
        assertThat(noDeploy.err()).contains("give --deploy ID");
        for (var e : errors) {
            assertThat(e.code()).as(e.err()).isEqualTo(2);
            assertThat(e.err()).doesNotContain("\tat ");
            assertThat(e.out()).isEmpty();
        }
    }

    @Test
    void theReplayOfAPipelineCanarySaysTheTrafficItReallyHadAndItsStateInWords() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("hm");
        long promoted;
        try (var db = Database.open(DatabaseConfig.of(url))) {
            var f = new PipelineFixture(db);
            DeployPipeline engine = f.engine("engine-a");
            f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
            promoted = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
            assertThat(f.runUntilDone(engine, promoted, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);
        }
        var config = Files.writeString(dir.resolve("harbormaster.yml"), PipelineFixture.CONFIG);

        // checkout's 10 replicas cannot give the 5% and 25% steps by pods: the canary ran at 10%, 30% and 40%
        var text =
                cli("analyze", "run", "--db", url, "--deploy", Long.toString(promoted), "--config", config.toString());
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out())
                .contains("deploy:   deploy " + promoted + " (checkout 1.1.0), promoted; ")
                .contains("; the pipeline's decision: promote at ")
                .contains("traffic:  step 1: 1 of 10 pods (10% of traffic; the step asks for 5%); step 2: 3 of 10"
                        + " pods (30% of traffic; the step asks for 25%); step 3: 4 of 10 pods (40% of traffic; the"
                        + " step asks for 50%)")
                .contains("the canary's share of traffic as it ran")
                .contains("     0-  10   10%  ")
                .contains("step 1 done after 30 s (score 100.0 (pass 95, marginal 75)); the next step's weight is 25%;"
                        + " it ran on 3 of 10 pods, 30% of traffic")
                .doesNotContain("the pipeline's decision: canary.promote");
        assertThat(text.out().lines().filter(l -> l.matches("\\s+\\d+-\\s*\\d+\\s+5%.*")))
                .as("no interval at the step's planned 5%")
                .isEmpty();

        var json = JSON.readTree(cli(
                        "analyze",
                        "run",
                        "--db",
                        url,
                        "--deploy",
                        Long.toString(promoted),
                        "--config",
                        config.toString(),
                        "--json")
                .out());
        assertThat(json.get("deploy").get("state").asText()).isEqualTo("promoted");
        var steps = json.get("deploy").get("steps");
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0).get("weight").asInt()).isEqualTo(5);
        assertThat(steps.get(0).get("traffic_share_percent").asInt()).isEqualTo(10);
        assertThat(steps.get(0).get("pods").get("canary").asInt()).isEqualTo(1);
        assertThat(steps.get(0).get("traffic").asText()).isEqualTo("replica_ratio");
        var first = json.get("timeline").get(0);
        assertThat(first.get("weight").asInt()).isEqualTo(5);
        assertThat(first.get("traffic_share_percent").asInt()).isEqualTo(10);
    }

    @Test
    void aCanaryIsReplayedByThePolicyItStartedWithWhateverTheConfigurationSaysNow() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("hm");
        long standard, escalated, legacy;
        String standardHash, escalatedJson, escalatedHash;
        try (var db = Database.open(DatabaseConfig.of(url))) {
            var f = new PipelineFixture(db);
            DeployPipeline engine = f.engine("engine-a");
            f.announce("checkout", "1.1.0", PipelineFixture.SMALL_CHANGE);
            standard = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:1", "checkout", "1.1.0", "U0DEV"));
            assertThat(f.runUntilDone(engine, standard, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);
            f.announce("checkout", "1.3.5", PipelineFixture.MIGRATION);
            escalated = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:2", "checkout", "1.3.5", "U0BOB"));
            engine.advance(escalated);
            engine.decide(escalated, "U0ANN", Approval.Decision.APPROVE, "");
            assertThat(f.runUntilDone(engine, escalated, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);
            f.announce("checkout", "1.4.0", PipelineFixture.SMALL_CHANGE);
            legacy = PipelineFixture.acceptedId(
                    engine, PipelineFixture.slackRequest("slack:3", "checkout", "1.4.0", "U0DEV"));
            assertThat(f.runUntilDone(engine, legacy, Duration.ofMinutes(20)).state())
                    .isEqualTo(DeployState.PROMOTED);
            standardHash = f.deploys.canaryPolicy(standard).orElseThrow().hash();
            escalatedJson = f.deploys.canaryPolicy(escalated).orElseThrow().json();
            escalatedHash = f.deploys.canaryPolicy(escalated).orElseThrow().hash();
            // as if it had run on a Harbormaster from before canary policies were stored
            db.dsl()
                    .deleteFrom(org.jooq.impl.DSL.table("canary_policy"))
                    .where(org.jooq.impl.DSL.field("deploy_id").eq(legacy))
                    .execute();
        }
        // today's configuration: a p99 limit of 50 ms, which every one of these canaries would have tripped
        var changed = Files.writeString(dir.resolve("changed.yml"), CanaryKeepsItsPolicyTest.CHANGED);

        // by the stored policy: no configuration is read at all
        for (long id : List.of(standard, escalated)) {
            var run = cli("analyze", "run", "--db", url, "--deploy", Long.toString(id), "--json");
            assertThat(run.code()).as(run.err()).isZero();
            var report = JSON.readTree(run.out());
            assertThat(report.get("verdict").asText()).isEqualTo("PROMOTE");
            var policy = report.get("deploy").get("policy");
            assertThat(policy.get("source").asText()).isEqualTo("stored");
            assertThat(policy.get("hash").asText()).isEqualTo(id == standard ? standardHash : escalatedHash);
            assertThat(policy.get("stored_hash").asText())
                    .isEqualTo(policy.get("hash").asText());
        }
        var text = cli("analyze", "run", "--db", url, "--deploy", Long.toString(standard));
        assertThat(text.out())
                .contains("policy:   the one its canary started with (" + standardHash + "), stored in the database");

        // --config overrides it, and says that it differs
        var byConfig =
                cli("analyze", "run", "--db", url, "--deploy", Long.toString(standard), "--config", changed.toString());
        assertThat(byConfig.code()).as(byConfig.err()).isZero();
        assertThat(byConfig.out())
                .contains("verdict:  ROLLBACK")
                .contains("which differs from the one its canary started with (" + standardHash
                        + ", stored in the database): the replay follows " + changed);

        // the stored policy exported to a file is a policy file: an escalated one replays as itself
        var exported = Files.writeString(dir.resolve("exported.json"), escalatedJson);
        var byFile = cli(
                "analyze",
                "run",
                "--db",
                url,
                "--deploy",
                Long.toString(escalated),
                "--policy",
                exported.toString(),
                "--json");
        assertThat(byFile.code()).as(byFile.err()).isZero();
        var fromFile = JSON.readTree(byFile.out());
        assertThat(fromFile.get("verdict").asText()).isEqualTo("PROMOTE");
        assertThat(fromFile.get("deploy").get("policy").get("hash").asText()).isEqualTo(escalatedHash);
        assertThat(fromFile.get("deploy").get("policy").get("note").asText())
                .endsWith("the one its canary started with");

        // nothing stored: today's configuration, and the report says what that means
        var old = cli("analyze", "run", "--db", url, "--deploy", Long.toString(legacy), "--config", changed.toString());
        assertThat(old.code()).as(old.err()).isZero();
        assertThat(old.out()).contains("no policy was stored for this canary").contains("verdict:  ROLLBACK");
    }
}
