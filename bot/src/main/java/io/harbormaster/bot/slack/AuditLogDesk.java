package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.UnknownFilterValues;
import io.harbormaster.engine.policy.ServiceCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/** {@code /audit} answered from the audit log, for members of the catalog's auditor group. */
public final class AuditLogDesk implements AuditDesk {
    /** How many of the newest entries the summary lists. */
    static final int NEWEST = 10;

    /** The decision of an emergency deploy's routing past the approval wait ({@code deploy.routed}), and of a review. */
    static final String EMERGENCY = "emergency";

    static final String ROUTED = "deploy.routed";
    static final String REVIEWED = "reviewed";
    static final String REVIEWED_ACTION = "deploy.reviewed";

    private final AuditLog log;
    private final int checkpointEvery;
    private final java.util.function.Supplier<ServiceCatalog> catalog;
    private final java.util.function.BiFunction<AuditQuery, String, Optional<AuditMessages.ExportLinks>> exportLinks;

    /**
     * @param checkpointEvery how many entries the log signs a checkpoint after ({@code audit.checkpoint_every}), so
     *     that {@code /audit verify} on a log without one says when it comes
     * @param exportLinks issues short-lived signed export links for a query and the auditor's user id (empty where
     *     exports are not served)
     */
    public AuditLogDesk(
            AuditLog log,
            int checkpointEvery,
            ServiceCatalog catalog,
            java.util.function.BiFunction<AuditQuery, String, Optional<AuditMessages.ExportLinks>> exportLinks) {
        this(log, checkpointEvery, () -> catalog, exportLinks);
    }

    /** @param catalog the catalog in force, asked at each query (harbormaster.yml may be reloaded meanwhile) */
    public AuditLogDesk(
            AuditLog log,
            int checkpointEvery,
            java.util.function.Supplier<ServiceCatalog> catalog,
            java.util.function.BiFunction<AuditQuery, String, Optional<AuditMessages.ExportLinks>> exportLinks) {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoints come every 1 or more entries, got " + checkpointEvery);
        }
        this.log = log;
        this.checkpointEvery = checkpointEvery;
        this.catalog = catalog;
        this.exportLinks = exportLinks;
    }

    @Override
    public AuditOutcome query(AuditQuery query, SlackUser who) {
        if (!auditor(who)) {
            return refused();
        }
        var summary = log.summarize(query, NEWEST);
        var remark = summary.matched() == 0 ? UnknownFilterValues.explain(query, log) : Optional.<String>empty();
        var unreviewed = query.decision().filter(EMERGENCY::equals).isPresent() && summary.matched() > 0
                ? unreviewed(query)
                : List.<String>of();
        // links to an export of nothing are not issued (each would be a signed URL, and its download an audit entry)
        var links = summary.matched() > 0
                ? exportLinks.apply(query, who.id())
                : Optional.<AuditMessages.ExportLinks>empty();
        return new AuditOutcome.Summary(query, summary, links, remark, unreviewed);
    }

    /**
     * The emergency deploys the query matched (their {@code deploy.routed} entries, decision {@code emergency}) that
     * no {@code deploy.reviewed} entry in the whole log names, oldest first: found from the log itself, which is what
     * an auditor vouches for, and whenever the review came.
     */
    private List<String> unreviewed(AuditQuery query) {
        var emergency = new LinkedHashMap<String, String>();
        log.scan(query, e -> {
            var r = e.record();
            if (r.action().equals(ROUTED) && !r.deployId().isEmpty()) {
                emergency.putIfAbsent(r.deployId(), r.service() + " " + r.version());
            }
        });
        if (emergency.isEmpty()) {
            return List.of();
        }
        log.scan(AuditQuery.all().withDecision(REVIEWED), e -> {
            if (e.record().action().equals(REVIEWED_ACTION)) {
                emergency.remove(e.record().deployId());
            }
        });
        return emergency.entrySet().stream()
                .map(d -> "deploy " + d.getKey() + " (" + d.getValue() + ")")
                .toList();
    }

    @Override
    public AuditOutcome verify(SlackUser who) {
        return auditor(who) ? new AuditOutcome.Verified(log.verify(), checkpointEvery) : refused();
    }

    private boolean auditor(SlackUser who) {
        // By member id only: a display name is chosen by its owner and proves nothing.
        var now = catalog.get();
        return now.members(now.auditorGroup()).contains(who.id());
    }

    private AuditOutcome refused() {
        return new AuditOutcome.Refused(
                "`/audit` is for the auditor group (" + catalog.get().auditorGroup()
                        + ") only. Ask an auditor, or an admin" + " to add you to the group in harbormaster.yml.");
    }
}
