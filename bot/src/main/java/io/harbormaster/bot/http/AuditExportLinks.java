package io.harbormaster.bot.http;

import io.harbormaster.bot.slack.messages.AuditMessages;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.CanonicalJson;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.text.Times;
import io.harbormaster.storage.audit.JooqAuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code GET /audit/export}: the short-lived signed links {@code /audit} hands an auditor. A link carries the filter,
 * the format, who asked and when it expires, signed with HMAC-SHA256; the route checks all of it, streams the export,
 * and writes the download to the audit log. Replicas that share {@code HARBORMASTER_EXPORT_LINK_SECRET} honour each
 * other's links.
 *
 * <p>The signature proves who a link was issued to, not that they may still read the trail: the person it names is
 * looked up in the auditor group of the catalog in force at download time too, so that someone removed from the group
 * (harbormaster.yml reloaded) cannot use a link they were given minutes before. A refused download is written to the
 * audit log ({@value #REFUSED}), as a refused {@code /audit} is.
 */
public final class AuditExportLinks {
    public static final String PATH = "/audit/export";

    /** The action of a download refused because the link's auditor no longer is one. */
    public static final String REFUSED = "audit.export.refused";

    private final URI publicUrl;
    private final byte[] secret;
    private final Duration validity;
    private final JooqAuditLog log;
    private final Supplier<ServiceCatalog> catalog;
    private final Clock clock;

    /** @param catalog the catalog in force, asked at each download for its auditor group */
    public AuditExportLinks(
            URI publicUrl,
            byte[] secret,
            Duration validity,
            JooqAuditLog log,
            Supplier<ServiceCatalog> catalog,
            Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the export link secret must be at least 16 bytes");
        }
        this.publicUrl = publicUrl;
        this.secret = secret.clone();
        this.validity = validity;
        this.log = log;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * CSV and JSON links for what {@code requester} filtered, valid for the configured time: through the second they
     * carry as their expiry, which the answer names.
     */
    public AuditMessages.ExportLinks links(AuditQuery query, String requester) {
        var expires = clock.instant().plus(validity).getEpochSecond();
        return new AuditMessages.ExportLinks(
                link(query, AuditExports.Format.csv, requester, expires),
                link(query, AuditExports.Format.json, requester, expires),
                Instant.ofEpochSecond(expires),
                validity);
    }

    private URI link(AuditQuery q, AuditExports.Format format, String requester, long expires) {
        var params = params(q, format, requester, expires);
        params.put("sig", sign(params));
        var query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        var base = publicUrl.toString().replaceAll("/+$", "");
        return URI.create(base + PATH + query);
    }

    private static Map<String, String> params(AuditQuery q, AuditExports.Format format, String by, long expires) {
        var p = new LinkedHashMap<String, String>();
        p.put("format", format.name());
        q.service().ifPresent(s -> p.put("service", s));
        q.since().ifPresent(t -> p.put("since", t.toString()));
        q.until().ifPresent(t -> p.put("until", t.toString()));
        q.decision().ifPresent(d -> p.put("decision", d));
        q.deployId().ifPresent(d -> p.put("deploy", d));
        p.put("by", by);
        p.put("exp", Long.toString(expires));
        return p;
    }

    /**
     * The HMAC of the parameters in their fixed order, each value URL-encoded: a value holding a line break or an
     * {@code =} cannot pass for the next parameter, so no filter can be moved into another and the signature still
     * hold.
     */
    private String sign(Map<String, String> params) {
        var canonical = new StringBuilder("v2");
        params.forEach((k, v) ->
                canonical.append('\n').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    public void routes(RoutesConfig routes) {
        routes.get(PATH, this::handle);
    }

    private void handle(Context ctx) throws Exception {
        AuditExports.Format format;
        AuditQuery query;
        long expires;
        try {
            format = AuditExports.Format.valueOf(required(ctx, "format"));
            query = AuditQuery.all();
            var service = ctx.queryParam("service");
            var since = ctx.queryParam("since");
            var until = ctx.queryParam("until");
            var decision = ctx.queryParam("decision");
            var deploy = ctx.queryParam("deploy");
            if (service != null) query = query.withService(service);
            if (since != null) query = query.withSince(Instant.parse(since));
            if (until != null) query = query.withUntil(Instant.parse(until));
            if (decision != null) query = query.withDecision(decision);
            if (deploy != null) query = query.withDeploy(deploy);
            expires = Long.parseLong(required(ctx, "exp"));
            var expected = sign(params(query, format, required(ctx, "by"), expires));
            if (!MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.US_ASCII),
                    required(ctx, "sig").getBytes(StandardCharsets.US_ASCII))) {
                refuse(ctx, "this export link is not valid; run /audit again for a new one");
                return;
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            refuse(ctx, "this export link is not valid; run /audit again for a new one");
            return;
        }
        var now = clock.instant();
        if (now.getEpochSecond() > expires) {
            refuse(
                    ctx,
                    "this export link expired at " + Times.words(Instant.ofEpochSecond(expires))
                            + "; run /audit again for a new one");
            return;
        }
        var by = ctx.queryParam("by");
        var current = catalog.get();
        var group = current.auditorGroup();
        if (!current.members(group).contains(by)) {
            var reason = "this export link was issued to " + by + ", who is no longer in the auditor group (" + group
                    + "); ask an auditor to run /audit";
            var reasoning = new LinkedHashMap<String, Object>();
            reasoning.put("format", format.name());
            reasoning.put("reason", reason);
            reasoning.put("allowed_group", group);
            filters(query, reasoning);
            log.append(new AuditRecord(
                    now,
                    by,
                    REFUSED,
                    query.deployId().orElse(""),
                    query.service().orElse(""),
                    "",
                    "refused",
                    CanonicalJson.of(reasoning),
                    "",
                    ""));
            refuse(ctx, reason);
            return;
        }
        // The head is signed first, so that a full JSON export is signed through its last entry: verified offline, an
        // entry removed from its end is caught (without it, only up to the last periodic checkpoint).
        log.checkpoint();
        ctx.status(200)
                .contentType(format == AuditExports.Format.csv ? "text/csv; charset=utf-8" : "application/json")
                .header("Content-Disposition", "attachment; filename=\"harbormaster-audit." + format.name() + "\"")
                .header("Cache-Control", "no-store");
        boolean complete = false;
        try (var out = ctx.outputStream()) {
            // A filtered JSON export is signed with the log's own key, as its checkpoints are.
            AuditExports.write(log, query, format, out, now, log.signer());
            complete = true;
        } finally {
            // Recorded after the export, so that an export never contains the record of itself.
            var reasoning = new LinkedHashMap<String, Object>();
            reasoning.put("format", format.name());
            reasoning.put("complete", complete);
            filters(query, reasoning);
            log.append(new AuditRecord(
                    clock.instant(),
                    by,
                    "audit.exported",
                    "",
                    query.service().orElse(""),
                    "",
                    "export",
                    CanonicalJson.of(reasoning),
                    "",
                    ""));
        }
    }

    /** The query's filters, as the audit entry of a download (or of its refusal) records them. */
    private static void filters(AuditQuery query, Map<String, Object> reasoning) {
        query.service().ifPresent(s -> reasoning.put("service", s));
        query.since().ifPresent(t -> reasoning.put("since", t.toString()));
        query.until().ifPresent(t -> reasoning.put("until", t.toString()));
        query.decision().ifPresent(d -> reasoning.put("decision", d));
        query.deployId().ifPresent(d -> reasoning.put("deploy", d));
    }

    private static String required(Context ctx, String name) {
        var v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + name);
        }
        return v;
    }

    private static void refuse(Context ctx, String why) {
        ctx.status(403).contentType("text/plain; charset=utf-8").result(why + "\n");
    }
}
