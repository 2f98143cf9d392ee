package io.harbormaster.bot.slack.messages;

import io.harbormaster.engine.risk.RiskAssessment;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The context package an approver decides from.
 *
 * @param whatChanged the change in a few lines (files, subsystems, lines added and deleted)
 * @param similarIncidents the service's past incidents, newest first: one line each
 * @param summary an optional LLM summary of the change
 * @param approvedBy who approved so far, in order (for policies that need several approvals)
 */
public record EscalationView(
        DeployView deploy,
        RiskAssessment risk,
        String whatChanged,
        List<PastIncidentView> similarIncidents,
        Optional<String> summary,
        String approverGroup,
        int requiredApprovals,
        List<String> approvedBy,
        Instant expiresAt) {
    public EscalationView {
        similarIncidents = List.copyOf(similarIncidents);
        approvedBy = List.copyOf(approvedBy);
    }
}
