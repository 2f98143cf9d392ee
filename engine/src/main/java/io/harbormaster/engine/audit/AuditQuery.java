package io.harbormaster.engine.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** An {@code /audit} filter: every part is optional; {@code until} is exclusive. */
public record AuditQuery(
        Optional<String> service,
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<String> decision,
        Optional<String> deployId,
        int limit) {

    public static final int NO_LIMIT = Integer.MAX_VALUE;

    public AuditQuery {
        // Entries keep time to the microsecond; bounds are compared at the same precision.
        since = since.map(t -> t.truncatedTo(ChronoUnit.MICROS));
        until = until.map(t -> t.truncatedTo(ChronoUnit.MICROS));
        if (limit <= 0) {
            throw new IllegalArgumentException("an audit query limit must be positive, got " + limit);
        }
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new IllegalArgumentException("since must be before until");
        }
    }

    /** Every entry. */
    public static AuditQuery all() {
        return new AuditQuery(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), NO_LIMIT);
    }

    public AuditQuery withService(String s) {
        return new AuditQuery(Optional.of(s), since, until, decision, deployId, limit);
    }

    public AuditQuery withSince(Instant t) {
        return new AuditQuery(service, Optional.of(t), until, decision, deployId, limit);
    }

    public AuditQuery withUntil(Instant t) {
        return new AuditQuery(service, since, Optional.of(t), decision, deployId, limit);
    }

    public AuditQuery withDecision(String d) {
        return new AuditQuery(service, since, until, Optional.of(d), deployId, limit);
    }

    public AuditQuery withDeploy(String d) {
        return new AuditQuery(service, since, until, decision, Optional.of(d), limit);
    }

    public AuditQuery withLimit(int n) {
        return new AuditQuery(service, since, until, decision, deployId, n);
    }
}
