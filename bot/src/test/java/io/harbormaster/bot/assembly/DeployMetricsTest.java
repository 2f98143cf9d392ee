package io.harbormaster.bot.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.engine.canary.Evidence;
import io.harbormaster.engine.rollout.Approval;
import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployNotice;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Incident;
import io.harbormaster.engine.rollout.RollbackCause;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What the pipeline tells is counted on /metrics: deploys by outcome, escalations, rollbacks by the judge that fired. */
class DeployMetricsTest {
    static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    static Deploy deploy(DeployState state) {
        return new Deploy(
                1,
                1,
                "checkout",
                "1.2.0",
                "production",
                state,
                1,
                OptionalDouble.of(10),
                Optional.of(false),
                false,
                T,
                T,
                3);
    }

    @Test
    void outcomesEscalationsAndRollbacksAreCounted() {
        var metrics = new BotMetrics();
        var incident = new Incident(
                7,
                OptionalLong.of(1),
                "checkout",
                "1.2.0",
                T,
                "error_rate",
                "5xx",
                "x",
                Optional.empty(),
                Optional.empty());
        var evidence = Evidence.of("sequential", "error_rate", "e-value over 1/alpha", 0.005, 0.05, "errors up");
        for (var notice : List.<DeployNotice>of(
                new DeployNotice.Promoted(deploy(DeployState.PROMOTED), List.of()),
                new DeployNotice.Promoted(deploy(DeployState.PROMOTED), List.of()),
                new DeployNotice.RolledBack(
                        deploy(DeployState.ROLLED_BACK),
                        new RollbackCause.Analysis(),
                        "errors",
                        List.of(evidence),
                        incident,
                        T),
                new DeployNotice.ApprovalCounted(
                        deploy(DeployState.AWAITING_APPROVAL),
                        new Approval(1, "U1", Approval.Decision.REJECT, "", T),
                        0,
                        1),
                new DeployNotice.Stopped(deploy(DeployState.FAILED), "U1", DeployState.AWAITING_APPROVAL),
                new DeployNotice.Escalated(
                        deploy(DeployState.AWAITING_APPROVAL), null, "ops", 1, T, List.of(), List.of()))) {
            Harbormaster.DelegatingNotifier.count(metrics, notice);
        }
        var text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(text).containsPattern("harbormaster_deploys_total\\{[^}]*outcome=\"promoted\"[^}]*\\} 2");
        assertThat(text).containsPattern("harbormaster_deploys_total\\{[^}]*outcome=\"rolled_back\"[^}]*\\} 1");
        assertThat(text).containsPattern("harbormaster_deploys_total\\{[^}]*outcome=\"rejected\"[^}]*\\} 1");
        assertThat(text).containsPattern("harbormaster_deploys_total\\{[^}]*outcome=\"stopped\"[^}]*\\} 1");
        assertThat(text).contains("trigger=\"sequential\"");
        assertThat(text).containsPattern("harbormaster_escalations_total\\{[^}]*service=\"checkout\"[^}]*\\} 1");
    }

    @Test
    void aRollbackIsCountedUnderWhatCausedIt() {
        var incident = new Incident(
                7, OptionalLong.of(1), "checkout", "1.2.0", T, "", "x", "x", Optional.empty(), Optional.empty());
        var hard = Evidence.of("hard-trigger", "error_rate", "error rate > 5%", 0.001, 0.09, "9% over 5%");
        var metrics = new BotMetrics();
        for (var rollback : List.of(
                new DeployNotice.RolledBack(
                        deploy(DeployState.ROLLED_BACK), new RollbackCause.Analysis(), "x", List.of(hard), incident, T),
                new DeployNotice.RolledBack(
                        deploy(DeployState.ROLLED_BACK), new RollbackCause.Analysis(), "x", List.of(), incident, T),
                new DeployNotice.RolledBack(
                        deploy(DeployState.ROLLED_BACK),
                        new RollbackCause.NotReady(),
                        "canary pods not ready after 5 min: CrashLoopBackOff",
                        List.of(),
                        incident,
                        T),
                new DeployNotice.RolledBack(
                        deploy(DeployState.ROLLED_BACK),
                        new RollbackCause.Requested("U0BOB"),
                        "rollback requested by U0BOB",
                        List.of(),
                        incident,
                        T))) {
            Harbormaster.DelegatingNotifier.count(metrics, rollback);
        }
        var text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        for (var trigger : List.of("hard-trigger", "analysis", "readiness", "manual")) {
            assertThat(text)
                    .containsPattern(
                            "harbormaster_rollbacks_total\\{service=\"checkout\",trigger=\"" + trigger + "\"\\} 1");
        }
    }
}
