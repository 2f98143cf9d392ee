package io.harbormaster.bot.slack;

import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.audit.UnknownFilterValues;
import io.harbormaster.engine.policy.ServiceCatalog;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /audit} answered from the audit log, for members of the catalog's auditor group. Anyone else is refused, and
 * the attempt is written to the log itself ({@value #REFUSED}), as every other refusal is: who tried to read the trail
 * is part of the trail.
 */
public final class AuditLogDesk implements AuditDesk {
    /** How many of the newest entries the summary lists. */
    static final int NEWEST = 10;

    /** The decision of an emergency deploy's routing past the approval wait ({@code deploy.routed}), and of a review. */
    static final String EMERGENCY = "emergency";

    static final String ROUTED = "deploy.routed";
    static final String REVIEWED = "reviewed";
    static final String REVIEWED_ACTION = "deploy.reviewed";

    /** The action of a refused {@code /audit}, written with the decision {@code refused} like the other refusals. */
    static final String REFUSED = "audit.refused";

    /** How much of what a refused person typed is kept in the log: enough to see what they asked, no more. */
    static final int QUERY_KEPT = 200;

    private final AuditLog log;
    private final int checkpointEvery;
    private final Supplier<ServiceCatalog> catalog;
    private final java.util.function.BiFunction<AuditQuery, String, Optional<AuditMessages.ExportLinks>> exportLinks;
    private final Clock clock;
    private final String engineVersion;
    private final Supplier<String> policyVersion;

    /**
     * @param checkpointEvery how many entries the log signs a checkpoint after ({@code audit.checkpoint_every}), so
     *     that {@code /audit verify} on a log without one says when it comes
     * @param catalog the catalog in force, asked at each query (harbormaster.yml may be reloaded meanwhile)
     * @param exportLinks issues short-lived signed export links for a query and the auditor's user id (empty where
     *     exports are not served)
     * @param engineVersion written into the entry of a refusal, as into every entry
     * @param policyVersion the policy version in force, written into the entry of a refusal
     */
    public AuditLogDesk(
            AuditLog log,
            int checkpointEvery,
            Supplier<ServiceCatalog> catalog,
            java.util.function.BiFunction<AuditQuery, String, Optional<AuditMessages.ExportLinks>> exportLinks,
            Clock clock,
            String engineVersion,
            Supplier<String> policyVersion) {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoints come every 1 or more entries, got " + checkpointEvery);
        }
        this.log = log;
        this.checkpointEvery = checkpointEvery;
        this.catalog = catalog;
        this.exportLinks = exportLinks;
        this.clock = clock;
        this.engineVersion = engineVersion;
        this.policyVersion = policyVersion;
    }

    @Override
    public AuditOutcome query(AuditQuery query, SlackUser who, String typed) {
        if (!auditor(who)) {
            return refused(who, "query", typed, query);
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
        return auditor(who)
                ? new AuditOutcome.Verified(log.verify(), checkpointEvery)
                : refused(who, "verify", "verify", AuditQuery.all());
    }

    private boolean auditor(SlackUser who) {
        // By member id only: a display name is chosen by its owner and proves nothing.
        var now = catalog.get();
        return now.members(now.auditorGroup()).contains(who.id());
    }

    /**
     * Refuses {@code who}, and writes the attempt to the log first ({@value #REFUSED}): who, when, which command and
     * what they typed (its first {@value #QUERY_KEPT} characters), under the service and deploy the query named, so that
     * {@code /audit decision=refused}, {@code service=...} and {@code deploy=...} find it.
     */
    private AuditOutcome refused(SlackUser who, String command, String typed, AuditQuery query) {
        var group = catalog.get().auditorGroup();
        var reason = "`/audit` is for the auditor group (" + group + ") only. Ask an auditor, or an admin to add you to"
                + " the group in harbormaster.yml.";
        var reasoning = new LinkedHashMap<String, Object>();
        reasoning.put("command", command);
        reasoning.put("query", kept(typed.strip()));
        reasoning.put("reason", reason);
        reasoning.put("allowed_group", group);
        log.append(new AuditRecord(
                clock.instant(),
                who.id(),
                REFUSED,
                query.deployId().orElse(""),
                query.service().orElse(""),
                "",
                "refused",
                CanonicalJson.of(reasoning),
                engineVersion,
                policyVersion.get()));
        return new AuditOutcome.Refused(reason);
    }

    /** What was typed, cut to {@value #QUERY_KEPT} characters (the cut said with an ellipsis). */
    static String kept(String typed) {
        return typed.length() <= QUERY_KEPT ? typed : typed.substring(0, QUERY_KEPT - 1) + "…";
    }
}
