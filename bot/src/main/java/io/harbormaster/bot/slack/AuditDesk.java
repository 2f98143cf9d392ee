package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import java.util.Optional;

/** What {@code /audit} asks of the audit log; only the auditor group gets answers. */
public interface AuditDesk {

    /** {@code typed}: the filters as the person typed them, kept with a refusal. */
    AuditOutcome query(AuditQuery query, SlackUser who, String typed);

    AuditOutcome verify(SlackUser who);

    /** An answer for the auditor, or a refusal. */
    sealed interface AuditOutcome {
        /**
         * {@code remark}: for a query that matched nothing, what it asked for that no entry has; {@code unreviewed}:
         * for a query of emergency deploys ({@code decision=emergency}), those of them the log has no {@code
         * deploy.reviewed} entry for, oldest first ("deploy 12 (checkout 1.5.0)").
         */
        record Summary(
                AuditQuery query,
                AuditSummary summary,
                Optional<AuditMessages.ExportLinks> links,
                Optional<String> remark,
                java.util.List<String> unreviewed)
                implements AuditOutcome {}

        /** {@code checkpointEvery}: {@code audit.checkpoint_every}, for a log with no signed checkpoint yet. */
        record Verified(VerifyReport report, int checkpointEvery) implements AuditOutcome {}

        record Refused(String reason) implements AuditOutcome {}
    }
}
