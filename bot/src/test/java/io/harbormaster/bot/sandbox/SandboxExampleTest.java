package io.harbormaster.bot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harbormaster.engine.intake.CiDeployRequest;
import io.harbormaster.engine.intake.ParseResult;
import io.harbormaster.engine.risk.ParsedInput;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskScorer;
import io.harbormaster.engine.rollout.RiskInputs;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The start-up output's example request, scored as the sandbox's pipeline scores it, at its worst hour. */
class SandboxExampleTest {

    @Test
    void theExampleAnnouncesEveryMetricAndProceedsEvenOnASaturdayNightAfterARollback() throws Exception {
        var parsed = CiDeployRequest.parse(Sandbox.exampleRequest("2.7.9"));
        var request = ((ParseResult.Parsed) parsed).request();
        assertThat(request.warnings()).isEmpty();
        // inventory in the sandbox's catalog: medium, checkout depends on it; a night at the weekend after a rollback
        var context = new ObjectMapper().readTree("""
                {"criticality":"medium","recent_rollbacks":1,"recent_incidents":1,"dependents":1,
                 "catalog_dependencies":[],"local_time":"2026-11-28T23:30"}""");
        var input = RiskInputs.forAnnouncement(request.toAnnouncedBuild(Instant.EPOCH), context);

        var assessment =
                RiskScorer.withDefaultRules(RiskModelJson.defaultModel()).assess(((ParsedInput.Valid) input).input());

        assertThat(assessment.escalated()).as(assessment.reasoning().toString()).isFalse();
        assertThat(assessment.assumptions()).as("every metric is announced").isEmpty();
        assertThat(request.image()).isEqualTo("registry.sandbox.local/shop/inventory:2.7.9");
        assertThat(request.buildId()).isEqualTo("my-ci-2.7.9");
    }
}
