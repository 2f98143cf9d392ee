package io.harbormaster.bot.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.bot.config.ConfigLoader;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.StartedPolicy;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A running canary is judged by the policy it started with, whatever the configuration says by then. */
class CanaryKeepsItsPolicyTest {
    static final AtomicInteger DB = new AtomicInteger();
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The fixture's configuration with checkout's canary configured otherwise: other steps, and a p99 limit every
     * healthy canary of the simulated service (p99 about 90 ms) trips within half a minute.
     */
    static final String CHANGED = """
            groups:
              shop-approvers: [U0ANN, U0BOB, U0CAT]
            services:
              checkout:
                namespace: shop
                approvers: shop-approvers
                dependencies:
                  payments: {min_version: "1.0.0"}
                canary:
                  steps: [{weight: 10, intervals: 18}, {weight: 30, intervals: 18}]
                  hard_triggers: {max_p99_ms: 50, p99_window_seconds: 30}
              payments:
                namespace: shop
                approvers: shop-approvers
            """;

    Database db;
    PipelineFixture f;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.of("jdbc:h2:mem:kept" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1"));
        f = new PipelineFixture(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    long canaryOfASmallChange(DeployPipeline engine, String key, String version) {
        f.announce("checkout", version, PipelineFixture.SMALL_CHANGE);
        var id = PipelineFixture.acceptedId(engine, PipelineFixture.slackRequest(key, "checkout", version, "U0DEV"));
        engine.advance(id);
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        return id;
    }

    void tick(DeployPipeline engine, long id, int times) {
        for (int i = 0; i < times; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            assertThat(engine.advance(id).orElseThrow().state()).isEqualTo(DeployState.CANARY);
        }
    }

    /** The reasoning of the deploy's audit entries of {@code action}, oldest first. */
    List<JsonNode> audited(long id, String action) {
        var out = new ArrayList<JsonNode>();
        f.audit.scan(AuditQuery.all().withDeploy(Long.toString(id)), e -> {
            if (e.record().action().equals(action)) {
                try {
                    out.add(JSON.readTree(e.record().reasoningJson()));
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        });
        return out;
    }

    static String hashOf(CanaryPolicy p) {
        return StartedPolicy.of(false, p).hash();
    }

    @Test
    void aConfigurationChangedMidCanaryDoesNotReachItsStepsOrItsVerdictAndTheAuditSaysSoOnce() {
        var engine = f.engine("engine-a");
        long id = canaryOfASmallChange(engine, "slack:1", "1.1.0");
        var started = f.catalog.service("checkout").orElseThrow().canary();
        tick(engine, id, 3);
        var stored = f.deploys.canaryPolicy(id).orElseThrow();
        assertThat(stored.escalated()).isFalse();
        assertThat(stored.policy()).isEqualTo(started);

        f.catalog = ConfigLoader.parse("test.yml", CHANGED).catalog();
        var changed = f.catalog.service("checkout").orElseThrow().canary();
        assertThat(hashOf(changed)).isNotEqualTo(stored.hash());
        tick(engine, id, 3);
        // ... and another replica takes the deploy over, which has not said anything about the change yet
        f.deploys.releaseLease(id, "engine-a");
        var done = f.runUntilDone(f.engine("engine-b"), id, Duration.ofMinutes(20));

        // judged by the policy it started with: its steps, and a promotion that the new p99 limit would have prevented
        assertThat(done.state()).isEqualTo(DeployState.PROMOTED);
        var weights = f.notices.stream()
                .filter(n ->
                        n instanceof DeployNotice.CanaryProgress p && p.deploy().id() == id)
                .map(n -> ((DeployNotice.CanaryProgress) n).weightPercent())
                .toList();
        assertThat(weights).isNotEmpty().containsExactly(5, 25, 50);
        assertThat(f.deploys.canaryPolicy(id)).contains(stored);

        var promote = audited(id, "canary.promote");
        assertThat(promote).hasSize(1);
        assertThat(promote.getFirst().get("canary_policy").asText()).isEqualTo("standard");
        assertThat(promote.getFirst().get("canary_policy_hash").asText()).isEqualTo(stored.hash());
        // said once in the audit log, by whichever engine saw it first
        var kept = audited(id, "canary.policy_kept");
        assertThat(kept).hasSize(1);
        assertThat(kept.getFirst().get("canary_policy_hash").asText()).isEqualTo(stored.hash());
        assertThat(kept.getFirst().get("configured_policy_hash").asText()).isEqualTo(hashOf(changed));

        // a canary started after the change gets the new policy
        long next = canaryOfASmallChange(f.engine("engine-b"), "slack:2", "1.2.0");
        assertThat(f.deploys.canaryPolicy(next).orElseThrow().policy()).isEqualTo(changed);
        assertThat(f.deploys.transitions(next))
                .anySatisfy(t -> assertThat(t.reason()).contains("canary starts on 1 of 10 pods (10% of traffic)"));
        assertThat(audited(next, "canary.policy_kept")).isEmpty();
    }

    @Test
    void aCanaryThatStartedBeforePoliciesWereRecordedRecordsTheConfiguredOneAtItsNextEvaluation() {
        long id = canaryOfASmallChange(f.engine("engine-a"), "slack:1", "1.1.0");
        // as if it had started on a version that recorded no policy, and the engine was upgraded since
        db.dsl().deleteFrom(DSL.table("canary_policy")).execute();
        f.deploys.releaseLease(id, "engine-a");
        f.catalog = ConfigLoader.parse("test.yml", CHANGED).catalog();
        var upgraded = f.engine("engine-b");

        f.clock.advance(Duration.ofSeconds(10));
        upgraded.advance(id);

        var recorded = f.deploys.canaryPolicy(id).orElseThrow();
        assertThat(recorded.policy())
                .isEqualTo(f.catalog.service("checkout").orElseThrow().canary());
        assertThat(audited(id, "canary.policy_kept")).isEmpty(); // judged by what is configured: nothing to say
    }

    @Test
    void aStoredPolicyChangedInTheDatabasePausesTheCanaryForAPersonInsteadOfJudgingItByAnythingElse() {
        long id = canaryOfASmallChange(f.engine("engine-a"), "slack:1", "1.1.0");
        db.dsl()
                .update(DSL.table("canary_policy"))
                .set(DSL.field("policy_json"), DSL.replace(DSL.field("policy_json", String.class), "0.05", "0.5"))
                .execute();
        f.deploys.releaseLease(id, "engine-a");
        var other = f.engine("engine-b");

        f.clock.advance(Duration.ofSeconds(10));
        var paused = other.advance(id).orElseThrow();
        f.clock.advance(Duration.ofSeconds(10));
        other.advance(id);

        assertThat(paused.state()).isEqualTo(DeployState.CANARY);
        assertThat(f.deploys.transitions(id).getLast().reason())
                .startsWith("paused: the canary policy it started with cannot be read: ")
                .contains("does not match its hash");
        assertThat(audited(id, "canary.paused")).hasSize(1);
    }
}
