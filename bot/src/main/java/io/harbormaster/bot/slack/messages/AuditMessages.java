package io.harbormaster.bot.slack.messages;

import static io.harbormaster.bot.slack.messages.Mrkdwn.escape;
import static io.harbormaster.engine.text.Numbers.count;

import com.slack.api.model.block.LayoutBlock;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.engine.text.Times;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ephemeral answers to {@code /audit}. */
public final class AuditMessages {
    private AuditMessages() {}

    /**
     * Short-lived signed links to the full export, as the HTTP API issues them: they work until {@code expiresAt}
     * ({@code validFor} after they were issued).
     */
    public record ExportLinks(URI csv, URI json, java.time.Instant expiresAt, java.time.Duration validFor) {
        /**
         * When the links stop working, as the answer says it: the minute (UTC) they work until at least, so that
         * nobody who comes back at that minute finds them dead, and how long that is from now.
         */
        String expiryInWords() {
            return "links expire at " + Times.words(expiresAt) + ", in "
                    + io.harbormaster.engine.text.Durations.words(validFor);
        }
    }

    /**
     * How many entries matched, per decision, the newest few, and links to export them all; {@code remark}, for a
     * query that matched nothing, says which of its values no entry has.
     */
    public static SlackMessage summary(
            AuditQuery q, AuditSummary s, Optional<ExportLinks> links, Optional<String> remark) {
        return summary(q, s, links, remark, List.of());
    }

    /** How many emergency deploys without a review a summary names; it counts the others. */
    static final int UNREVIEWED_SHOWN = 20;

    /**
     * ... and, for a query of emergency deploys, those of them with no review in the log ({@code unreviewed}, oldest
     * first), so that an auditor finds them.
     */
    public static SlackMessage summary(
            AuditQuery q,
            AuditSummary s,
            Optional<ExportLinks> links,
            Optional<String> remark,
            List<String> unreviewed) {
        var blocks = new ArrayList<LayoutBlock>();
        var head = "*" + count(s.matched(), "audit entry", "audit entries") + "* " + filters(q)
                + remark.map(r -> "\n:grey_question: " + escape(r)).orElse("");
        var counts = s.byDecision().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> "*" + escape(e.getKey().isEmpty() ? "(none)" : e.getKey()) + "*\n" + e.getValue())
                .toList();
        blocks.add(BlockKit.section(head));
        if (!counts.isEmpty()) {
            blocks.add(BlockKit.fields(counts));
        }
        if (!unreviewed.isEmpty()) {
            // one deploy a line, in as many sections as they need: a comma-separated list of long service names and
            // versions would outgrow one section and be cut at Slack's limit
            int shown = Math.min(unreviewed.size(), UNREVIEWED_SHOWN);
            var lines = new ArrayList<String>();
            for (var deploy : unreviewed.subList(0, shown)) {
                lines.add("• " + escape(deploy));
            }
            if (unreviewed.size() > shown) {
                lines.add("… and " + (unreviewed.size() - shown) + " more");
            }
            blocks.addAll(BlockKit.sections(
                    ":warning: *" + count(unreviewed.size(), "emergency deploy", "emergency deploys")
                            + " without a review* (no `deploy.reviewed` entry):",
                    lines));
            blocks.add(BlockKit.context("`/audit decision=reviewed` lists the reviews."));
        }
        var newest = s.newest().stream()
                .map(e -> {
                    var r = e.record();
                    return "`#" + e.seq() + "` " + Mrkdwn.time(r.time()) + " · " + escape(r.actor()) + " · "
                            + escape(r.action()) + (r.service().isEmpty() ? "" : " · " + escape(r.service()))
                            + (r.version().isEmpty() ? "" : " " + escape(r.version()))
                            + (r.decision().isEmpty() ? "" : " · *" + escape(r.decision()) + "*")
                            + (r.deployId().isEmpty() ? "" : " · deploy " + escape(r.deployId()));
                })
                .toList();
        if (!newest.isEmpty()) {
            blocks.add(BlockKit.section("*Newest*\n" + String.join("\n", newest)));
        }
        // an export of nothing is no answer: a query that matched nothing says so, and offers no file to download
        links.filter(l -> s.matched() > 0)
                .ifPresent(l -> blocks.add(BlockKit.context(List.of(
                        "Export: <" + l.csv() + "|CSV> · <" + l.json() + "|JSON> (" + l.expiryInWords() + ")"))));
        return new SlackMessage(count(s.matched(), "audit entry", "audit entries") + " " + filters(q), blocks);
    }

    /**
     * What {@code /audit verify} found; {@code checkpointEvery} ({@code audit.checkpoint_every}) tells a log with no
     * signed checkpoint yet when its first one comes.
     */
    public static SlackMessage verify(VerifyReport r, int checkpointEvery) {
        var text = r.valid()
                ? ":white_check_mark: *Audit log intact*: " + count(r.entries(), "entry", "entries") + ", "
                        + signatures(r, checkpointEvery)
                : ":x: *Audit log does not verify*: first bad entry "
                        + (r.firstInvalid().isPresent() ? "#" + r.firstInvalid().getAsLong() : "unknown") + ": "
                        + escape(r.reason());
        return SlackMessage.text(text);
    }

    /**
     * How far the signatures reach. A young log has none yet (a checkpoint is signed every {@code checkpointEvery}
     * entries, and when an export link is opened): "0 signed checkpoints, signed through entry 0" said that in code.
     */
    private static String signatures(VerifyReport r, int checkpointEvery) {
        if (r.checkpoints() > 0) {
            return count(r.checkpoints(), "signed checkpoint", "signed checkpoints") + ", signed through entry "
                    + r.signedThrough() + ".";
        }
        long next = (r.entries() / checkpointEvery + 1) * checkpointEvery;
        return "chained, but no checkpoint is signed yet: the next is signed at entry " + next + " (every "
                + count(checkpointEvery, "entry", "entries") + ", `audit.checkpoint_every`), or sooner when an auditor"
                + " opens an export link from `/audit`.";
    }

    /** The filters, as typed, but for times, which are said as people read them (2026-12-07 11:56 UTC). */
    private static String filters(AuditQuery q) {
        var parts = new ArrayList<String>();
        q.service().ifPresent(s -> parts.add("service=" + s));
        q.decision().ifPresent(s -> parts.add("decision=" + s));
        q.deployId().ifPresent(s -> parts.add("deploy=" + s));
        q.since().ifPresent(s -> parts.add("since " + Times.words(s)));
        q.until().ifPresent(s -> parts.add("until " + Times.words(s)));
        return parts.isEmpty() ? "(all)" : "(" + escape(String.join(", ", parts)) + ")";
    }
}
