package io.harbormaster.engine.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One decision to be written to the audit log, before the log gives it a place in the chain.
 *
 * <p>Absent values are empty strings, never null, so that the canonical encoding has one form for "nothing". Time is
 * kept to the microsecond, the precision both H2 and PostgreSQL store, so that a value read back hashes the same.
 * The reasoning is kept exactly as given: a record read back from the log must hash over the stored bytes, so
 * writers call {@link #canonical()} (the log does so on append) and readers never re-encode.
 */
public record AuditRecord(
        Instant time,
        String actor,
        String action,
        String deployId,
        String service,
        String version,
        String decision,
        String reasoningJson,
        String engineVersion,
        String policyVersion) {

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        time = time.truncatedTo(ChronoUnit.MICROS);
        actor = required(actor, "actor");
        action = required(action, "action");
        deployId = Objects.requireNonNullElse(deployId, "");
        service = Objects.requireNonNullElse(service, "");
        version = Objects.requireNonNullElse(version, "");
        decision = Objects.requireNonNullElse(decision, "");
        reasoningJson = reasoningJson == null || reasoningJson.isBlank() ? "{}" : reasoningJson;
        engineVersion = Objects.requireNonNullElse(engineVersion, "");
        policyVersion = Objects.requireNonNullElse(policyVersion, "");
    }

    /** This record with its reasoning in canonical JSON form; refuses reasoning that is not JSON. */
    public AuditRecord canonical() {
        var canonicalJson = CanonicalJson.canonicalize(reasoningJson);
        return canonicalJson.equals(reasoningJson)
                ? this
                : new AuditRecord(
                        time,
                        actor,
                        action,
                        deployId,
                        service,
                        version,
                        decision,
                        canonicalJson,
                        engineVersion,
                        policyVersion);
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("audit record needs a non-empty " + field);
        }
        return value;
    }
}
