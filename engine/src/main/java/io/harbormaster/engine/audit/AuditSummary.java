package io.harbormaster.engine.audit;

import java.util.List;
import java.util.Map;

/** What {@code /audit} shows: how many entries matched, how many per decision, and the newest of them. */
public record AuditSummary(long matched, Map<String, Long> byDecision, List<AuditEntry> newest) {}
