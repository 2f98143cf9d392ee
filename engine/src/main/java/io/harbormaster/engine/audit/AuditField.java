package io.harbormaster.engine.audit;

/** A field of the audit log that {@code /audit} filters on by name, and whose values the log can list. */
public enum AuditField {
    SERVICE("service"),
    DECISION("decision");

    private final String key;

    AuditField(String key) {
        this.key = key;
    }

    /** The filter's key, as typed ({@code service=…}). */
    public String key() {
        return key;
    }
}
